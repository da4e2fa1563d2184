"""The growth benchmark's planner queries over HTTP, against ``hrh serve`` as shipped.

A planner made with ``hrh users add`` signs in to the pages (for the dashboard) and uses their
token (for GraphQL). The queries are sent one at a time, in turn (a round of the four, ``runs``
times, after a tenth as many warm-up rounds), so that a busy moment of the machine falls on all alike:

- ``staffing``: ML with its regions, every count (``bench_api.STAFFING``), on a random day of 2012–2024;
- ``density``: Mopti's ``densitySeries``, quarterly over ten years (2010–2019, 40 points);
- ``establishment``: ML's posts, filled and vacant, by cadre group, with its regions, on a random day;
- ``dashboard``: ``GET /dashboard/ML``, the signed-in planner's page (HTML).

Then ``bench_api.query_latencies`` gives the tracked ratios: HTTP against the raw query functions
on an asyncpg pool, interleaved (``staffing`` and the monthly ``densitySeries``).
"""

import asyncio
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from random import Random
from typing import Any

import httpx

from tests.benchmarks.api_server import Server, percentiles
from tests.benchmarks.bench_api import STAFFING, graphql, query_latencies
from tests.benchmarks.growth_memory import watched
from tests.benchmarks.growth_steps import hrh, log

PLANNER = "growth.planner"
DENSITY_QUARTERLY = """
query Density {
  densitySeries(orgUnitCode: "MOP", from: "2010-01-01", to: "2019-12-31", interval: QUARTER) {
    period endOn active qualifiedActive population density qualifiedDensity entries exits
  }
}"""
ESTABLISHMENT = """
query Establishment($asOf: Date!) {
  establishment(orgUnitCode: "ML", asOf: $asOf) {
    asOf posts filled vacant surplus vacancyRate byCadreGroup { key posts filled vacant surplus }
    children { asOf posts filled vacant surplus vacancyRate byCadreGroup { key posts filled vacant surplus } }
  }
}"""
QUERIES = {
    "staffing": "staffing ML + children",
    "density": "densitySeries MOP, quarterly, 10 years",
    "establishment": "establishment ML + children",
    "dashboard": "GET /dashboard/ML",
}


def signed_in(base: str, password: str) -> httpx.AsyncClient:
    """A client whose cookie is the planner's web session."""
    with httpx.Client(base_url=base, timeout=60) as client:
        form = client.get("/sign-in")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None, form.text[:500]
        form_data = {"name": PLANNER, "password": password, "csrf": csrf.group(1), "next": "/"}
        answer = client.post("/sign-in", data=form_data)
        assert answer.status_code == 303, answer.text[:500]
        return httpx.AsyncClient(base_url=base, cookies=client.cookies, timeout=60)


async def timed(base: str, token: str, password: str, runs: int) -> dict[str, Any]:
    first, days = date(2012, 1, 1), (date(2024, 12, 31) - date(2012, 1, 1)).days
    rng = Random(2017)
    api = httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    pages = signed_in(base, password)

    async def staffing() -> None:
        day = first + timedelta(days=rng.randint(0, days))
        assert (await graphql(api, STAFFING, {"asOf": day.isoformat()}))["staffing"]["children"]

    async def density() -> None:
        assert len((await graphql(api, DENSITY_QUARTERLY))["densitySeries"]) == 40

    async def establishment() -> None:
        day = first + timedelta(days=rng.randint(0, days))
        assert (await graphql(api, ESTABLISHMENT, {"asOf": day.isoformat()}))["establishment"]["children"]

    async def dashboard() -> None:
        page = await pages.get("/dashboard/ML")
        assert page.status_code == 200 and "<html" in page.text[:500].lower(), page.status_code

    calls: dict[str, Callable[[], Awaitable[None]]] = {
        "staffing": staffing,
        "density": density,
        "establishment": establishment,
        "dashboard": dashboard,
    }
    out: dict[str, Any] = {}
    times: dict[str, list[float]] = {name: [] for name in calls}
    warmup = max(5, runs // 10)
    try:
        # Round robin: a busy minute of the machine falls on every query alike, not on one.
        for i in range(warmup + runs):
            for name, call in calls.items():
                started = time.perf_counter()
                await call()
                if i >= warmup:
                    times[name].append((time.perf_counter() - started) * 1000)
        for name in calls:
            out[name] = {k: round(v, 2) for k, v in percentiles(times[name]).items()}
            log(f"  {name}: p50 {out[name]['p50']:.1f} ms, p95 {out[name]['p95']:.1f} ms")
    finally:
        await api.aclose()
        await pages.aclose()
    return out


def queries(url: str, pg_pid: int, runs: int) -> dict[str, Any]:
    """Starts ``hrh serve``, times the queries (and the ratios to raw asyncpg), and its memory meanwhile."""
    password = secrets.token_urlsafe(18)
    added = hrh(url, pg_pid, "users", "add", PLANNER, "--role", "PLANNER", "--password-stdin", stdin=password + "\n")
    token = added["output"].strip().splitlines()[-1].strip()
    server = Server(url, secrets.token_urlsafe(32))
    out: dict[str, Any] = {}
    try:
        # PSS every 5 s only: reading it walks every page of the 1-2 GB processes, in the queries' way.
        with watched(server.process.pid, pg_pid, pss_every=25) as peaks:
            out["server_ready_seconds"] = round(server.wait_ready(), 2)
            out["server_settled_seconds"] = round(out["server_ready_seconds"] + server.wait_settled(), 2)
            log(
                f"  hrh serve ready in {out['server_ready_seconds']:.1f} s, its runner loaded in "
                f"{out['server_settled_seconds']:.1f} s; {runs} runs of each query"
            )
            out["http"] = asyncio.run(timed(server.base, token, password, runs))
            compared = asyncio.run(query_latencies(url, server.base, token, runs, warmup=max(5, runs // 10)))
        out["memory"] = peaks.figures()
    finally:
        server.stop()
    out["against_raw"] = {
        name: {"raw_p95": q["raw"]["p95"], "http_p95": q["http"]["p95"], "ratio_p95": round(q["ratio_p95"], 2)}
        for name, q in compared.items()
        if "raw" in q
    }
    return out
