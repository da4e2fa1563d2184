"""The runner beside the API announces what it committed; read-your-writes waits wake on that."""

import asyncio
from collections.abc import Iterator
from datetime import date

import asyncpg
import pytest

from api import projecting
from api.projecting import Projected
from domain.ledger import Ledger
from projections import runner, staffing
from tests.integration.projection_support import fresh_ledger, target_of
from tests.integration.test_projections import Recorder, org_tree
from tests.integration.test_runner import hire_and_post

pytestmark = pytest.mark.integration


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    with fresh_ledger(database_url) as made:
        org_tree(Recorder(made))
        yield made


class NoPool:
    """Stands for a pool that must not be used: the wait has to be woken by the announcement."""

    def __getattr__(self, name: str) -> None:
        raise AssertionError(f"the waiter read the tracking row itself ({name})")


def test_a_waiter_wakes_on_the_runners_announcement(
    database_url: str, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(projecting, "FALLBACK_SECONDS", 600.0)
    target = target_of(ledger)

    async def story() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(
            runner.run(database_url, target, stop, poll=30, announce=True)
        )  # NOTIFY must wake it
        projected = Projected(database_url, target.schema)
        pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
        try:
            await projected.start()
            position = await asyncio.to_thread(hire_and_post, ledger, "F1")
            assert await projected.wait_for(NoPool(), position, timeout=60)  # type: ignore[arg-type]
            assert projected.reached >= position
            figures = await staffing.staffing(pool, target.schema, "D1", date(2021, 3, 1))
            assert figures is not None and figures.headcount == 1
        finally:
            stop.set()
            await task
            await projected.close()
            await pool.close()

    asyncio.run(story())


def test_without_a_word_from_the_runner_a_waiter_reads_the_tracking_row(database_url: str, ledger: Ledger) -> None:
    target = target_of(ledger)

    async def story() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(runner.run(database_url, target, stop, poll=30, announce=True))
        unheard = Projected(database_url, target.schema)  # not started: it hears nothing until it reads
        pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
        try:
            position = await asyncio.to_thread(hire_and_post, ledger, "F2")
            assert await unheard.wait_for(pool, position, timeout=60)
            # A position nobody has recorded yet is not reached: the wait ends with False.
            assert not await unheard.wait_for(pool, position + 1000, timeout=0.3)
            assert not await unheard.wait_for(pool, position + 1000, timeout=0)
            assert await unheard.wait_for(pool, position, timeout=0)
        finally:
            stop.set()
            await task
            await unheard.close()
            await pool.close()

    asyncio.run(story())
