"""On PostgreSQL, a rebuild split between child processes builds the tables one process builds,
resumes where its children stopped, and leaves tables the live runner goes on from."""

import asyncio
from collections import Counter
from datetime import date

import asyncpg
import pytest

from domain import commands as c
from domain.ledger import Ledger
from domain.values import Sex
from projections import shards, store
from projections.store import Target, quoted
from replay import rebuild, split
from replay.loading import load_demo
from replay.verify import columns
from tests.integration.projection_support import (
    catch_up,
    differences,
    fresh_ledger,
    in_post_against_periods,
    run,
    sums_against_pairs,
    target_of,
)
from tests.integration.test_projections import hire_command

pytestmark = pytest.mark.integration


async def _tables(url: str, schema: str) -> dict[str, Counter[tuple[object, ...]]]:
    conn = await asyncpg.connect(url)
    try:
        out = {}
        for table in store.TABLES:
            names = ", ".join(await columns(conn, schema, table))
            rows = await conn.fetch(f"SELECT {names} FROM {quoted(schema)}.{table}")
            out[table] = Counter(tuple(tuple(v) if isinstance(v, list) else v for v in r) for r in rows)
        return out
    finally:
        await conn.close()


def tables(url: str, schema: str) -> dict[str, Counter[tuple[object, ...]]]:
    """Every read table's rows, without their ids (which only number the rectangles)."""
    return run(_tables(url, schema))  # type: ignore[no-any-return]


def value(url: str, query: str) -> object:
    async def fetch() -> object:
        conn = await asyncpg.connect(url)
        try:
            return await conn.fetchval(query)
        finally:
            await conn.close()

    return run(fetch())


DAYS = [date(year, month, day) for year in range(2014, 2027) for month in (1, 4, 7, 10) for day in (1, 15)]


@pytest.fixture
def demo(database_url: str) -> Ledger:
    with fresh_ledger(database_url) as ledger:
        load_demo(ledger, seed=5, scale=0.1)
        yield ledger


def test_a_split_rebuild_builds_the_tables_one_process_builds(database_url: str, demo: Ledger) -> None:
    target = target_of(demo)
    run(rebuild.rebuild(database_url, target, processes=1))
    alone = tables(database_url, target.schema)
    kinds = {row[4] for row in alone["events"]}
    assert {"MOVED", "RETRACTED", "TRANSFERRED", "DETAILS_CORRECTED", "POPULATION_ESTIMATED"} <= kinds
    assert any(row[15] for row in alone["events"])  # back-dated events
    assert alone["staffing"] and alone["flows"] and alone["in_post"] and alone["establishment_sums"]
    assert in_post_against_periods(database_url, demo, DAYS) == []
    assert sums_against_pairs(database_url, demo, DAYS[::4]) == []

    run(rebuild.rebuild(database_url, target, processes=2))
    assert tables(database_url, target.schema) == alone
    s = quoted(target.schema)
    assert value(database_url, f"SELECT count(*) FROM {s}.tracking") == 1  # the shards' rows are gone
    for table in ("worker_periods", "worker_changes", "worker_flows", "org_tree"):  # ids unique, below the next
        assert value(database_url, f"SELECT count(*) = count(DISTINCT id) FROM {s}.{table}") is True
        assert value(database_url, f"SELECT max(id) < (SELECT next_row_id FROM {s}.tracking) FROM {s}.{table}") is True


def test_the_live_runner_goes_on_from_a_split_rebuild(database_url: str, demo: Ledger) -> None:
    target = target_of(demo)
    run(rebuild.rebuild(database_url, target, processes=2))
    facility = value(
        database_url,
        f"SELECT code FROM {quoted(target.schema)}.org_units WHERE level = 'FACILITY' AND closed_on IS NULL "
        "ORDER BY code LIMIT 1",
    )
    cadre = value(database_url, f"SELECT code FROM {quoted(target.schema)}.cadres ORDER BY code LIMIT 1")
    hired = demo.execute(hire_command(date(2021, 2, 1), str(cadre), Sex.FEMALE), "clerk")
    demo.execute(
        c.PostWorker(worker_id=hired.aggregate_id, facility_code=str(facility), effective_on=date(2021, 2, 1)), "clerk"
    )
    # A decree for the pair, back-dated: the sums reloaded from the tables take it and the posting.
    demo.execute(
        c.SetEstablishment(facility_code=str(facility), cadre_code=str(cadre), posts=3, effective_on=date(2020, 1, 1)),
        "admin",
    )
    before = value(database_url, f"SELECT next_row_id FROM {quoted(target.schema)}.tracking")
    catch_up(database_url, demo)
    assert value(database_url, f"SELECT count(*) FROM {quoted(target.schema)}.worker_periods WHERE id >= {before}")
    assert in_post_against_periods(database_url, demo, DAYS) == []
    assert sums_against_pairs(database_url, demo, DAYS[::4]) == []
    assert differences(database_url, demo) == []


