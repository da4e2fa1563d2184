"""The runner beside the API announces what it committed; read-your-writes waits wake on that."""

import asyncio
from datetime import date

import pytest

from api import projecting
from api.projecting import Projected
from domain.ledger import Ledger
from projections import staffing
from tests.integration.projection_support import live_runner, target_of
from tests.integration.test_runner import hire_and_post

pytestmark = pytest.mark.integration


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
        projected = Projected(database_url, target.schema)
        async with live_runner(database_url, target, announce=True) as pool:  # NOTIFY must wake it
            try:
                await projected.start()
                position = await asyncio.to_thread(hire_and_post, ledger, "F1")
                assert await projected.wait_for(NoPool(), position, timeout=60)  # type: ignore[arg-type]
                assert projected.reached >= position
                figures = await staffing.staffing(pool, target.schema, "D1", date(2021, 3, 1))
                assert figures is not None and figures.headcount == 1
            finally:
                await projected.close()

    asyncio.run(story())


def test_without_a_word_from_the_runner_a_waiter_reads_the_tracking_row(database_url: str, ledger: Ledger) -> None:
    target = target_of(ledger)

    async def story() -> None:
        unheard = Projected(database_url, target.schema)  # not started: it hears nothing until it reads
        async with live_runner(database_url, target, announce=True) as pool:
            try:
                position = await asyncio.to_thread(hire_and_post, ledger, "F2")
                assert await unheard.wait_for(pool, position, timeout=60)
                # A position nobody has recorded yet is not reached: the wait ends with False.
                assert not await unheard.wait_for(pool, position + 1000, timeout=0.3)
                assert not await unheard.wait_for(pool, position + 1000, timeout=0)
                assert await unheard.wait_for(pool, position, timeout=0)
            finally:
                await unheard.close()

    asyncio.run(story())
