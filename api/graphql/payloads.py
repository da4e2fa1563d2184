"""What a mutation answers: what it recorded, at which ledger position, and whether the read tables
include it yet.

A recorded command is never reported as a failure. When the read tables have not caught up within
``READ_YOUR_WRITES_SECONDS``, the answer is read from the ledger itself, says ``caughtUp: false``
and warns that figures read now may not show the change yet.
"""

import asyncio
from datetime import date, timedelta

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

READ_YOUR_WRITES_SECONDS = 5.0  # how long a mutation waits for the read tables to include it
CAUGHT_UP = "Whether the read tables included this command when the answer was made."
WARNING = "Set when they did not: the command is recorded, but figures read now may not show it yet."


def lag_warning(position: int) -> str:
    return (
        f"Recorded at ledger position {position}. The read tables have not caught up with it yet: figures "
        f"read now may not include it; query caughtUp(position: {position}) before reading them."
    )


@strawberry.type
class OrgUnitPayload:
    org_unit: OrgUnit
    position: int
    caught_up: bool = strawberry.field(description=CAUGHT_UP)
    warning: str | None = strawberry.field(description=WARNING)


@strawberry.type
class CadrePayload:
    cadre: Cadre
    position: int
    caught_up: bool = strawberry.field(description=CAUGHT_UP)
    warning: str | None = strawberry.field(description=WARNING)


@strawberry.type
class PopulationPayload:
    org_unit_code: str
    year: int
    population: int
    position: int
    caught_up: bool = strawberry.field(description=CAUGHT_UP)
    warning: str | None = strawberry.field(description=WARNING)


@strawberry.type
class WorkerPayload:
    worker: Worker
    position: int
    caught_up: bool = strawberry.field(description=CAUGHT_UP)
    warning: str | None = strawberry.field(description=WARNING)


async def caught_up(info: Info, outcome: Outcome) -> bool:
    """Waits, briefly, until the read tables include ``outcome`` (read-your-writes)."""
    services = ctx(info).services
    return await services.projected.wait_for(services.pool, outcome.position, READ_YOUR_WRITES_SECONDS)


def warning_unless(included: bool, outcome: Outcome) -> str | None:
    return None if included else lag_warning(outcome.position)


async def worker_payload(info: Info, user: User, outcome: Outcome) -> WorkerPayload:
    """The worker after the command, with personal fields only where ``user`` may read them."""
    included = await caught_up(info, outcome)
    record: WorkerRecord | None = None
    if included:
        ctx(info).loaders["workers"].clear_all()  # this request may have read the worker before the change
        record = await ctx(info).loaders["workers"].load(outcome.aggregate_id)
    if record is not None:
        readable = outcome.aggregate_id in await readable_workers(user, ctx(info).pool, ctx(info).schema, [record.id])
    else:
        included = False
        record, readable = await asyncio.to_thread(written_worker, ctx(info).services.ledger, user, outcome)
    worker = Worker.of(record, readable=readable)
    return WorkerPayload(
        worker=worker, position=outcome.position, caught_up=included, warning=warning_unless(included, outcome)
    )


async def unit_payload(info: Info, code: str, outcome: Outcome) -> OrgUnitPayload:
    included = await caught_up(info, outcome)
    found = None
    if included:
        ctx(info).loaders["units"].clear_all()
        found = await unit(info, code, date.today())
    if found is None:
        included = False
        aggregate: OrgUnitAggregate = await asyncio.to_thread(
            ctx(info).services.ledger.repository.get, org_unit_id(code)
        )
        found = OrgUnit.of(unit_record(aggregate), date.today())
    return OrgUnitPayload(
        org_unit=found, position=outcome.position, caught_up=included, warning=warning_unless(included, outcome)
    )


async def cadre_payload(info: Info, code: str, outcome: Outcome) -> CadrePayload:
    included = await caught_up(info, outcome)
    found = None
    if included:
        ctx(info).loaders["cadres"].clear_all()
        found = await ctx(info).loaders["cadres"].load(code)
    if found is None:
        included = False
        aggregate: CadreAggregate = await asyncio.to_thread(ctx(info).services.ledger.repository.get, cadre_id(code))
        found = cadre_info(aggregate)
    return CadrePayload(
        cadre=Cadre.of(found), position=outcome.position, caught_up=included, warning=warning_unless(included, outcome)
    )


async def population_payload(info: Info, code: str, year: int, population: int, outcome: Outcome) -> PopulationPayload:
    included = await caught_up(info, outcome)
    return PopulationPayload(
        org_unit_code=code,
        year=year,
        population=population,
        position=outcome.position,
        caught_up=included,
        warning=warning_unless(included, outcome),
    )


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
