"""What a batch answers: one result per command, in order, and the ledger position after the batch."""

from enum import Enum

import strawberry

from api.graphql.org_units.types import OrgUnit
from api.graphql.workforce.types import Worker


@strawberry.enum
class BatchStatus(Enum):
    ACCEPTED = "ACCEPTED"  # recorded now, at ``position``
    DUPLICATE = "DUPLICATE"  # its commandId was recorded before: the first result
    REFUSED = "REFUSED"  # nothing recorded: ``code`` and ``message`` say why
    CONFLICT = "CONFLICT"  # the worker changed meanwhile: ``worker`` is their current state


@strawberry.type
class BatchResult:
    index: int = strawberry.field(description="The command's place in the batch, from 0.")
    mutation: str = strawberry.field(description="The mutation the command ran, e.g. transferWorker.")
    command_id: str | None
    status: BatchStatus
    position: int | None = strawberry.field(description="Where the command is recorded (ACCEPTED, DUPLICATE).")
    code: str | None = strawberry.field(description="Why it was refused (REFUSED, CONFLICT): a stable code.")
    message: str | None
    worker: Worker | None = strawberry.field(
        description="The worker after the command, or (CONFLICT) as they are now; null for org commands."
    )
    org_unit: OrgUnit | None = strawberry.field(description="The unit after an org command.")


@strawberry.type
class BatchPayload:
    position: int = strawberry.field(description="The ledger position after the batch: it reflects every command.")
    results: list[BatchResult]
