"""The workforce's mutations: an ADMIN's or an HR manager's (in their scope, as ``api.access.command_guard``
checks), each recording one command about one worker."""

from collections.abc import Callable
from typing import Protocol
from uuid import UUID

import strawberry

from api.access import WRITERS
from api.graphql.context import Info
from api.graphql.errors import ClientError
from api.graphql.permissions import mutation
from api.graphql.recording import fields, record
from api.graphql.workforce.inputs import (
    CorrectWorkerDetailsInput,
    EndLeaveInput,
    HireWorkerInput,
    PostWorkerInput,
    RecordDepartureInput,
    RecordTrainingInput,
    RehireWorkerInput,
    RequalifyWorkerInput,
    RetractEventInput,
    StartLeaveInput,
    TransferWorkerInput,
)
from api.graphql.workforce.payloads import WorkerPayload, worker_payload
from domain import commands as c
from domain.errors import N_


class WorkerInput(Protocol):
    """A mutation input about one worker."""

    worker_id: strawberry.ID


def worker_uuid(value: strawberry.ID) -> UUID:
    """The worker a mutation input's ``workerId`` names.

    Raises:
        ClientError: ``value`` is not a worker id (BAD_USER_INPUT).
    """
    try:
        return UUID(str(value))
    except ValueError:
        raise ClientError(N_("workerId {value!r} is not a worker id."), "BAD_USER_INPUT", value=str(value)) from None


def hire_worker_command(input_: HireWorkerInput) -> c.HireWorker:
    """The command ``hireWorker`` sends for its input (the spreadsheet import builds its rows' commands here too)."""
    return c.HireWorker(**fields(input_))


def worker_command(input_: WorkerInput, command: Callable[..., c.Command]) -> c.Command:
    """The ``command`` a worker mutation sends for its input (the spreadsheet import builds its rows' commands
    here too).

    Raises:
        ClientError: ``workerId`` is not a worker id (BAD_USER_INPUT).
    """
    return command(**{**fields(input_), "worker_id": worker_uuid(input_.worker_id)})


async def change_worker(info: Info, input_: WorkerInput, command: Callable[..., c.Command]) -> WorkerPayload:
    """Records ``command`` built from a worker mutation's input."""
    return await worker_payload(info, await record(info, worker_command(input_, command)))


@strawberry.type
class WorkforceMutations:
    @mutation(*WRITERS)
    async def hire_worker(self, info: Info, input: HireWorkerInput) -> WorkerPayload:
        return await worker_payload(info, await record(info, hire_worker_command(input)))

    @mutation(*WRITERS)
    async def post_worker(self, info: Info, input: PostWorkerInput) -> WorkerPayload:
        return await change_worker(info, input, c.PostWorker)

    @mutation(*WRITERS)
    async def transfer_worker(self, info: Info, input: TransferWorkerInput) -> WorkerPayload:
        return await change_worker(info, input, c.TransferWorker)

    @mutation(*WRITERS)
    async def record_training(self, info: Info, input: RecordTrainingInput) -> WorkerPayload:
        return await change_worker(info, input, c.RecordTraining)

    @mutation(*WRITERS)
    async def requalify_worker(self, info: Info, input: RequalifyWorkerInput) -> WorkerPayload:
        return await change_worker(info, input, c.RequalifyWorker)

    @mutation(*WRITERS)
    async def start_leave(self, info: Info, input: StartLeaveInput) -> WorkerPayload:
        return await change_worker(info, input, c.StartLeave)

    @mutation(*WRITERS)
    async def end_leave(self, info: Info, input: EndLeaveInput) -> WorkerPayload:
        return await change_worker(info, input, c.EndLeave)

    @mutation(*WRITERS)
    async def record_departure(self, info: Info, input: RecordDepartureInput) -> WorkerPayload:
        return await change_worker(info, input, c.RecordDeparture)

    @mutation(*WRITERS)
    async def rehire_worker(self, info: Info, input: RehireWorkerInput) -> WorkerPayload:
        return await change_worker(info, input, c.RehireWorker)

    @mutation(*WRITERS)
    async def correct_worker_details(self, info: Info, input: CorrectWorkerDetailsInput) -> WorkerPayload:
        return await change_worker(info, input, c.CorrectWorkerDetails)

    @mutation(*WRITERS)
    async def retract_event(self, info: Info, input: RetractEventInput) -> WorkerPayload:
        return await change_worker(info, input, c.RetractEvent)
