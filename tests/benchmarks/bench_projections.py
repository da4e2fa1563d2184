"""Read-side benchmark: the full rebuild, query latency and the live runner's freshness, per scale.

    .venv/bin/python -m tests.benchmarks.bench_projections [--scale 1 --scale 10] [--runs 200]

Each scale loads the demo into a fresh database (on DATABASE_URL's server, or an embedded one) in
a child process, then:

1. settles the database (``VACUUM (ANALYZE)`` of the ledger's table, then a ``CHECKPOINT``), as
   a ledger is when somebody rebuilds it, so that neither autovacuum nor a checkpoint after the
   load lands in one measurement and not in the other;
2. rebuilds the read tables with ``replay.rebuild.rebuild`` in a process of its own (so that its
   peak memory is its own), ``--rebuilds`` times, against a baseline measured in the same run, in
   a process of its own too, before the first rebuild and after each one: raw asyncpg reading
   the whole events table, keyset ``replay.rebuild.BATCH`` rows at a time as the rebuild does,
   and decoding each ``state`` with the stdlib ``json.loads``. Each rebuild's ratio is against
   the mean of the baseline readings on either side of it, and the figure reported is the
   median rebuild's (with the range): on a machine whose speed moves by a third from one minute
   to the next, one pair of readings says little. The database is settled again after each
   rebuild (``VACUUM`` of the new read tables, then a ``CHECKPOINT``), so that neither the
   rebuild's dirty pages nor autovacuum lands in the next measurement;
3. times the read queries over an asyncpg pool, one at a time, after a warm-up;
4. runs the live runner (``projections.runner.run``) in a process of its own, as ``hrh project``
   does, records single ``RecordTraining`` commands through the ``Ledger`` at a steady rate from a
   thread, and measures, for each, the time from the command returning until the read tables'
   tracking position reaches the command's position (polled every 2 ms on another connection).

``--chain-cost`` measures what the chain hash costs the rebuild: each scale is loaded with the
chain (as the ledger always records it) and without (``tests/benchmarks/unchained.py``),
alternately, ``--rounds`` times; each load is rebuilt ``--rebuilds`` times against its baselines
(steps 1 and 2; no queries), and the cost is the difference of the median ratios.
"""

import argparse
import asyncio
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

import asyncpg

from api.database import ledger_env, scratch_database, start_embedded
from domain import commands as c
from domain.errors import DomainError
from domain.ledger import Ledger
from projections import runner
from projections.density import density_series
from projections.mobility import histories
from projections.staffing import staffing
from projections.store import Target
from replay.loading import load_demo
from replay.rebuild import BATCH, rebuild  # the baseline reads BATCH rows at a time, as the rebuild does
from tests.benchmarks.unchained import without_chain

REBUILD_TIMEOUT = 15 * 60
TARGET = Target.of_ledger()
SCHEMA = TARGET.schema
QUERIES = {
    "staffing": "staffing ML + children, as of a day in 2012–2024",
    "known_at": "staffing ML + children, as of 2017-12-31 known at 2020-01-01",
    "density": "density MOP, monthly 2010–2019 (120 points)",
    "history": "one worker's history (random worker)",
}


def server() -> str:
    return os.environ.get("DATABASE_URL") or start_embedded(
        Path(f"/tmp/hrh-bench-{uuid.uuid4().hex[:6]}"), delete_on_exit=True
    )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentiles(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "max": max(values), "n": len(values)}


# 1. The full rebuild and its baseline.


async def raw_read(url: str) -> tuple[int, float]:
    """Rows read and seconds: the whole events table in keyset batches, each state json-decoded."""
    conn = await asyncpg.connect(url)
    try:
        started = time.perf_counter()
        after, count = 0, 0
        while True:
            rows = await conn.fetch(
                f"SELECT notification_id, originator_id, originator_version, topic, state FROM {TARGET.events_table} "
                "WHERE notification_id > $1 ORDER BY notification_id LIMIT $2",
                after,
                BATCH,
            )
            if not rows:
                break
            for row in rows:
                json.loads(row[4])
            count += len(rows)
            after = rows[-1][0]
        return count, time.perf_counter() - started
    finally:
        await conn.close()


