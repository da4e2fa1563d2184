"""What every mutation answers: what it recorded, at which ledger position, and whether the read tables
include it yet.

A recorded command is never reported as a failure. When the read tables have not caught up within
``READ_YOUR_WRITES_SECONDS``, the answer is read from the ledger itself, says ``caughtUp: false``
and warns that figures read now may not show the change yet. Each feature's payloads build on
``Recorded``.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry

from api.graphql.context import Info
from domain.ledger import Outcome

T = TypeVar("T")
READ_YOUR_WRITES_SECONDS = 5.0  # how long a mutation waits for the read tables to include it
CAUGHT_UP = "Whether the read tables included this command when the answer was made."
WARNING = "Set when they did not: the command is recorded, but figures read now may not show it yet."


def lag_warning(position: int) -> str:
    return (
        f"Recorded at ledger position {position}. The read tables have not caught up with it yet: figures "
        f"read now may not include it; query caughtUp(position: {position}) before reading them."
    )


@strawberry.type
class Recorded:
    """What every mutation's payload says of the command it recorded."""

    position: int
    caught_up: bool = strawberry.field(description=CAUGHT_UP)
    warning: str | None = strawberry.field(description=WARNING)


def recorded(outcome: Outcome, included: bool) -> dict[str, Any]:
    """The fields of ``Recorded`` for ``outcome``, which the read tables ``included`` or not."""
    warning = None if included else lag_warning(outcome.position)
    return {"position": outcome.position, "caught_up": included, "warning": warning}


async def included(info: Info, outcome: Outcome) -> bool:
    """Whether the read tables include ``outcome``, waiting briefly for them (read-your-writes)."""
    return (await waited(info, outcome))[0]


async def waited(info: Info, outcome: Outcome) -> tuple[bool, bool]:
    """Waits briefly for the read tables to include ``outcome``: whether those queries read include it (with a
    replica, once it has replayed the command), and whether the tables the rest of this request reads do.

    When the replica has not replayed it in time, the rest of the request reads the primary's tables, which
    include it; queries that follow may still read the replica, so the command is not said caught up.
    """
    context, services = info.context, info.context.services
    pool = await services.including(outcome.position, READ_YOUR_WRITES_SECONDS)
    caught_up = pool is not None
    if pool is None and services.projected.reached >= outcome.position:
        pool = services.pool
    if pool is not None and pool is not context.pool:
        context.read_from(pool)
    return caught_up, pool is not None


async def read_back(
    info: Info, outcome: Outcome, from_tables: Callable[[], Awaitable[T | None]], from_ledger: Callable[[], T]
) -> tuple[T, bool]:
    """What the command recorded, and whether the read tables include it: read from them once they have caught
    up (waiting briefly: read-your-writes), or else from the ledger itself."""
    caught_up, held = await waited(info, outcome)
    if held:
        found = await from_tables()
        if found is not None:
            return found, caught_up
    return await asyncio.to_thread(from_ledger), False
