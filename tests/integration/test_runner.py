"""The live runner: wakes on the ledger's NOTIFY, gives read-your-writes, and runs alone."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from uuid import UUID

import asyncpg
import pytest

from domain import commands as c
from domain.ledger import Ledger
from domain.values import Sex
from projections import runner, staffing, store
from projections.naming import NAME
from projections.store import Target
from replay import rebuild
from tests.integration.projection_support import catch_up, live_runner, target_of
from tests.integration.test_projections import Recorder, hire_command

pytestmark = pytest.mark.integration


def hire_and_post(ledger: Ledger, facility: str) -> int:
    record = Recorder(ledger)
    assert record(hire_command(date(2021, 2, 1), "NURSE", Sex.MALE))
    assert record(c.PostWorker(worker_id=record.workers[-1], facility_code=facility, effective_on=date(2021, 2, 1)))
    return record.positions[record.workers[-1]][-1]


def test_a_write_is_readable_once_caught_up(database_url: str, ledger: Ledger) -> None:
    target = target_of(ledger)

    async def story() -> None:
        async with live_runner(database_url, target) as pool:  # NOTIFY must wake it
            position = await asyncio.to_thread(hire_and_post, ledger, "F1")
            assert await runner.wait_for(pool, target.schema, position, timeout=10)
            figures = await staffing.staffing(pool, target.schema, "D1", date(2021, 3, 1))
            assert figures is not None and figures.headcount == 1
            # A position nobody has recorded yet is not reached: caughtUp times out with False.
            assert not await runner.wait_for(pool, target.schema, position + 1000, timeout=0.2)

    asyncio.run(story())


def test_a_second_runner_waits_for_the_first_then_takes_over(database_url: str, ledger: Ledger) -> None:
    target = target_of(ledger)

    async def story() -> None:
        first_stop, second_stop = asyncio.Event(), asyncio.Event()
        first = asyncio.create_task(runner.run(database_url, target, first_stop, poll=0.1))
        pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
        try:
            position = await asyncio.to_thread(hire_and_post, ledger, "F2")
            assert await runner.wait_for(pool, target.schema, position, timeout=10)
            second = asyncio.create_task(runner.run(database_url, target, second_stop, poll=0.1))
            await asyncio.sleep(0.5)
            assert not second.done()  # waiting on the advisory lock, not crashed
            first_stop.set()
            await first
            position = await asyncio.to_thread(hire_and_post, ledger, "F3")
            assert await runner.wait_for(pool, target.schema, position, timeout=10)
            figures = await staffing.staffing(pool, target.schema, "R1", date(2021, 3, 1))
            assert figures is not None and figures.headcount == 2
            second_stop.set()
            await second
        finally:
            first_stop.set()
            second_stop.set()
            await pool.close()

    asyncio.run(story())


def test_read_tables_of_another_version_are_refused_until_rebuilt(database_url: str, ledger: Ledger) -> None:
    target = target_of(ledger)
    hire_and_post(ledger, "F1")
    catch_up(database_url, ledger)

    async def story() -> None:
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute(f"UPDATE {store.quoted(target.schema)}.tracking SET version = version - 1")
            with pytest.raises(store.OutdatedReadTables, match="hrh rebuild"):
                await runner.open_projector(conn, target)
        finally:
            await conn.close()
        await rebuild.rebuild(database_url, target)
        pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
        try:
            figures = await staffing.staffing(pool, target.schema, "F1", date(2021, 3, 1))
            assert figures is not None and figures.headcount == 1
        finally:
            await pool.close()

    asyncio.run(story())


def test_a_runner_behind_a_rebuilds_swap_writes_nothing_and_reloads(database_url: str, ledger: Ledger) -> None:
    target = target_of(ledger)
    hire_and_post(ledger, "F1")
    s = store.quoted(target.schema)

    async def story() -> None:
        conn = await asyncpg.connect(database_url)
        try:
            old = await runner.open_projector(conn, target)
            await runner.catch_up(conn, target, old)
            await rebuild.rebuild(database_url, target)  # new tables, another generation
            swapped = await store.tracking(conn, target.schema)
            position = await asyncio.to_thread(hire_and_post, ledger, "F2")
            with pytest.raises(runner.StaleState):
                await runner.catch_up(conn, target, old)
            assert await store.tracking(conn, target.schema) == swapped
            assert await conn.fetchval(f"SELECT count(*) FROM {s}.events WHERE position > $1", swapped["position"]) == 0
            fresh = await runner.open_projector(conn, target)
            assert await runner.catch_up(conn, target, fresh) == position
            assert await conn.fetchval(f"SELECT count(*) FROM {s}.events WHERE position > $1", swapped["position"]) > 0
        finally:
            await conn.close()

    asyncio.run(story())


async def _shadow_beside_live(database_url: str, ledger: Ledger, conn: asyncpg.Connection) -> tuple[Target, UUID]:
    """Live tables of the ledger (a hire and a posting), and a rebuild of them in the shadow
    schema, not swapped in yet; returns the target and the shadow's generation."""
    target = target_of(ledger)
    await asyncio.to_thread(hire_and_post, ledger, "F1")
    await runner.catch_up(conn, target, await runner.open_projector(conn, target))
    await rebuild.build(database_url, conn, target.shadow)
    return target, (await store.tracking(conn, target.shadow.schema))["generation"]


