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
    services = info.context.services
    return await services.projected.wait_for(services.pool, outcome.position, READ_YOUR_WRITES_SECONDS)


async def read_back(
    info: Info, outcome: Outcome, from_tables: Callable[[], Awaitable[T | None]], from_ledger: Callable[[], T]
) -> tuple[T, bool]:
    """What the command recorded, and whether the read tables include it: read from them once they have caught
    up (waiting briefly: read-your-writes), or else from the ledger itself."""
    if await included(info, outcome):
        found = await from_tables()
        if found is not None:
            return found, True
    return await asyncio.to_thread(from_ledger), False
