"""What a mutation answers: what it recorded, at which ledger position, and whether the read tables
include it yet.

A recorded command is never reported as a failure. When the read tables have not caught up within
``READ_YOUR_WRITES_SECONDS``, the answer is read from the ledger itself, says ``caughtUp: false``
and warns that figures read now may not show the change yet.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any, TypeVar

import strawberry
from strawberry.types import Info

from api.access import Role, User, readable_workers, worker_in_scope
from api.graphql.types import Cadre, OrgUnit, Worker, ctx, unit
from domain import timeline
from domain.cadre import Cadre as CadreAggregate
from domain.identity import cadre_id, org_unit_id
from domain.ledger import Ledger, Outcome
from domain.org_unit import OrgUnit as OrgUnitAggregate
from domain.worker import Worker as WorkerAggregate
from projections.mobility import WorkerRecord
from projections.org_units import OrgUnitRecord
from projections.vectors import CadreInfo

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


@strawberry.type
class OrgUnitPayload(Recorded):
    org_unit: OrgUnit


@strawberry.type
class CadrePayload(Recorded):
    cadre: Cadre


@strawberry.type
class PopulationPayload(Recorded):
    org_unit_code: str
    year: int
    population: int


@strawberry.type
class WorkerPayload(Recorded):
    worker: Worker


async def read_back(
    info: Info, outcome: Outcome, from_tables: Callable[[], Awaitable[T | None]], from_ledger: Callable[[], T]
) -> tuple[T, bool]:
    """What the command recorded, and whether the read tables include it: read from them once they have caught
    up (waiting briefly: read-your-writes), or else from the ledger itself."""
    services = ctx(info).services
    if await services.projected.wait_for(services.pool, outcome.position, READ_YOUR_WRITES_SECONDS):
        found = await from_tables()
        if found is not None:
            return found, True
    return await asyncio.to_thread(from_ledger), False


async def worker_payload(info: Info, user: User, outcome: Outcome) -> WorkerPayload:
    """The worker after the command, with personal fields only where ``user`` may read them."""

    async def from_tables() -> tuple[WorkerRecord, bool] | None:
        ctx(info).loaders["workers"].clear_all()  # this request may have read the worker before the change
        record: WorkerRecord | None = await ctx(info).loaders["workers"].load(outcome.aggregate_id)
        if record is None:
            return None
        return record, record.id in await readable_workers(user, ctx(info).pool, ctx(info).schema, [record.id])

    (record, readable), included = await read_back(
        info, outcome, from_tables, lambda: written_worker(ctx(info).services.ledger, user, outcome)
    )
    return WorkerPayload(worker=Worker.of(record, readable=readable), **recorded(outcome, included))


async def unit_payload(info: Info, code: str, outcome: Outcome) -> OrgUnitPayload:
    async def from_tables() -> OrgUnit | None:
        ctx(info).loaders["units"].clear_all()
        return await unit(info, code, date.today())

    def from_ledger() -> OrgUnit:
        return OrgUnit.of(unit_record(ctx(info).services.ledger.repository.get(org_unit_id(code))), date.today())

    found, included = await read_back(info, outcome, from_tables, from_ledger)
    return OrgUnitPayload(org_unit=found, **recorded(outcome, included))


async def cadre_payload(info: Info, code: str, outcome: Outcome) -> CadrePayload:
    async def from_tables() -> CadreInfo | None:
        ctx(info).loaders["cadres"].clear_all()
        found: CadreInfo | None = await ctx(info).loaders["cadres"].load(code)
        return found

    def from_ledger() -> CadreInfo:
        return cadre_info(ctx(info).services.ledger.repository.get(cadre_id(code)))

    found, included = await read_back(info, outcome, from_tables, from_ledger)
    return CadrePayload(cadre=Cadre.of(found), **recorded(outcome, included))


async def population_payload(info: Info, code: str, year: int, population: int, outcome: Outcome) -> PopulationPayload:
    services = ctx(info).services
    included = await services.projected.wait_for(services.pool, outcome.position, READ_YOUR_WRITES_SECONDS)
    return PopulationPayload(org_unit_code=code, year=year, population=population, **recorded(outcome, included))


# The write model's view, for answers made before the read tables include the command.


def written_worker(ledger: Ledger, user: User, outcome: Outcome) -> tuple[WorkerRecord, bool]:
    """The worker as the ledger holds them after ``outcome``, and whether ``user`` may read them."""
    staging = ledger.staging()
    worker = staging.worker(outcome.aggregate_id)
    today = date.today()
    readable = user.role in (Role.ADMIN, Role.AUDITOR) or (
        user.role is Role.HR_MANAGER and worker_in_scope(user, staging, worker, today)
    )
    return worker_record(worker, today), readable


def worker_record(worker: WorkerAggregate, today: date) -> WorkerRecord:
    state = timeline.state_before(worker.in_force(), today + timedelta(days=1), 0)
    status = (
        "DEPARTED"
        if state.departed
        else "ON_LEAVE"
        if state.leave_since is not None
        else "POSTED"
        if state.facility is not None
        else "HIRED"
    )
    return WorkerRecord(
        id=worker.id,
        civil_service_number=worker.civil_service_number,
        family_name=worker.family_name,
        given_names=worker.given_names,
        sex=worker.sex.name,
        birth_date=worker.birth_date,
        sector=worker.sector.name,
        funding_source=worker.funding_source.name,
        cadre_code=state.cadre or worker.cadre_code,
        status=status,
        facility_code=state.facility,
    )


def unit_record(aggregate: OrgUnitAggregate) -> OrgUnitRecord:
    return OrgUnitRecord(
        code=aggregate.code,
        name=aggregate.name,
        level=aggregate.level.name,
        sector=aggregate.sector.name if aggregate.sector is not None else None,
        facility_kind=aggregate.facility_kind,
        hard_to_reach=aggregate.hard_to_reach,
        opened_on=aggregate.opened_on,
        closed_on=aggregate.closed_on,
    )


def cadre_info(aggregate: CadreAggregate) -> CadreInfo:
    return CadreInfo(
        code=aggregate.code,
        name=aggregate.name,
        isco08=aggregate.isco08,
        group=aggregate.group.name,
        qualified=aggregate.qualified,
    )