@asynccontextmanager
async def _connections(url: str, count: int) -> AsyncIterator[list[asyncpg.Connection]]:
    made = [await asyncpg.connect(url) for _ in range(count)]
    try:
        yield made
    finally:
        for conn in made:
            await conn.close()


async def _waiting_for_a_lock(conn: asyncpg.Connection, pid: int) -> None:
    """Returns once the backend ``pid`` waits for a lock (fails after 10 s)."""
    for _ in range(1000):
        if await conn.fetchval("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1", pid):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"backend {pid} never waited for a lock")


def test_the_swap_waits_for_no_reader(database_url: str, ledger: Ledger) -> None:
    async def story() -> None:
        async with _connections(database_url, 3) as (conn, reader, other):
            target, generation = await _shadow_beside_live(database_url, ledger, conn)
            s = store.quoted(target.schema)
            async with reader.transaction():  # a long read: it holds the live tables until it ends
                assert await reader.fetchval(f"SELECT count(*) FROM {s}.staffing") > 0
                swapping = asyncio.ensure_future(rebuild.swap(conn, target.shadow.schema, target.schema))
                # Only dropping the old tables waits for the reader: new statements read the new ones.
                await _waiting_for_a_lock(other, conn.get_server_pid())
                await other.execute("SET statement_timeout = '10s'")
                assert await other.fetchval(f"SELECT generation FROM {s}.tracking") == generation
                assert await other.fetchval("SELECT to_regnamespace($1) IS NOT NULL", f"{target.schema}_old")
                assert not swapping.done()
            await asyncio.wait_for(swapping, timeout=10)
            assert await other.fetchval("SELECT to_regnamespace($1) IS NULL", f"{target.schema}_old")
            assert await other.fetchval("SELECT to_regnamespace($1) IS NULL", target.shadow.schema)

    asyncio.run(story())


def test_the_swap_waits_for_a_batch_under_way_which_writes_to_the_old_tables(database_url: str, ledger: Ledger) -> None:
    async def story() -> None:
        async with _connections(database_url, 3) as (conn, writer, other):
            target, generation = await _shadow_beside_live(database_url, ledger, conn)
            s = store.quoted(target.schema)
            async with writer.transaction():  # a runner's batch: its tracking row first, then its rows
                await writer.execute(f"UPDATE {s}.tracking SET updated_at = now() WHERE name = $1", NAME)
                swapping = asyncio.ensure_future(rebuild.swap(conn, target.shadow.schema, target.schema))
                await _waiting_for_a_lock(other, conn.get_server_pid())
                await writer.execute(f"INSERT INTO {s}.cadres VALUES ('LATE', 'Late', NULL, 'OTHER', false)")
                assert await other.fetchval(f"SELECT generation FROM {s}.tracking") != generation
            await asyncio.wait_for(swapping, timeout=10)
            assert await other.fetchval(f"SELECT generation FROM {s}.tracking") == generation
            assert await other.fetchval(f"SELECT count(*) FROM {s}.cadres WHERE code = 'LATE'") == 0

    asyncio.run(story())