def raw_in_child(url: str) -> float:
    """Rows/s of ``raw_read`` in a process of its own, as the rebuild gets one."""
    command = [sys.executable, "-m", "tests.benchmarks.bench_projections", "--raw-child", url]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=REBUILD_TIMEOUT)
    return float(done.stdout.strip().splitlines()[-1])


async def settle(url: str) -> None:
    """What a ledger and its read tables are like long after their last bulk write: vacuumed (the
    ledger's table analysed too) and checkpointed."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"VACUUM (ANALYZE) {TARGET.events_table}")
        await conn.execute("VACUUM")
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()


def rebuild_child(url: str) -> dict[str, Any]:
    started = time.perf_counter()
    position = asyncio.run(rebuild(url, TARGET))
    return {
        "position": position,
        "seconds": time.perf_counter() - started,
        "peak_rss_mb": peak_rss_mb(),
        # The largest of the processes it split the work between, if it did (replay.split).
        "child_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def rebuild_in_child(url: str) -> dict[str, Any]:
    """The rebuild in a process of its own; ``error`` says why there is no figure."""
    command = [sys.executable, "-m", "tests.benchmarks.bench_projections", "--rebuild-child", url]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=REBUILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish in {REBUILD_TIMEOUT / 60:.0f} minutes"}
    if done.returncode != 0:
        killed = " (killed: out of memory?)" if done.returncode == -signal.SIGKILL else ""
        tail = done.stderr.strip().splitlines()[-1:] or [""]
        return {"error": f"exit {done.returncode}{killed} after {time.perf_counter() - started:.0f} s: {tail[0]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


# 2. Query latency.


async def time_calls(call: Callable[[], Awaitable[Any]], warmup: int, runs: int) -> list[float]:
    for _ in range(warmup):
        await call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return times


async def latencies(url: str, runs: int, warmup: int) -> dict[str, Any]:
    rng = Random(2017)
    pool = await asyncpg.create_pool(url, min_size=2, max_size=2)
    try:
        workers = [
            r[0]
            for r in await pool.fetch(
                f"SELECT DISTINCT aggregate_id FROM {SCHEMA}.events WHERE aggregate = 'Worker' ORDER BY 1"
            )
        ]
        first, days = date(2012, 1, 1), (date(2024, 12, 31) - date(2012, 1, 1)).days

        async def country() -> None:
            record = await staffing(pool, SCHEMA, "ML", first + timedelta(days=rng.randint(0, days)))
            assert record is not None and record.children

        async def known_at() -> None:
            record = await staffing(pool, SCHEMA, "ML", date(2017, 12, 31), datetime(2020, 1, 1, tzinfo=UTC))
            assert record is not None and record.headcount > 0

        async def density() -> None:
            points = await density_series(pool, SCHEMA, "MOP", date(2010, 1, 1), date(2019, 12, 31), "MONTH")
            assert len(points) == 120

        async def history() -> None:
            worker = rng.choice(workers)
            assert (await histories(pool, SCHEMA, [worker]))[worker]

        calls = {"staffing": country, "known_at": known_at, "density": density, "history": history}
        out: dict[str, Any] = {}
        for name, call in calls.items():
            out[name] = percentiles(await time_calls(call, warmup, runs))
            log(f"  {name}: p50 {out[name]['p50']:.1f} ms, p95 {out[name]['p95']:.1f} ms")
        # Sanity figures, so that a fast but empty answer shows.
        record = await staffing(pool, SCHEMA, "ML", date(2017, 12, 31))
        assert record is not None
        out["check"] = {"ML_2017_headcount": record.headcount, "ML_2017_qualified_density": record.qualified_density}
        return out
    finally:
        await pool.close()


# 3. Freshness under a steady write load.


def runner_child(url: str) -> None:
    """The live runner until SIGTERM; then prints its peak memory."""

    async def main() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await runner.run(url, TARGET, stop)

    asyncio.run(main())
    print(json.dumps({"peak_rss_mb": peak_rss_mb()}))


async def freshness(
    url: str, ledger: Ledger, workers: list[tuple[uuid.UUID, date]], rate: float
) -> tuple[list[float], int, int]:
    """Lags in ms from each command returning until the read tables include it; (lags, refused, unseen)."""
    loop = asyncio.get_running_loop()
    pending: list[tuple[int, float]] = []
    lags: list[float] = []
    refused = 0
    conn = await asyncpg.connect(url)

    def write() -> None:
        nonlocal refused
        started = time.perf_counter()
        for i, (worker_id, day) in enumerate(workers):
            time.sleep(max(0.0, started + i / rate - time.perf_counter()))
            try:
                outcome = ledger.execute(c.RecordTraining(worker_id=worker_id, course="PCIME", started_on=day), "bench")
            except DomainError:
                refused += 1
                continue
            returned = time.perf_counter()
            loop.call_soon_threadsafe(pending.append, (outcome.position, returned))

    try:
        writer = loop.run_in_executor(None, write)
        deadline = None
        while not writer.done() or pending:
            reached = await runner.position(conn, SCHEMA)
            seen = time.perf_counter()
            still = []
            for position, returned in pending:
                if reached >= position:
                    lags.append((seen - returned) * 1000)
                else:
                    still.append((position, returned))
            pending[:] = still
            if writer.done():
                deadline = deadline or seen + 30
                if seen > deadline:
                    break
            await asyncio.sleep(0.002)
        await writer
        return lags, refused, len(pending)
    finally:
        await conn.close()


def freshness_run(url: str, ledger: Ledger, rate: float, seconds: float) -> dict[str, Any]:
    count = int(rate * seconds)

    async def pick() -> list[tuple[uuid.UUID, date]]:
        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch(
                f"SELECT aggregate_id, effective_on FROM {SCHEMA}.events WHERE event = 'Hired' ORDER BY aggregate_id"
            )
        finally:
            await conn.close()
        return Random(7).sample([(r[0], r[1]) for r in rows], count + 1)

    workers = asyncio.run(pick())
    command = [sys.executable, "-m", "tests.benchmarks.bench_projections", "--runner-child", url]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        # The first command also waits for the runner to start and load its state.
        started = time.perf_counter()
        first = ledger.execute(
            c.RecordTraining(worker_id=workers[0][0], course="PCIME", started_on=workers[0][1]), "bench"
        )

        async def first_seen() -> bool:
            pool = await asyncpg.create_pool(url, min_size=1, max_size=1)
            try:
                for _ in range(600):
                    if await runner.wait_for(pool, SCHEMA, first.position, timeout=1) or process.poll() is not None:
                        break
                return process.poll() is None and await runner.position(pool, SCHEMA) >= first.position
            finally:
                await pool.close()

        if not asyncio.run(first_seen()):
            why = f"exited with {process.returncode}" if process.poll() is not None else "did not catch up in 10 min"
            return {"error": f"the runner {why}"}
        startup = time.perf_counter() - started
        log(f"  runner up after {startup:.1f} s; writing {count} commands at {rate:g}/s")
        lags, refused, unseen = asyncio.run(freshness(url, ledger, workers[1:], rate))
        if process.poll() is not None:
            return {"error": f"the runner exited with {process.returncode} during the run"}
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=60)
    result: dict[str, Any] = {"startup_s": startup, "refused": refused, "unseen": unseen, "commands": count}
    if lags:
        result.update(percentiles(lags))
    lines = out.strip().splitlines()
    if lines:
        result["runner_peak_rss_mb"] = json.loads(lines[-1])["peak_rss_mb"]
    return result


# One scale.


def one_scale(
    scale: float, runs: int, rate: float, seconds: float, rebuilds: int, chain: bool = True
) -> dict[str, Any]:
    """Steps 1 to 4 at one scale; ``runs`` 0: the rebuilds only."""
    if not chain:
        without_chain()
    with scratch_database(server(), f"hrh_bench_{uuid.uuid4().hex[:8]}") as url:
        ledger = Ledger(env=ledger_env(url))
        result: dict[str, Any] = {"scale": scale, "chain": chain}
        log(f"scale {scale:g}: loading the demo")
        started = time.perf_counter()
        load_demo(ledger, scale=scale)
        result["load_seconds"] = time.perf_counter() - started
        result["events"] = asyncio.run(count_rows(url))
        log(f"scale {scale:g}: {result['events']:,} events in {result['load_seconds']:.0f} s; settling, raw read")
        asyncio.run(settle(url))
        result["raw_reads"] = raw_reads = [raw_in_child(url)]
        result["rebuilds"] = built_runs = []
        log(f"scale {scale:g}: raw read {raw_reads[-1]:,.0f} rows/s")
        for _ in range(rebuilds):
            built = rebuild_in_child(url)
            built_runs.append(built)
            if "error" in built:
                log(f"scale {scale:g}: rebuild failed: {built['error']}")
                ledger.close()
                return result
            asyncio.run(settle(url))
            raw_reads.append(raw_in_child(url))
            built["raw_rows_per_s"] = (raw_reads[-2] + raw_reads[-1]) / 2
            built["events_per_s"] = result["events"] / built["seconds"]
            built["ratio"] = built["events_per_s"] / built["raw_rows_per_s"]
            log(
                f"scale {scale:g}: rebuilt in {built['seconds']:.1f} s ({built['ratio']:.1%}); "
                f"raw read {raw_reads[-1]:,.0f} rows/s"
            )
        result["rebuild"] = median_run(built_runs)
        log(f"scale {scale:g}: median ratio {result['rebuild']['ratio']:.1%}")
        if not runs:
            ledger.close()
            return result
        log(f"scale {scale:g}: query latency")
        result["queries"] = asyncio.run(latencies(url, runs, warmup=max(5, runs // 10)))
        log(f"scale {scale:g}: freshness")
        result["freshness"] = freshness_run(url, ledger, rate, seconds)
        ledger.close()
        return result


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median ratio (the lower middle one of an even number)."""
    return sorted(runs, key=lambda run: run["ratio"])[(len(runs) - 1) // 2]


async def count_rows(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval(f"SELECT count(*) FROM {TARGET.events_table}"))
    finally:
        await conn.close()


# The report.


def report(results: list[dict[str, Any]]) -> None:
    print("\n### Full rebuild\n")
    print(
        "| scale | events | run | rebuild s | rebuild events/s | raw read + json.loads rows/s (before, after) | ratio "
        "| peak RSS MB (parent / largest child) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        reads = r["raw_reads"]
        chain = "" if r.get("chain", True) else " (no chain)"
        for i, b in enumerate(r["rebuilds"]):
            if "error" in b:
                print(f"| {r['scale']:g}{chain} | {r['events']:,} | {i + 1} | {b['error']} | | | | |")
                continue
            print(
                f"| {r['scale']:g}{chain} | {r['events']:,} | {i + 1} | {b['seconds']:.1f} | "
                f"{b['events_per_s']:,.0f} | "
                f"{b['raw_rows_per_s']:,.0f} ({reads[i]:,.0f}, {reads[i + 1]:,.0f}) | {b['ratio']:.1%} | "
                f"{b['peak_rss_mb']:,.0f} / {b.get('child_peak_rss_mb', 0):,.0f} |"
            )
    for r in results:
        done = [b for b in r["rebuilds"] if "ratio" in b]
        if done:
            ratios = [b["ratio"] for b in done]
            print(
                f"\nScale {r['scale']:g}{'' if r.get('chain', True) else ' without the chain'}: median ratio "
                f"{median_run(done)['ratio']:.1%} (range {min(ratios):.1%}–{max(ratios):.1%}, {len(ratios)} rebuilds)."
            )
    chain_cost(results)
    timed = [r for r in results if "queries" in r and r.get("chain", True)]
    if timed:
        print("\n### Query latency (ms)\n")
        scales = " | ".join(f"{r['scale']:g}× p50 | {r['scale']:g}× p95" for r in timed)
        growth = len(timed) > 1
        print(f"| query | {scales} |" + (f" p95 {timed[-1]['scale']:g}× / {timed[0]['scale']:g}× |" if growth else ""))
        print("|---|" + "---|---|" * len(timed) + ("---|" if growth else ""))
        for name, label in QUERIES.items():
            cells = " | ".join(f"{r['queries'][name]['p50']:.1f} | {r['queries'][name]['p95']:.1f}" for r in timed)
            ratio = f" {timed[-1]['queries'][name]['p95'] / timed[0]['queries'][name]['p95']:.1f} |" if growth else ""
            print(f"| {label} | {cells} |{ratio}")
        print("\n### Freshness (ms from a command returning to the read tables including it)\n")
        print("| scale | commands | rate /s | p50 | p95 | max | not seen in 30 s | refused | runner RSS MB |")
        print("|---|---|---|---|---|---|---|---|---|")
        for r in timed:
            f = r["freshness"]
            if "error" in f:
                print(f"| {r['scale']:g} | {f['error']} | | | | | | | |")
                continue
            print(
                f"| {r['scale']:g} | {f['commands']} | {f['rate']:g} | {f.get('p50', float('nan')):.1f} | "
                f"{f.get('p95', float('nan')):.1f} | {f.get('max', float('nan')):.1f} | {f['unseen']} | "
                f"{f['refused']} | {f.get('runner_peak_rss_mb', 0):,.0f} |"
            )


def chain_cost(results: list[dict[str, Any]]) -> None:
    """With ``--chain-cost``: per scale, how much lower the rebuild's median ratio is with the chain."""
    for scale in dict.fromkeys(r["scale"] for r in results):
        ratios: dict[bool, list[float]] = {True: [], False: []}
        for r in results:
            if r["scale"] == scale:
                ratios[r.get("chain", True)] += [b["ratio"] for b in r["rebuilds"] if "ratio" in b]
        if ratios[True] and ratios[False]:
            with_, without = statistics.median(ratios[True]), statistics.median(ratios[False])
            print(
                f"\nScale {scale:g}, the chain's cost to the rebuild: median ratio {with_:.1%} with it, "
                f"{without:.1%} without ({len(ratios[True])} and {len(ratios[False])} rebuilds): "
                f"**{1 - with_ / without:.1%}**."
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, action="append")
    parser.add_argument("--runs", type=int, default=200, help="timed runs of each query (after runs/10 warm-up)")
    parser.add_argument("--rate", type=float, default=20.0, help="commands per second for the freshness run")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the freshness run")
    parser.add_argument("--rebuilds", type=int, default=3, help="rebuilds per scale, each between two baseline reads")
    parser.add_argument("--chain-cost", action="store_true", help="rebuild loads with and without the chain")
    parser.add_argument("--rounds", type=int, default=2, help="with --chain-cost: loads of each kind per scale")
    parser.add_argument("--without-chain", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rebuild-child", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--runner-child", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--raw-child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.raw_child:
        rows, seconds = asyncio.run(raw_read(args.raw_child))
        print(rows / seconds)
        return
    if args.rebuild_child:
        print(json.dumps(rebuild_child(args.rebuild_child)))
        return
    if args.runner_child:
        runner_child(args.runner_child)
        return
    scales = args.scale or [1.0, 10.0]
    if args.child:
        rebuilds = max(args.rebuilds, 1)
        result = one_scale(scales[0], args.runs, args.rate, args.seconds, rebuilds, chain=not args.without_chain)
        if "freshness" in result:
            result["freshness"]["rate"] = args.rate
        print(json.dumps(result))
        return
    results = []
    kinds = [True, False] * args.rounds if args.chain_cost else [True]
    for scale in scales:
        for chain in kinds:
            child = [sys.executable, "-m", "tests.benchmarks.bench_projections", "--child", "--scale", str(scale)]
            child += ["--runs", str(0 if args.chain_cost else args.runs), "--rate", str(args.rate)]
            child += ["--seconds", str(args.seconds), "--rebuilds", str(args.rebuilds)]
            done = subprocess.run([*child, *([] if chain else ["--without-chain"])], stdout=subprocess.PIPE, text=True)
            if done.returncode != 0:
                sys.exit(f"scale {scale:g} failed (exit {done.returncode})")
            line = done.stdout.strip().splitlines()[-1]
            print(line, file=sys.stderr, flush=True)
            results.append(json.loads(line))
    report(results)


if __name__ == "__main__":
    main()
