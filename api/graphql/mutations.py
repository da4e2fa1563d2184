"""Mutations: thin resolvers over the Ledger, run in a thread, never on the event loop.

Each builds a domain command, checks the caller's role and scope, records the command as the
caller, waits briefly for the read tables to include it (read-your-writes), and returns the
ledger position. The same ``commandId`` sent again returns the first result and records nothing.
"""

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from api import users
from api.access import Role, UnknownWorker, User, check_facility_in_scope, facility_of, last_facility, require
from api.graphql.errors import ClientError
from api.graphql.inputs import (
    CadrePayload,
    CloseOrgUnitInput,
    CreateUserInput,
    DefineCadreInput,
    EndLeaveInput,
    HireWorkerInput,
    MoveOrgUnitInput,
    OpenOrgUnitInput,
    OrgUnitPayload,
    PopulationPayload,
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
    WorkerPayload,
)
from api.graphql.types import (
    Cadre,
    Worker,
    ctx,
    unit,
)
from api.settings import Settings
from domain import commands as c
from domain.ledger import Ledger, Outcome
from projections import accounts

WRITERS = (Role.ADMIN, Role.HR_MANAGER)
READ_YOUR_WRITES_SECONDS = 5.0  # how long a mutation waits for the read tables to include it
Scope = Callable[[Ledger], tuple[str | None, date]]  # the facility the command acts in, and when


def worker_uuid(value: strawberry.ID) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise ClientError(f"workerId {value!r} is not a worker id.", "BAD_USER_INPUT") from None


async def record(info: Info, build: Callable[[], c.Command], roles: tuple[Role, ...], scope: Scope | None) -> Outcome:
    user = require(ctx(info).user, *roles)
    command = build()
    ledger = ctx(info).services.ledger

    def work() -> Outcome:
        if user.role is Role.HR_MANAGER:
            if scope is None:
                raise ClientError(f"{user.name} is an HR manager; only an ADMIN may do this.", "FORBIDDEN")
            try:
                facility, day = scope(ledger)
            except UnknownWorker:
                pass  # the command refuses it with NOT_FOUND
            else:
                check_facility_in_scope(ledger, user, facility, day)
        return ledger.execute(command, user.name)

    outcome = await asyncio.to_thread(work)
    # A payload read before the tables include the change would show the record as it was before.
    if not await ctx(info).services.projected.wait_for(ctx(info).pool, outcome.position, READ_YOUR_WRITES_SECONDS):
        raise lagging(outcome)
    return outcome


def worker_scope(worker_id: UUID, day: date) -> Scope:
    """The worker's facility on the effective date (a transfer's origin)."""
    return lambda ledger: (facility_of(ledger, worker_id, day), day)


def facility_scope(facility_code: str, day: date) -> Scope:
    return lambda _: (facility_code, day)


def hire_scope(ledger: Ledger) -> tuple[str | None, date]:
    raise UnknownWorker("a hire")  # allowed: the first posting's facility must be in scope


async def worker_payload(info: Info, outcome: Outcome) -> "WorkerPayload":
    ctx(info).loaders["workers"].clear_all()  # this request may have read the worker before the change
    record_ = await ctx(info).loaders["workers"].load(outcome.aggregate_id)
    if record_ is None:
        raise lagging(outcome)
    return WorkerPayload(worker=Worker.of(record_), position=outcome.position)


async def unit_payload(info: Info, code: str, outcome: Outcome) -> "OrgUnitPayload":
    ctx(info).loaders["units"].clear_all()
    found = await unit(info, code, date.today())
    if found is None:
        raise lagging(outcome)
    return OrgUnitPayload(org_unit=found, position=outcome.position)


def fields(input_: Any, *skip: str) -> dict[str, Any]:
    return {k: v for k, v in vars(input_).items() if k not in skip}


async def change_worker(
    info: Info, input_: Any, command: Callable[..., c.Command], scope_of: Callable[[UUID], Scope]
) -> WorkerPayload:
    """Records ``command`` built from a worker mutation's input, in the scope ``scope_of`` the worker gives."""
    worker_id = worker_uuid(input_.worker_id)
    outcome = await record(
        info, lambda: command(**{**fields(input_), "worker_id": worker_id}), WRITERS, scope_of(worker_id)
    )
    return await worker_payload(info, outcome)