def left_alone(schema: str) -> str:
    """A query: how many of ``schema``'s read tables autovacuum is told to leave alone."""
    return (
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE n.nspname = '{schema}' AND c.relname IN ({', '.join(repr(t) for t in store.TABLES)}) "
        "AND 'autovacuum_enabled=false' = ANY(c.reloptions)"
    )


async def _stop_midway(url: str, target: Target, until: int, child_url: str | None = None) -> None:
    """What a killed split build leaves: the shards' batches up to ``until``, committed, and no end."""
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await store.create(conn, target.schema, with_indexes=False)
            await shards.create_rows(conn, target.schema, 2)
        await split.project(conn, child_url or url, target, until, 2_000, None)
    finally:
        await conn.close()


def test_a_split_build_stopped_midway_resumes_to_the_same_tables(database_url: str, demo: Ledger) -> None:
    target = target_of(demo)
    run(rebuild.rebuild(database_url, target, processes=1))
    alone = tables(database_url, target.schema)
    end = int(value(database_url, f"SELECT max(notification_id) FROM {target.events_table}"))  # type: ignore[arg-type]
    run(_stop_midway(database_url, target.shadow, end // 2))
    shadow = quoted(target.shadow.schema)
    stopped = value(database_url, f"SELECT array_agg(position ORDER BY name) FROM {shadow}.tracking")
    assert stopped[0] == 0 and all(0 < p <= end // 2 for p in stopped[1:])  # type: ignore[index]
    assert value(database_url, left_alone(target.shadow.schema)) == len(store.TABLES)  # autovacuum waits for the end

    assert run(rebuild.rebuild(database_url, target, processes=1)) == end  # resumes split, whatever it is asked
    assert tables(database_url, target.schema) == alone
    assert value(database_url, left_alone(target.schema)) == 0
    assert differences(database_url, demo) == []


def test_a_child_that_fails_is_reported_with_its_reason(database_url: str, demo: Ledger) -> None:
    target = target_of(demo).shadow
    with pytest.raises(split.ShardFailed, match="a child process of the rebuild failed") as failed:
        run(_stop_midway(database_url, target, 1000, child_url="postgresql://nobody@127.0.0.1:9/nowhere"))
    assert "Connect call failed" in str(failed.value) or "refused" in str(failed.value)


def test_the_children_say_their_rows_are_in_before_they_write_the_functions(database_url: str, demo: Ledger) -> None:
    """So the build indexes the tables while the children derive and write the functions (``rebuild.build``)."""
    target = target_of(demo).named("split_written")
    s = quoted(target.schema)

    async def project() -> tuple[list[list[int]], int, int]:
        conn = await asyncpg.connect(database_url)
        try:
            async with conn.transaction():
                await store.create(conn, target.schema, with_indexes=False)
                await shards.create_rows(conn, target.schema, 2)
            end = await store.head(conn, target.events_table)
            seen: list[asyncio.Future[list[int]]] = []

            def written() -> None:  # the shards' positions at that moment
                seen.append(asyncio.ensure_future(shards.positions(conn, target.schema)))

            await split.project(conn, database_url, target, end, 2_000, None, written=written)
            return [await position for position in seen], end, await conn.fetchval(f"SELECT count(*) FROM {s}.staffing")
        finally:
            await conn.execute(f"DROP SCHEMA IF EXISTS {s} CASCADE")
            await conn.close()

    positions, end, pieces = run(project())
    assert positions == [[end, end]]  # once, when every batch of both children was committed
    assert pieces > 0  # the functions came after
