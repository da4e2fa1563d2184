"""Running a batch: each command, in order, through its own mutation's resolver, as the caller.

So a command in a batch is checked, built and recorded exactly as the same mutation sent alone: the same
permission (the mutation's declared roles), the same guard (``api.access``), the same mapping from input to
command and the same answer. A refused command writes nothing and the batch goes on. A commandId recorded before
answers DUPLICATE with the first result (``domain.ledger``'s receipts), so a batch cut off halfway can be sent
again whole.
"""

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, cast
from uuid import UUID

from strawberry.permission import PermissionExtension
from strawberry.types.base import get_object_definition
from strawberry.types.field import StrawberryField
from strawberry.types.unset import UNSET
from strawberry.utils.str_converters import to_camel_case

from api.access import Forbidden
from api.graphql.batch.inputs import BatchCommandInput
from api.graphql.batch.types import BatchPayload, BatchResult, BatchStatus
from api.graphql.context import Info
from api.graphql.errors import ClientError
from api.graphql.establishment import EstablishmentMutations
from api.graphql.org_units.mutations import OrgUnitMutations
from api.graphql.org_units.payloads import OrgUnitPayload
from api.graphql.recording import outcomes_seen
from api.graphql.workforce.mutations import WorkforceMutations
from api.graphql.workforce.payloads import WorkerPayload, written_worker
from api.graphql.workforce.types import Worker
from api.settings import Settings
from domain.errors import N_, Refusal
from domain.ledger import Outcome

FEATURES = (WorkforceMutations, OrgUnitMutations, EstablishmentMutations)
MUTATIONS: dict[str, StrawberryField] = {
    field.python_name: field for feature in FEATURES for field in get_object_definition(feature, strict=True).fields
}
"""The mutations a batch may run, by their Python name (``BatchCommandInput``'s field names)."""


def too_large(count: int, limit: int) -> ClientError:
    return ClientError(
        N_("The batch holds {count} commands; the limit is {limit}. Split it and send the parts in order."),
        "BATCH_TOO_LARGE",
        count=count,
        limit=limit,
    )


async def run_batch(info: Info, commands: Sequence[BatchCommandInput]) -> BatchPayload:
    """Runs ``commands`` in order and answers each.

    Raises:
        ClientError: more commands than ``HRH_MAX_BATCH_COMMANDS`` (BATCH_TOO_LARGE); nothing is recorded.
    """
    limit = Settings().max_batch_commands
    if len(commands) > limit:
        raise too_large(len(commands), limit)
    results = [await run_command(info, index, command) for index, command in enumerate(commands)]
    ledger = info.context.services.ledger
    head = await asyncio.to_thread(ledger.recorder.max_notification_id)
    return BatchPayload(position=head or 0, results=results)


def chosen(command: BatchCommandInput) -> tuple[str, Any]:
    """The mutation ``command`` names and its input (the one-of input holds exactly one)."""
    for name, value in vars(command).items():
        if value is not None and value is not UNSET and name in MUTATIONS:
            return name, value
    raise ClientError(N_("A command names no mutation."), "BAD_USER_INPUT")  # GraphQL's one-of check comes first


async def run_command(info: Info, index: int, command: BatchCommandInput) -> BatchResult:
    """One command's result: run through its mutation's resolver, as the caller."""
    name, input_ = chosen(command)
    command_id: str | None = getattr(input_, "command_id", None)
    answer = Answer(index, to_camel_case(name), command_id)
    if command_id is None or not command_id.strip():
        missing = ClientError(
            N_("Every command in a batch needs a commandId, made by the client, so it can be sent again safely."),
            "BAD_USER_INPUT",
        )
        return answer.refused(missing)
    field = MUTATIONS[name]
    seen: list[Outcome] = []
    token = outcomes_seen.set(seen)
    try:
        await check_permissions(field, info)
        payload = await resolver(field)(None, info, input=input_)
    except Refusal as refusal:
        if refusal.code == "CONFLICT" and hasattr(input_, "worker_id"):
            return answer.conflict(refusal, await current_worker(info, input_.worker_id))
        return answer.refused(refusal)
    finally:
        outcomes_seen.reset(token)
    return answer.recorded(seen[-1], payload)


def resolver(field: StrawberryField) -> Callable[..., Awaitable[object]]:
    """The mutation's own resolver function."""
    assert field.base_resolver is not None
    return cast(Callable[..., Awaitable[object]], field.base_resolver.wrapped_func)


async def check_permissions(field: StrawberryField, info: Info) -> None:
    """The permissions the mutation declares (``api.graphql.permissions``), checked as GraphQL checks them.

    Raises:
        Forbidden, Unauthenticated: as the mutation sent alone would.
    """
    for extension in field.extensions:
        if isinstance(extension, PermissionExtension):
            for permission in extension.permissions:
                allowed = permission.has_permission(None, info)
                if inspect.isawaitable(allowed):
                    allowed = await allowed
                if not allowed:
                    raise Forbidden(N_("You may not send this command."))


async def current_worker(info: Info, worker_id: object) -> Worker | None:
    """The worker as the ledger holds them now, when the caller may read them; None otherwise."""
    try:
        uuid = UUID(str(worker_id))
    except ValueError:
        return None
    user = info.context.signed_in
    ledger = info.context.services.ledger
    try:
        record, readable = await asyncio.to_thread(written_worker, ledger, user, Outcome(uuid, 0))
    except Refusal:
        return None
    return Worker.of(record, readable=True) if readable else None


class Answer:
    """One command's result, built from what happened to it."""

    def __init__(self, index: int, mutation: str, command_id: str | None) -> None:
        self.fields: dict[str, Any] = {"index": index, "mutation": mutation, "command_id": command_id}

    def result(self, status: BatchStatus, **fields: Any) -> BatchResult:
        blank = {"position": None, "code": None, "message": None, "worker": None, "org_unit": None}
        return BatchResult(**{**self.fields, **blank, **fields, "status": status})

    def refused(self, refusal: Refusal) -> BatchResult:
        return self.result(BatchStatus.REFUSED, code=refusal.code, message=refusal.message)

    def conflict(self, refusal: Refusal, worker: Worker | None) -> BatchResult:
        return self.result(BatchStatus.CONFLICT, code=refusal.code, message=refusal.message, worker=worker)

    def recorded(self, outcome: Outcome, payload: object) -> BatchResult:
        status = BatchStatus.DUPLICATE if outcome.replayed else BatchStatus.ACCEPTED
        worker = payload.worker if isinstance(payload, WorkerPayload) else None
        unit = payload.org_unit if isinstance(payload, OrgUnitPayload) else None
        return self.result(status, position=outcome.position, worker=worker, org_unit=unit)
