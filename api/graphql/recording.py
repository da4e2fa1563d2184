"""How a mutation records its command: as the caller, through the access guard, in a thread.

The ledger's ``execute`` blocks, so it never runs on the event loop. The guard
(``api.access.command_guard``: who may do what) is checked inside the attempt that records, so the
state a rule was checked against is the state that is saved. The same ``commandId`` sent again by
the same user returns the first outcome and records nothing.
"""

import asyncio
from contextvars import ContextVar
from typing import Any

from api.access import command_guard
from api.graphql.context import Info
from domain import commands as c
from domain.ledger import Outcome

# Set by a batch (``api.graphql.batch``) around each command: the outcomes ``record`` returned, so that a
# replayed commandId can be told from a new one.
outcomes_seen: ContextVar[list[Outcome] | None] = ContextVar("outcomes_seen", default=None)


async def record(info: Info, command: c.Command) -> Outcome:
    """Records ``command`` as the user who sent the request."""
    user = info.context.signed_in
    ledger = info.context.services.ledger
    outcome = await asyncio.to_thread(ledger.execute, command, user.name, guard=command_guard(user))
    seen = outcomes_seen.get()
    if seen is not None:
        seen.append(outcome)
    return outcome


def fields(input_: object, *skip: str) -> dict[str, Any]:
    """A mutation input's fields, by name, but those in ``skip``: a command's arguments."""
    return {k: v for k, v in vars(input_).items() if k not in skip}
