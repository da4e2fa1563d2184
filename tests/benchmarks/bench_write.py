"""Write-side benchmark: the demo set through the bulk path, against raw asyncpg in the same run.

The demo's submissions are generated first (timed apart), then recorded with
``Ledger.execute_batch``: the ingest rate is events recorded per second of that call.

    .venv/bin/python -m tests.benchmarks.bench_write [--scale 1 --scale 10] [--single 2000]

Each scale loads into a fresh database (on DATABASE_URL's server, or an embedded one) in a child
process, so that its peak memory is its own. The baseline re-inserts the very rows the ledger
stored (same count, same sizes) into a scratch table of the same shape with asyncpg
``executemany``, in batches of 5,000 rows a transaction, in a process of its own: in the
process that had just loaded the demo with one core, the same baseline ran 40% slower.
``--processes 1`` loads with the one-process path, for comparison.
"""

import argparse
import asyncio
import json
import os
import resource
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
from replay.demo import generate

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


def raw_in_child(url: str) -> tuple[int, float]:
    """``raw_executemany`` in a process of its own, which holds nothing else (rows, seconds)."""
    command = [sys.executable, "-m", "tests.benchmarks.bench_write", "--raw-child", url]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    rows, seconds = json.loads(done.stdout.strip().splitlines()[-1])
    return rows, seconds


def one_scale(scale: float, single: int, processes: int | None) -> dict[str, Any]:
    with scratch_database(server(), f"hrh_bench_{uuid.uuid4().hex[:8]}") as url:
        ledger = Ledger(env=ledger_env(url))
        started = time.perf_counter()
        submissions = list(generate(scale=scale))
        generated = time.perf_counter()
        report = ledger.execute_batch(submissions, processes=processes)
        seconds = time.perf_counter() - generated
        result: dict[str, Any] = {
            "scale": scale,
            "events": report.events,
            "generate_seconds": generated - started,
            "seconds": seconds,
            "events_per_s": report.events / seconds,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "child_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "refused": len(report.refusals),
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
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--raw-child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    scales = args.scale or [1.0, 10.0]
    if args.raw_child:
        print(json.dumps(asyncio.run(raw_executemany(args.raw_child))))
        return
    if args.child:
        print(json.dumps(one_scale(scales[0], args.single, args.processes)))
        return
    print(
        "| scale | events | generate s | ingest s | events/s | raw executemany rows/s | ratio "
        "| peak RSS MB (parent / largest child) | 1 thread cmd/s | 8 threads cmd/s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for scale in scales:
        child = [sys.executable, "-m", "tests.benchmarks.bench_write", "--child", "--scale", str(scale)]
        if args.processes is not None:
            child += ["--processes", str(args.processes)]
        done = subprocess.run([*child, "--single", str(args.single)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"scale {scale:g} failed:\n{done.stderr}")
        out = done.stdout.strip().splitlines()[-1]
        r = json.loads(out)
        print(
            f"| {r['scale']:g} | {r['events']:,} | {r['generate_seconds']:.1f} | {r['seconds']:.1f} | "
            f"{r['events_per_s']:,.0f} | "
            f"{r['raw_rows_per_s']:,.0f} | {r['ratio']:.0%} | {r['peak_rss_mb']:,.0f} / "
            f"{r['child_peak_rss_mb']:,.0f} | "
            f"{r.get('single_1_thread_per_s', 0):,.0f} | {r.get('single_8_threads_per_s', 0):,.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
