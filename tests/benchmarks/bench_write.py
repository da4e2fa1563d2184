"""Write-side benchmark: the demo set through the bulk path, against raw asyncpg in the same run.

The demo's submissions are generated first (timed apart), then recorded with
``replay.bulk.load``: the ingest rate is events recorded per second of that call.

    .venv/bin/python -m tests.benchmarks.bench_write [--scale 1 --scale 10] [--single 2000]

Each scale loads into a fresh database (on DATABASE_URL's server, or an embedded one) in a child
process, so that its peak memory is its own. The baseline re-inserts the very rows the ledger
stored (same count, same sizes) into a scratch table of the same shape with asyncpg
``executemany``, in batches of 5,000 rows a transaction, in a process of its own: in the
process that had just loaded the demo with one core, the same baseline ran 40% slower.
``--processes 1`` loads with the one-process path, for comparison.

``--chain-cost`` loads each scale twice, with the chain hash (as the ledger always records it) and
without (``tests/benchmarks/unchained.py``), alternately, ``--rounds`` times, and prints both and
the median cost of the chain.
"""

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg

from api.database import ledger_env, scratch_database, start_embedded
from domain import commands as c
from domain.ledger import Ledger
from replay import bulk
from replay.demo import generate
from tests.benchmarks.unchained import without_chain

BATCH = 5000


def server() -> str:
    return os.environ.get("DATABASE_URL") or start_embedded(
        Path(f"/tmp/hrh-bench-{uuid.uuid4().hex[:6]}"), delete_on_exit=True
    )


async def raw_executemany(url: str) -> tuple[int, float]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT originator_id, originator_version, topic, state FROM ledger_events")
        await conn.execute(
            "CREATE TABLE scratch_events (originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
            "topic text, state bytea, notification_id bigserial, PRIMARY KEY (originator_id, originator_version))"
        )
        await conn.execute("CREATE UNIQUE INDEX ON scratch_events (notification_id)")
        values = [tuple(row) for row in rows]
        started = time.perf_counter()
        for start in range(0, len(values), BATCH):
            async with conn.transaction():
                await conn.executemany(
                    "INSERT INTO scratch_events (originator_id, originator_version, topic, state) "
                    "VALUES ($1, $2, $3, $4)",
                    values[start : start + BATCH],
                )
        return len(values), time.perf_counter() - started
    finally:
        await conn.close()


def single_commands(ledger: Ledger, workers: list[tuple[uuid.UUID, date]], threads: int) -> float:
    """Commands per second for load-modify-save of one training (on the hire day) on distinct workers."""

    def train(worker: tuple[uuid.UUID, date]) -> None:
        ledger.execute(c.RecordTraining(worker_id=worker[0], course="PCIME", started_on=worker[1]), "bench")

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(train, workers))
    return len(workers) / (time.perf_counter() - started)


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the bulk path's), user and system."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def raw_in_child(url: str) -> tuple[int, float]:
    """``raw_executemany`` in a process of its own, which holds nothing else (rows, seconds)."""
    command = [sys.executable, "-m", "tests.benchmarks.bench_write", "--raw-child", url]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    rows, seconds = json.loads(done.stdout.strip().splitlines()[-1])
    return rows, seconds


