"""The ``chainHead`` query (DESIGN, "Tamper evidence"): the ledger's last chain hash, to publish.

Any signed-in role may read it: the head says nothing about the events, and the more people hold
a published head, the harder the ledger is to rewrite unnoticed.
"""

import asyncio

import strawberry
from strawberry.types import Info

from api.access import Role, require
from api.graphql.types import ctx

ANYONE = (Role.ADMIN, Role.HR_MANAGER, Role.AUDITOR, Role.PLANNER)


@strawberry.type(description="The chain hash of the ledger's last event, and its position.")
class ChainHead:
    position: int = strawberry.field(description="The ledger position of the last event; 0 for an empty ledger.")
    hash: str = strawberry.field(
        description="The chain hash at that position (64 hex digits; 64 zeros for an empty ledger)."
    )


@strawberry.type
class ChainQuery:
    @strawberry.field(
        description="The chain head, as `hrh chain-head` prints it: publishing it makes the ledger so far "
        "tamper-evident."
    )
    async def chain_head(self, info: Info) -> ChainHead:
        require(ctx(info).user, *ANYONE)
        recorder = ctx(info).services.ledger.recorder
        position, chain = await asyncio.to_thread(recorder.chain_head)  # type: ignore[attr-defined]
        return ChainHead(position=position, hash=chain)