def lagging(outcome: Outcome) -> ClientError:
    return ClientError(
        f"Recorded at position {outcome.position}, but the read tables have not caught up yet; "
        "query caughtUp(position), then read again.",
        "NOT_CAUGHT_UP",
    )


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def open_org_unit(self, info: Info, input: OpenOrgUnitInput) -> OrgUnitPayload:
        build = lambda: c.OpenOrgUnit(**{**fields(input), "hard_to_reach": bool(input.hard_to_reach)})  # noqa: E731
        outcome = await record(info, build, (Role.ADMIN,), None)
        return await unit_payload(info, input.code, outcome)

    @strawberry.mutation
    async def move_org_unit(self, info: Info, input: MoveOrgUnitInput) -> OrgUnitPayload:
        outcome = await record(info, lambda: c.MoveOrgUnit(**fields(input)), (Role.ADMIN,), None)
        return await unit_payload(info, input.code, outcome)

    @strawberry.mutation
    async def close_org_unit(self, info: Info, input: CloseOrgUnitInput) -> OrgUnitPayload:
        outcome = await record(info, lambda: c.CloseOrgUnit(**fields(input)), (Role.ADMIN,), None)
        return await unit_payload(info, input.code, outcome)

    @strawberry.mutation
    async def record_population(self, info: Info, input: RecordPopulationInput) -> PopulationPayload:
        outcome = await record(info, lambda: c.RecordPopulation(**fields(input)), (Role.ADMIN,), None)
        return PopulationPayload(
            org_unit_code=input.org_unit_code, year=input.year, population=input.population, position=outcome.position
        )

    @strawberry.mutation
    async def define_cadre(self, info: Info, input: DefineCadreInput) -> CadrePayload:
        outcome = await record(info, lambda: c.DefineCadre(**fields(input)), (Role.ADMIN,), None)
        ctx(info).loaders["cadres"].clear_all()
        found = await ctx(info).loaders["cadres"].load(input.code)
        if found is None:
            raise lagging(outcome)
        return CadrePayload(cadre=Cadre.of(found), position=outcome.position)

    @strawberry.mutation
    async def hire_worker(self, info: Info, input: HireWorkerInput) -> WorkerPayload:
        outcome = await record(info, lambda: c.HireWorker(**fields(input)), WRITERS, hire_scope)
        return await worker_payload(info, outcome)

    @strawberry.mutation
    async def post_worker(self, info: Info, input: PostWorkerInput) -> WorkerPayload:
        return await change_worker(
            info, input, c.PostWorker, lambda _: facility_scope(input.facility_code, input.effective_on)
        )

    @strawberry.mutation
    async def transfer_worker(self, info: Info, input: TransferWorkerInput) -> WorkerPayload:
        return await change_worker(info, input, c.TransferWorker, lambda w: worker_scope(w, input.effective_on))

    @strawberry.mutation
    async def record_training(self, info: Info, input: RecordTrainingInput) -> WorkerPayload:
        return await change_worker(info, input, c.RecordTraining, lambda w: worker_scope(w, input.started_on))

    @strawberry.mutation
    async def requalify_worker(self, info: Info, input: RequalifyWorkerInput) -> WorkerPayload:
        return await change_worker(info, input, c.RequalifyWorker, lambda w: worker_scope(w, input.effective_on))

    @strawberry.mutation
    async def start_leave(self, info: Info, input: StartLeaveInput) -> WorkerPayload:
        return await change_worker(info, input, c.StartLeave, lambda w: worker_scope(w, input.effective_on))

    @strawberry.mutation
    async def end_leave(self, info: Info, input: EndLeaveInput) -> WorkerPayload:
        return await change_worker(info, input, c.EndLeave, lambda w: worker_scope(w, input.effective_on))

    @strawberry.mutation
    async def record_departure(self, info: Info, input: RecordDepartureInput) -> WorkerPayload:
        return await change_worker(info, input, c.RecordDeparture, lambda w: worker_scope(w, input.effective_on))

    @strawberry.mutation
    async def rehire_worker(self, info: Info, input: RehireWorkerInput) -> WorkerPayload:
        # A departed worker has no facility: the scope is where they last worked.
        return await change_worker(
            info, input, c.RehireWorker, lambda w: lambda ledger: (last_facility(ledger, w), input.effective_on)
        )

    @strawberry.mutation
    async def retract_event(self, info: Info, input: RetractEventInput) -> WorkerPayload:
        return await change_worker(info, input, c.RetractEvent, lambda w: worker_scope(w, date.today()))

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
