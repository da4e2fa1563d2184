"""Mutations: thin resolvers over the Ledger, run in a thread, never on the event loop.

Each builds a domain command and records it as the caller, through the access guard
(``api.access.command_guard``: who may do what, checked inside the attempt that records). The
answer waits briefly for the read tables to include the command (read-your-writes) and gives the
ledger position. The same ``commandId`` sent again by the same user returns the first result and
records nothing.
"""

import asyncio
from collections.abc import Callable
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from api import users
from api.access import WRITERS, Role, User, command_guard, require
from api.graphql.errors import ClientError
from api.graphql.inputs import (
    CloseOrgUnitInput,
    CreateUserInput,
    DefineCadreInput,
    EndLeaveInput,
    HireWorkerInput,
    MoveOrgUnitInput,
    OpenOrgUnitInput,
    PostWorkerInput,
    RecordDepartureInput,
    RecordPopulationInput,
    RecordTrainingInput,
    RehireWorkerInput,
    RequalifyWorkerInput,
    RetractEventInput,
    StartLeaveInput,
    TransferWorkerInput,
    UserPayload,
)
from api.graphql.payloads import (
    CadrePayload,
    OrgUnitPayload,
    PopulationPayload,
    WorkerPayload,
    cadre_payload,
    population_payload,
    unit_payload,
    worker_payload,
)
from api.graphql.types import ctx
from api.settings import Settings
from domain import commands as c
from domain.ledger import Outcome
from projections import accounts


def worker_uuid(value: strawberry.ID) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise ClientError(f"workerId {value!r} is not a worker id.", "BAD_USER_INPUT") from None


async def record(info: Info, build: Callable[[], c.Command], roles: tuple[Role, ...]) -> tuple[User, Outcome]:
    """Records the command ``build`` makes, as the caller, once they hold one of ``roles``."""
    user = require(ctx(info).user, *roles)
    command = build()
    ledger = ctx(info).services.ledger
    outcome = await asyncio.to_thread(ledger.execute, command, user.name, guard=command_guard(user))
    return user, outcome


def fields(input_: Any, *skip: str) -> dict[str, Any]:
    return {k: v for k, v in vars(input_).items() if k not in skip}


async def change_worker(info: Info, input_: Any, command: Callable[..., c.Command]) -> WorkerPayload:
    """Records ``command`` built from a worker mutation's input."""
    worker_id = worker_uuid(input_.worker_id)
    user, outcome = await record(info, lambda: command(**{**fields(input_), "worker_id": worker_id}), WRITERS)
    return await worker_payload(info, user, outcome)


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def open_org_unit(self, info: Info, input: OpenOrgUnitInput) -> OrgUnitPayload:
        build = lambda: c.OpenOrgUnit(**{**fields(input), "hard_to_reach": bool(input.hard_to_reach)})  # noqa: E731
        _, outcome = await record(info, build, (Role.ADMIN,))
        return await unit_payload(info, input.code, outcome)

    @strawberry.mutation
    async def move_org_unit(self, info: Info, input: MoveOrgUnitInput) -> OrgUnitPayload:
        _, outcome = await record(info, lambda: c.MoveOrgUnit(**fields(input)), (Role.ADMIN,))
        return await unit_payload(info, input.code, outcome)

    @strawberry.mutation
    async def close_org_unit(self, info: Info, input: CloseOrgUnitInput) -> OrgUnitPayload:
        _, outcome = await record(info, lambda: c.CloseOrgUnit(**fields(input)), (Role.ADMIN,))
        return await unit_payload(info, input.code, outcome)

    @strawberry.mutation
    async def record_population(self, info: Info, input: RecordPopulationInput) -> PopulationPayload:
        _, outcome = await record(info, lambda: c.RecordPopulation(**fields(input)), (Role.ADMIN,))
        return await population_payload(info, input.org_unit_code, input.year, input.population, outcome)

    @strawberry.mutation
    async def define_cadre(self, info: Info, input: DefineCadreInput) -> CadrePayload:
        _, outcome = await record(info, lambda: c.DefineCadre(**fields(input)), (Role.ADMIN,))
        return await cadre_payload(info, input.code, outcome)

    @strawberry.mutation
    async def hire_worker(self, info: Info, input: HireWorkerInput) -> WorkerPayload:
        user, outcome = await record(info, lambda: c.HireWorker(**fields(input)), WRITERS)
        return await worker_payload(info, user, outcome)

    @strawberry.mutation
    async def post_worker(self, info: Info, input: PostWorkerInput) -> WorkerPayload:
        return await change_worker(info, input, c.PostWorker)

    @strawberry.mutation
    async def transfer_worker(self, info: Info, input: TransferWorkerInput) -> WorkerPayload:
        return await change_worker(info, input, c.TransferWorker)

    @strawberry.mutation
    async def record_training(self, info: Info, input: RecordTrainingInput) -> WorkerPayload:
        return await change_worker(info, input, c.RecordTraining)

    @strawberry.mutation
    async def requalify_worker(self, info: Info, input: RequalifyWorkerInput) -> WorkerPayload:
        return await change_worker(info, input, c.RequalifyWorker)

    @strawberry.mutation
    async def start_leave(self, info: Info, input: StartLeaveInput) -> WorkerPayload:
        return await change_worker(info, input, c.StartLeave)

    @strawberry.mutation
    async def end_leave(self, info: Info, input: EndLeaveInput) -> WorkerPayload:
        return await change_worker(info, input, c.EndLeave)

    @strawberry.mutation
    async def record_departure(self, info: Info, input: RecordDepartureInput) -> WorkerPayload:
        return await change_worker(info, input, c.RecordDeparture)

    @strawberry.mutation
    async def rehire_worker(self, info: Info, input: RehireWorkerInput) -> WorkerPayload:
        return await change_worker(info, input, c.RehireWorker)

    @strawberry.mutation
    async def retract_event(self, info: Info, input: RetractEventInput) -> WorkerPayload:
        return await change_worker(info, input, c.RetractEvent)

    @strawberry.mutation
    async def create_user(self, info: Info, input: CreateUserInput) -> UserPayload:
        user: User = require(ctx(info).user, Role.ADMIN)
        try:
            new = users.new_user(input.name, Role[input.role.name], input.scope_code)
        except users.UserRefused as error:
            raise ClientError(error.message, error.code) from None
        if new.scope_code is not None and await ctx(info).loaders["units"].load(new.scope_code) is None:
            raise ClientError(f"There is no org unit {new.scope_code!r}.", "NOT_FOUND")
        async with ctx(info).pool.acquire() as conn:
            try:
                account, token = await accounts.create(
                    conn, new.name, new.role.value, new.scope_code, user.name, token_days=Settings().token_days
                )
            except accounts.AccountExists as error:
                raise ClientError(str(error), "DUPLICATE_CODE") from None
        return UserPayload(name=account.name, role=new.role, scope_code=account.scope_code, token=token)
