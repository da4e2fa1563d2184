"""API benchmark: mutations and planner queries over HTTP, against the in-process paths in the same run.

    .venv/bin/python -m tests.benchmarks.bench_api [--scale 1 --scale 10] [--mutations 1000] [--rounds 3]
                                                   [--runs 200] [--profile] [--template DATABASE]

Each scale loads the demo into a fresh database (on DATABASE_URL's server, or an embedded one) in
a child process, builds the read tables with ``replay.rebuild.rebuild`` (in a process of its
own) and runs ``VACUUM ANALYZE`` (which autovacuum would otherwise be doing during the timed
runs); with ``--template``, it copies a database that holds all that already. Then it starts
``hrh serve`` as shipped (its default worker processes, the projection runner in its child
process; ``--workers N`` to try others) on a free port against the same database, waits until
its runner has caught up, and:

1. mutations, in ``--rounds`` rounds, each on distinct posted workers that no other run touches:
   - the in-process baseline, ``Ledger.execute(RecordTraining(...))`` one command at a time from
     1 thread, then from 8 threads, with the server's processes paused (SIGSTOP), so that the
     baseline has the cores to itself;
   - the server resumed and caught up with what the baseline recorded, ``recordTraining``
     mutations from 1 and from 8 concurrent keep-alive connections (``http_client``, so that the
     load takes little of the cores); each mutation returns once the read tables include it
     (read-your-writes).

   Each round gives its HTTP / in-process ratios; the report gives their median. The machine's
   speed drifts by more than the difference between the paths over a minute, so the rounds keep
   each ratio to the two paths measured side by side;
2. times planner queries one at a time (httpx), interleaving each HTTP request with the raw query
   function (``projections.staffing.staffing``, ``projections.density.density_series``) called on
   an asyncpg pool with the same arguments, so that both see the same machine load.

With ``--profile`` the server is started once more, as one worker process (``--workers 1``, the
runner in its child process as shipped), under cProfile (the event loop's thread, and each
thread that runs ``Ledger.execute``), mutations and queries are sent again, and the top
functions and a per-mutation split (``Ledger.execute`` vs the read-your-writes wait) are printed
to stderr.
"""

import argparse
import asyncio
import contextlib
import io
import json
import os
import pstats
import secrets
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from random import Random
from typing import Any

import asyncpg
import httpx

from api.database import ledger_env, scratch_database, start_embedded
from domain import commands as c
from domain.ledger import Ledger
from projections.density import density_series
from projections.staffing import staffing
from projections.store import Target
from replay.loading import load_demo
from tests.benchmarks.api_server import Server, percentiles
from tests.benchmarks.bench_projections import rebuild_in_child
from tests.benchmarks.http_client import Connection

TARGET = Target.of_ledger()
SCHEMA = TARGET.schema
COURSE = "PCIME"

MUTATION = """
mutation Train($input: RecordTrainingInput!) {
  recordTraining(input: $input) { position worker { id status } }
}"""

COUNTS = "key count"
STAFFING = f"""
query Staffing($asOf: Date!) {{
  staffing(orgUnitCode: "ML", asOf: $asOf) {{
    orgUnit {{ code name }} asOf headcount onLeave active qualifiedActive population density qualifiedDensity
    byCadreGroup {{ {COUNTS} }} bySex {{ {COUNTS} }} bySector {{ {COUNTS} }} byFundingSource {{ {COUNTS} }}
    children {{
      orgUnit {{ code name }} headcount onLeave active qualifiedActive population density qualifiedDensity
      byCadreGroup {{ {COUNTS} }} bySex {{ {COUNTS} }} bySector {{ {COUNTS} }} byFundingSource {{ {COUNTS} }}
    }}
  }}
}}"""

DENSITY = """
query Density {
  densitySeries(orgUnitCode: "MOP", from: "2010-01-01", to: "2019-12-31", interval: MONTH) {
    period endOn active qualifiedActive population density qualifiedDensity entries exits
  }
}"""

THRESHOLDS = "query { thresholds { name perTenThousand } }"

QUERIES = {
    "staffing": "staffing ML + children (all counts), as of a random day in 2012–2024",
    "density": "densitySeries MOP, monthly 2010–2019 (120 points)",
    "thresholds": "thresholds (no database: the HTTP + GraphQL floor)",
}


def server() -> str:
    return os.environ.get("DATABASE_URL") or start_embedded(
        Path(f"/tmp/hrh-bench-{uuid.uuid4().hex[:6]}"), delete_on_exit=True
    )


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


Workers = list[tuple[uuid.UUID, date]]


