"""Search benchmark: ``projections.search.search_workers`` over synthetic workers with the demo's names.

    .venv/bin/python -m tests.benchmarks.bench_search [--workers 25000 --workers 250000] [--runs 20]

For each size, a scratch database (on DATABASE_URL's server, or an embedded one) gets the
``workers`` and ``worker_periods`` tables as the store declares them, filled with workers named
as the demo names them (accents included), each with a civil-service number and posted at one of
2,000 facilities, their search keys written by ``search_keys`` as the projection writes them; then
the declared indexes and ANALYZE. Each search is timed ``--runs`` times and the median printed,
with the number of workers it finds in all. An HR manager's search also asks, round by round,
which of the workers found are in scope (``mobility.homes``, under ``access.readable_workers``):
the time ``homes`` takes for 1,000 and 10,000 workers is printed too.
"""

import argparse
import asyncio
import os
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg

from api.database import scratch_database, start_embedded
from projections.mobility import homes
from projections.naming import quoted
from projections.search import Search, search_keys, search_workers
from projections.store import DECLARED
from replay.demo_data import FAMILY_NAMES_CENTRE, FAMILY_NAMES_NORTH, FAMILY_NAMES_SOUTH, FEMALE_NAMES, MALE_NAMES

FAMILIES = sorted(set(FAMILY_NAMES_SOUTH + FAMILY_NAMES_CENTRE + FAMILY_NAMES_NORTH))
GIVEN = sorted(set(FEMALE_NAMES + MALE_NAMES))
TEXTS = ("traore", "Traoré Fatoumata", "kei ami", "MLI-1000123", "MLI-10001", "FAC-0042", "a", "zzz")
TODAY = date(2026, 1, 1)
RECORDED = datetime(2020, 1, 1, tzinfo=UTC)
TABLES = ("workers", "worker_periods", "events")


async def fill(conn: asyncpg.Connection, schema: str, count: int) -> None:
    rng = random.Random(7)
    s = quoted(schema)
    await conn.execute(f"CREATE SCHEMA {s}")
    for name in TABLES:
        await conn.execute(f"CREATE TABLE {s}.{name} ({DECLARED[name].columns})")
    workers, periods, events = [], [], []
    for n in range(count):
        worker_id = uuid.UUID(int=rng.getrandbits(128))
        identity = {
            "civil_service_number": f"MLI-{1_000_000 + n:07d}",
            "family_name": rng.choice(FAMILIES),
            "given_names": " ".join(rng.sample(GIVEN, rng.choice((1, 1, 2)))),
        }
        number, family, given = identity["civil_service_number"], identity["family_name"], identity["given_names"]
        row = (worker_id, number, family, given, "FEMALE", None, "PUBLIC", "STATE", None, None)
        workers.append((*row, *search_keys(identity)))
        facility = f"FAC-{rng.randrange(2000):04d}"
        periods.append(
            (n + 1, worker_id, date(2020, 1, 1), None, 1, None, "POSTED", facility, "SF", None, None, None, 1)
        )
        for version, (kind, to_code) in enumerate((("HIRED", None), ("POSTED", facility)), start=1):
            event = (2 * n + version, "Worker", worker_id, version, kind, date(2020, 1, 1), RECORDED, "clerk")
            events.append((*event, None, None, None, None, None, to_code, False, False, None, "{}", kind.title()))
    await conn.copy_records_to_table("workers", schema_name=schema, records=workers)
    await conn.copy_records_to_table("worker_periods", schema_name=schema, records=periods)
    await conn.copy_records_to_table("events", schema_name=schema, records=events)
    for name in TABLES:
        for index, definition in DECLARED[name].indexes.items():
            await conn.execute(f"CREATE INDEX {index} ON {s}.{definition}")
        await conn.execute(f"ANALYZE {s}.{name}")


async def bench(url: str, count: int, runs: int) -> None:
    conn = await asyncpg.connect(url)
    schema = f"bench_{count}"
    try:
        started = time.perf_counter()
        await fill(conn, schema, count)
        print(f"{count:,} workers: filled and indexed in {time.perf_counter() - started:.1f} s")
        for text in TEXTS:
            search = Search.of(text)
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                await search_workers(conn, schema, search, day=TODAY, first=20)
                times.append(time.perf_counter() - started)
            total = len(await search_workers(conn, schema, search, day=TODAY, first=10_000_000))
            print(f"  {text!r:22} {statistics.median(times) * 1000:7.2f} ms  ({total:,} found)")
        ids = [r["id"] for r in await conn.fetch(f"SELECT id FROM {quoted(schema)}.workers LIMIT 10000")]
        for size in (1_000, 10_000):
            started = time.perf_counter()
            placed = sum(home.facility is not None for home in (await homes(conn, schema, ids[:size], TODAY)).values())
            print(f"  homes of {size:,} workers {(time.perf_counter() - started) * 1000:7.2f} ms ({placed:,} placed)")
    finally:
        await conn.execute(f"DROP SCHEMA IF EXISTS {quoted(schema)} CASCADE")
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, action="append")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL") or start_embedded(
        Path(f"/tmp/hrh-bench-{uuid.uuid4().hex[:8]}"), delete_on_exit=True
    )
    with scratch_database(server, f"hrh_bench_{uuid.uuid4().hex[:8]}") as url:
        for count in args.workers or [25_000]:
            asyncio.run(bench(url, count, args.runs))


if __name__ == "__main__":
    main()