def one_scale(scale: float, single: int, processes: int | None, chain: bool = True) -> dict[str, Any]:
    if not chain:
        without_chain()
    with scratch_database(server(), f"hrh_bench_{uuid.uuid4().hex[:8]}") as url:
        ledger = Ledger(env=ledger_env(url))
        started = time.perf_counter()
        submissions = list(generate(scale=scale))
        generated = time.perf_counter()
        cpu = cpu_seconds()
        report = bulk.load(ledger, submissions, processes=processes)
        seconds = time.perf_counter() - generated
        cpu = cpu_seconds() - cpu
        result: dict[str, Any] = {
            "scale": scale,
            "events": report.events,
            "generate_seconds": generated - started,
            "seconds": seconds,
            "events_per_s": report.events / seconds,
            "cpu_us_per_event": cpu / report.events * 1e6,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "child_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "refused": len(report.refusals),
            "chain": chain,
        }
        rows, raw_seconds = raw_in_child(url)
        result["raw_rows_per_s"] = rows / raw_seconds
        result["ratio"] = result["events_per_s"] / result["raw_rows_per_s"]
        if single:
            hires = ledger.recorder.select_notifications(1, 2 * single, topics=["hrh:Worker.Hired.v1"])
            workers = [(n.originator_id, ledger.mapper.to_domain_event(n).effective_on) for n in hires]
            half = len(workers) // 2
            result["single_1_thread_per_s"] = single_commands(ledger, workers[:half], 1)
            result["single_8_threads_per_s"] = single_commands(ledger, workers[half:], 8)
        ledger.close()
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, action="append")
    parser.add_argument("--single", type=int, default=2000, help="single commands per thread setting (0 skips)")
    parser.add_argument(
        "--processes", type=int, help="child processes checking the load (default: the ledger's choice; 1: none)"
    )
    parser.add_argument("--chain-cost", action="store_true", help="load each scale with and without the chain")
    parser.add_argument("--rounds", type=int, default=2, help="with --chain-cost: loads of each kind per scale")
    parser.add_argument("--without-chain", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--raw-child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    scales = args.scale or [1.0, 10.0]
    if args.raw_child:
        print(json.dumps(asyncio.run(raw_executemany(args.raw_child))))
        return
    if args.child:
        print(json.dumps(one_scale(scales[0], args.single, args.processes, chain=not args.without_chain)))
        return
    print(
        "| scale | chain | events | generate s | ingest s | events/s | client CPU µs/event "
        "| raw executemany rows/s | ratio "
        "| peak RSS MB (parent / largest child) | 1 thread cmd/s | 8 threads cmd/s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for scale in scales:
        child = [sys.executable, "-m", "tests.benchmarks.bench_write", "--child", "--scale", str(scale)]
        if args.processes is not None:
            child += ["--processes", str(args.processes)]
        kinds = [True, False] * args.rounds if args.chain_cost else [True]
        rates: dict[bool, list[float]] = {True: [], False: []}
        cpus: dict[bool, list[float]] = {True: [], False: []}
        for chain in kinds:
            r = run_child([*child, "--single", str(args.single), *([] if chain else ["--without-chain"])], scale)
            rates[chain].append(r["events_per_s"])
            cpus[chain].append(r["cpu_us_per_event"])
            print_row(r)
        if args.chain_cost:
            cost = 1 - statistics.median(rates[True]) / statistics.median(rates[False])
            cpu_cost = statistics.median(cpus[True]) / statistics.median(cpus[False]) - 1
            print(
                f"| {scale:g} | cost of the chain (medians) | | | | **{cost:.1%}** | **+{cpu_cost:.1%}** | | | | | |",
                flush=True,
            )


def run_child(command: list[str], scale: float) -> dict[str, Any]:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"scale {scale:g} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def print_row(r: dict[str, Any]) -> None:
    print(
        f"| {r['scale']:g} | {'with' if r['chain'] else 'without'} | {r['events']:,} | "
        f"{r['generate_seconds']:.1f} | {r['seconds']:.1f} | {r['events_per_s']:,.0f} | {r['cpu_us_per_event']:.1f} | "
        f"{r['raw_rows_per_s']:,.0f} | {r['ratio']:.0%} | {r['peak_rss_mb']:,.0f} / "
        f"{r['child_peak_rss_mb']:,.0f} | "
        f"{r.get('single_1_thread_per_s', 0):,.0f} | {r.get('single_8_threads_per_s', 0):,.0f} |",
        flush=True,
    )


if __name__ == "__main__":
    main()