async def posted_workers(url: str, count: int) -> Workers:
    """``count`` distinct workers posted now, each with the day their current posting began."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            f"SELECT worker_id, valid_from FROM {SCHEMA}.worker_periods "
            "WHERE known_to IS NULL AND valid_to IS NULL AND status = 'POSTED' ORDER BY worker_id"
        )
    finally:
        await conn.close()
    if len(rows) < count:
        raise SystemExit(f"only {len(rows)} posted workers; need {count} (lower --mutations)")
    return Random(11).sample([(r[0], r[1]) for r in rows], count)


# 1. The in-process path.


def in_process(ledger: Ledger, workers: Workers, threads: int) -> dict[str, Any]:
    """``Ledger.execute`` of one training per worker from ``threads`` threads: rate and latencies."""
    times: list[float] = []

    def train(worker: tuple[uuid.UUID, date]) -> None:
        started = time.perf_counter()
        ledger.execute(c.RecordTraining(worker_id=worker[0], course=COURSE, started_on=worker[1]), "bench")
        times.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(train, workers))
    seconds = time.perf_counter() - started
    return {"per_s": len(workers) / seconds, **percentiles(times), "times": times}


# 2. The server and the HTTP clients.


def client(base: str, token: str, connections: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, limits=limits, timeout=60)


async def graphql(http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}})
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"HTTP {response.status_code}: {body.get('errors') or body}")
    return dict(body["data"])


def training(worker: tuple[uuid.UUID, date]) -> dict[str, Any]:
    return {"input": {"workerId": str(worker[0]), "course": COURSE, "startedOn": worker[1].isoformat()}}


async def http_mutations(
    base: str, token: str, workers: Workers, clients: int, cpu: Callable[[], float] | None = None
) -> dict[str, Any]:
    """One ``recordTraining`` per worker from ``clients`` concurrent keep-alive connections.

    The load comes from ``http_client`` (a minimal HTTP/1.1 client), so that it leaves the
    cores to the server. With ``cpu`` (the server's CPU seconds so far), also the server's CPU
    time per mutation.
    """
    times: list[float] = []
    failures: list[str] = []
    queue = iter(workers)
    host, _, port = base.removeprefix("http://").partition(":")
    async with contextlib.AsyncExitStack() as stack:
        connections = [await stack.enter_async_context(Connection(host, int(port), token)) for _ in range(clients)]

        async def one_client(connection: Connection) -> None:
            for worker in queue:
                started = time.perf_counter()
                status, body = await connection.post("/graphql", {"query": MUTATION, "variables": training(worker)})
                if status != 200 or body.get("errors"):
                    failures.append(f"HTTP {status}: {str(body.get('errors') or body)[:300]}")
                elif body["data"]["recordTraining"]["worker"]["id"] != str(worker[0]):
                    failures.append(f"another worker in the payload: {body['data']}")
                else:
                    times.append((time.perf_counter() - started) * 1000)

        cpu_before, client_before = cpu() if cpu else float("nan"), time.process_time()
        started = time.perf_counter()
        await asyncio.gather(*(one_client(connection) for connection in connections))
        seconds = time.perf_counter() - started
        cpu_after, client_after = cpu() if cpu else float("nan"), time.process_time()
    result: dict[str, Any] = {"per_s": len(times) / seconds, "failed": len(failures), "failures": failures[:3]}
    result["server_cpu_ms"] = (cpu_after - cpu_before) * 1000 / len(workers)
    result["client_cpu_ms"] = (client_after - client_before) * 1000 / len(workers)
    if times:
        result.update(percentiles(times))
    result["times"] = times
    return result


# 3. Query latency, HTTP against the raw query function.


async def query_latencies(
    url: str, base: str, token: str, runs: int, warmup: int, cpu: Callable[[], float] | None = None
) -> dict[str, Any]:
    pool = await asyncpg.create_pool(url, min_size=2, max_size=2)
    first, days = date(2012, 1, 1), (date(2024, 12, 31) - date(2012, 1, 1)).days
    out: dict[str, Any] = {}
    try:
        async with client(base, token, 1) as http:

            async def raw_staffing(day: date) -> None:
                record = await staffing(pool, SCHEMA, "ML", day)
                assert record is not None and record.children

            async def http_staffing(day: date) -> None:
                data = await graphql(http, STAFFING, {"asOf": day.isoformat()})
                assert data["staffing"]["children"]

            async def raw_density(_: date) -> None:
                points = await density_series(pool, SCHEMA, "MOP", date(2010, 1, 1), date(2019, 12, 31), "MONTH")
                assert len(points) == 120

            async def http_density(_: date) -> None:
                assert len((await graphql(http, DENSITY))["densitySeries"]) == 120

            async def http_thresholds(_: date) -> None:
                assert (await graphql(http, THRESHOLDS))["thresholds"]

            pairs: dict[str, tuple[Callable[[date], Awaitable[None]] | None, Callable[[date], Awaitable[None]]]] = {
                "staffing": (raw_staffing, http_staffing),
                "density": (raw_density, http_density),
                "thresholds": (None, http_thresholds),
            }
            for name, (raw, over_http) in pairs.items():
                rng = Random(2017)
                raw_times: list[float] = []
                http_times: list[float] = []
                cpu_used = 0.0
                for i in range(warmup + runs):
                    day = first + timedelta(days=rng.randint(0, days))
                    # Alternate which goes first, so that neither always finds the caches warm.
                    order = [(raw, raw_times), (over_http, http_times)]
                    for call, times in order if i % 2 else order[::-1]:
                        if call is None:
                            continue
                        cpu_before = cpu() if cpu and call is over_http else 0.0
                        started = time.perf_counter()
                        await call(day)
                        if i >= warmup:
                            times.append((time.perf_counter() - started) * 1000)
                            cpu_used += cpu() - cpu_before if cpu and call is over_http else 0.0
                out[name] = {"http": percentiles(http_times), "server_cpu_ms": cpu_used * 1000 / runs}
                if raw_times:
                    out[name]["raw"] = percentiles(raw_times)
                    out[name]["ratio_p50"] = out[name]["http"]["p50"] / out[name]["raw"]["p50"]
                    out[name]["ratio_p95"] = out[name]["http"]["p95"] / out[name]["raw"]["p95"]
                raw_text = f"raw p50 {out[name]['raw']['p50']:.1f} ms, " if raw_times else ""
                log(
                    f"  {name}: {raw_text}HTTP p50 {out[name]['http']['p50']:.1f} ms, "
                    f"p95 {out[name]['http']['p95']:.1f} ms"
                )
    finally:
        await pool.close()
    return out


def top(path: str, count: int, sort: str) -> str:
    text = io.StringIO()
    stats = pstats.Stats(path, stream=text)
    stats.sort_stats(sort).print_stats(count)
    lines = text.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    total = next((line.strip() for line in lines if "function calls" in line), "")
    return "\n".join([total, *lines[start:]])


def profile_run(url: str, token: str, workers: Workers, runs: int) -> dict[str, Any]:
    """Mutations from 1 then 8 clients, then the queries, against a profiled server; prints the top functions."""
    out = Path(f"/tmp/hrh-bench-api-profile-{uuid.uuid4().hex[:6]}")
    server = Server(url, token, profile=out)
    result: dict[str, Any] = {"stats": f"{out}.<phase 1, 2, 3>.<loop, threads>"}
    try:
        server.wait_ready()
        asyncio.run(http_mutations(server.base, token, workers[:50], 8))
        half = 50 + (len(workers) - 50) // 3
        cpu = server.cpu_seconds
        phases = {
            "mutations_1": lambda: asyncio.run(http_mutations(server.base, token, workers[50:half], 1, cpu)),
            "mutations_8": lambda: asyncio.run(http_mutations(server.base, token, workers[half:], 8, cpu)),
            "queries": lambda: asyncio.run(query_latencies(url, server.base, token, runs, warmup=5, cpu=cpu)),
        }
        for n, (name, phase) in enumerate(phases.items(), start=1):
            server.process.send_signal(signal.SIGUSR1)
            time.sleep(0.5)
            result[name] = phase()
            server.process.send_signal(signal.SIGUSR2)
            for _ in range(100):
                if Path(f"{out}.{n}.json").exists():
                    break
                time.sleep(0.1)
            result[f"{name}_split_ms"] = json.loads(Path(f"{out}.{n}.json").read_text())
            for part, sort in (("loop", "tottime"), ("loop", "cumulative"), ("threads", "tottime")):
                path = f"{out}.{n}.{part}"
                if Path(path).exists():
                    log(f"profile of {name}, {part} by {sort}:\n{top(path, 40, sort)}")
    finally:
        server.stop()
    return result


# One scale.


def one_scale(
    scale: float,
    mutations: int,
    runs: int,
    profile: bool,
    workers: int | None,
    template: str | None = None,
    rounds: int = 3,
) -> dict[str, Any]:
    with scratch_database(server(), f"hrh_bench_{uuid.uuid4().hex[:8]}", template) as url:
        result: dict[str, Any] = {"scale": scale}
        ledger = Ledger(env=ledger_env(url))
        if template is None:
            log(f"scale {scale:g}: loading the demo")
            started = time.perf_counter()
            summary = load_demo(ledger, scale=scale)
            result["events"] = summary.events
            result["load_seconds"] = time.perf_counter() - started
            log(f"scale {scale:g}: {summary.events:,} events in {result['load_seconds']:.0f} s; rebuilding")
            built = rebuild_in_child(url)
            if "error" in built:
                raise SystemExit(f"rebuild failed: {built['error']}")
            result["rebuild_seconds"] = built["seconds"]
            # As autovacuum soon would after a bulk load; then its work stays out of the timed runs.
            asyncio.run(vacuum(url))
        else:
            result["events"] = ledger.recorder.max_notification_id() or 0
            result["template"] = template
            log(f"scale {scale:g}: a copy of database {template} ({result['events']:,} events)")
        warm = 50
        extra = 50 + mutations // 2 if profile else 0
        per_round = 4 * mutations
        chosen = asyncio.run(posted_workers(url, rounds * per_round + 2 * warm + extra))
        warmups = chosen[rounds * per_round : rounds * per_round + 2 * warm]
        for_profile = chosen[rounds * per_round + 2 * warm :]
        in_process(ledger, warmups[:warm], 1)

        token = secrets.token_urlsafe(32)
        srv = Server(url, token, workers=workers)
        result["server_workers"] = workers or "default"
        try:
            result["server_start_seconds"] = srv.wait_ready()
            log(f"scale {scale:g}: hrh serve ready in {result['server_start_seconds']:.1f} s")
            srv.wait_settled()  # the runner's load of the functions, out of the timed runs' way
            asyncio.run(http_mutations(srv.base, token, warmups[warm:], 8))
            result["rounds"] = [
                mutation_round(srv, ledger, token, chosen[k * per_round :][:per_round], f"round {k + 1}/{rounds}")
                for k in range(rounds)
            ]
            result["in_process"], result["http"] = combine(result["rounds"])
            log(f"scale {scale:g}: query latency, HTTP against the raw functions ({runs} runs each)")
            result["queries"] = asyncio.run(
                query_latencies(url, srv.base, token, runs, warmup=max(5, runs // 10), cpu=srv.cpu_seconds)
            )
            result["server_peak_rss_mb"] = srv.peak_rss_mb()
        finally:
            srv.stop()
        if profile:
            log(f"scale {scale:g}: profiling the server")
            result["profile"] = profile_run(url, token, for_profile, max(20, runs // 4))
        ledger.close()
        return result


async def vacuum(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


def mutation_round(srv: Server, ledger: Ledger, token: str, workers: Workers, name: str) -> dict[str, Any]:
    """The four mutation runs, a quarter of ``workers`` each: in-process (server paused), then HTTP."""
    n = len(workers) // 4
    sets = [workers[i * n : (i + 1) * n] for i in range(4)]
    log(f"{name}: {n} commands each way, 1 then 8 at a time")
    with srv.paused():
        done = {"in_process": {"1": in_process(ledger, sets[0], 1), "8": in_process(ledger, sets[1], 8)}}
    srv.wait_ready()  # the runner projects what the baseline recorded
    done["http"] = {
        "1": asyncio.run(http_mutations(srv.base, token, sets[2], 1, srv.cpu_seconds)),
        "8": asyncio.run(http_mutations(srv.base, token, sets[3], 8, srv.cpu_seconds)),
    }
    for path, runs in done.items():
        for k, r in runs.items():
            cpu = f", server CPU {r['server_cpu_ms']:.1f} ms a mutation" if "server_cpu_ms" in r else ""
            failed = f", {r['failed']} failed {r['failures'][:1]}" if r.get("failed") else ""
            log(f"  {path} x{k}: {r['per_s']:.0f}/s, p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms{cpu}{failed}")
    return done


def combine(rounds: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each path's figures over the rounds: the median rate and CPU, the latencies of every
    command; and, for HTTP, the median of the rounds' HTTP / in-process ratios."""
    combined: dict[str, dict[str, Any]] = {"in_process": {}, "http": {}}
    for path, by_n in combined.items():
        for n in ("1", "8"):
            runs = [r[path][n] for r in rounds]
            times = [t for run in runs for t in run.pop("times")]
            by_n[n] = {"per_s": statistics.median(run["per_s"] for run in runs), **percentiles(times)}
            if path == "http":
                by_n[n]["server_cpu_ms"] = statistics.median(run["server_cpu_ms"] for run in runs)
                by_n[n]["failed"] = sum(run["failed"] for run in runs)
                ratios = [r["http"][n]["per_s"] / r["in_process"][n]["per_s"] for r in rounds]
                by_n[n]["ratios"] = ratios
                by_n[n]["ratio"] = statistics.median(ratios)
    return combined["in_process"], combined["http"]


# The report.


def report(results: list[dict[str, Any]]) -> None:
    print("\n### Mutations (recordTraining on distinct posted workers)\n")
    print(
        "| scale | path | concurrency | commands/s | p50 ms | p95 ms | max ms | failed | "
        "HTTP / in-process (median of the rounds' ratios) | server CPU ms a mutation |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        for n in ("1", "8"):
            p = r["in_process"][n]
            print(
                f"| {r['scale']:g} | in-process `Ledger.execute` | {n} thread{'s' if n != '1' else ''} | "
                f"{p['per_s']:,.0f} | {p['p50']:.1f} | {p['p95']:.1f} | {p['max']:.0f} | | | |"
            )
        for n in ("1", "8"):
            h = r["http"][n]
            each = ", ".join(f"{x:.0%}" for x in h["ratios"])
            print(
                f"| {r['scale']:g} | HTTP `recordTraining` | {n} client{'s' if n != '1' else ''} | "
                f"{h['per_s']:,.0f} | {h.get('p50', float('nan')):.1f} | {h.get('p95', float('nan')):.1f} | "
                f"{h.get('max', float('nan')):.0f} | {h['failed']} | {h['ratio']:.0%} ({each}) | "
                f"{h.get('server_cpu_ms', float('nan')):.1f} |"
            )
    print("\n### Queries, one at a time (ms)\n")
    print(
        "| scale | query | raw p50 | raw p95 | HTTP p50 | HTTP p95 | HTTP max | ratio p50 | ratio p95 "
        "| server CPU ms a request |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        for name, label in QUERIES.items():
            q = r["queries"][name]
            raw, h = q.get("raw"), q["http"]
            raw_cells = f"{raw['p50']:.1f} | {raw['p95']:.1f}" if raw else "– | –"
            ratios = f"{q['ratio_p50']:.1f}× | {q['ratio_p95']:.1f}×" if raw else "– | –"
            print(
                f"| {r['scale']:g} | {label} | {raw_cells} | {h['p50']:.1f} | {h['p95']:.1f} | {h['max']:.0f} | "
                f"{ratios} | {q.get('server_cpu_ms', float('nan')):.1f} |"
            )
    print("\n| scale | events | demo load s | rebuild s | server ready s | server peak RSS MB |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['scale']:g} | {r['events']:,} | {r.get('load_seconds', float('nan')):.0f} | "
            f"{r.get('rebuild_seconds', float('nan')):.0f} | "
            f"{r['server_start_seconds']:.1f} | {r['server_peak_rss_mb']:,.0f} |"
        )
    for r in results:
        if "profile" in r:
            print(f"\nProfiled server, scale {r['scale']:g}: {json.dumps(r['profile'], indent=1)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, action="append")
    parser.add_argument("--mutations", type=int, default=1000, help="commands per configuration and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the four mutation configurations")
    parser.add_argument("--runs", type=int, default=200, help="timed runs of each query (after runs/10 warm-up)")
    parser.add_argument("--profile", action="store_true", help="also profile the server (printed to stderr)")
    parser.add_argument("--workers", type=int, help="hrh serve --workers (default: what hrh serve ships)")
    parser.add_argument(
        "--template",
        metavar="DATABASE",
        help="copy this database of DATABASE_URL's server (the demo loaded and projected, e.g. by "
        "hrh demo --no-serve) instead of loading the demo; one --scale, which only labels the figures",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    scales = args.scale or [1.0, 10.0]
    if args.child:
        arguments = (args.mutations, args.runs, args.profile, args.workers, args.template, args.rounds)
        print(json.dumps(one_scale(scales[0], *arguments)))
        return
    results = []
    for scale in scales:
        child = [sys.executable, "-m", "tests.benchmarks.bench_api", "--child", "--scale", str(scale)]
        child += ["--mutations", str(args.mutations), "--runs", str(args.runs), "--rounds", str(args.rounds)]
        child += ["--profile"] if args.profile else []
        child += ["--workers", str(args.workers)] if args.workers else []
        child += ["--template", args.template] if args.template else []
        done = subprocess.run(child, stdout=subprocess.PIPE, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"scale {scale:g} failed (exit {done.returncode})")
        line = done.stdout.strip().splitlines()[-1]
        print(line, file=sys.stderr, flush=True)
        results.append(json.loads(line))
    report(results)


if __name__ == "__main__":
    main()
