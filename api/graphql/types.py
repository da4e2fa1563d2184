"""The contract's output types (shared/contract.graphql), resolved through per-request DataLoaders."""

from datetime import date, datetime
from enum import Enum
from typing import Any, cast

import strawberry
from strawberry.types import Info

from api.access import Role as AccessRole
from api.graphql.context import Context
from api.graphql.errors import ClientError
from domain import values
from projections.density import DensityPoint as DensityRecord
from projections.mobility import MovementRecord, TrainingRecord, WorkerRecord
from projections.org_units import OrgUnitRecord
from projections.staffing import CompletenessRecord, StaffingRecord
from projections.vectors import CadreInfo

OrgUnitLevel = strawberry.enum(values.OrgUnitLevel, name="OrgUnitLevel")
Sector = strawberry.enum(values.Sector, name="Sector")
Sex = strawberry.enum(values.Sex, name="Sex")
CadreGroup = strawberry.enum(values.CadreGroup, name="CadreGroup")
FundingSource = strawberry.enum(values.FundingSource, name="FundingSource")
DepartureReason = strawberry.enum(values.DepartureReason, name="DepartureReason")
LeaveKind = strawberry.enum(values.LeaveKind, name="LeaveKind")
Role = strawberry.enum(AccessRole, name="Role")


@strawberry.enum
class Interval(Enum):
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    YEAR = "YEAR"


@strawberry.enum
class WorkerStatus(Enum):
    HIRED = "HIRED"
    POSTED = "POSTED"
    ON_LEAVE = "ON_LEAVE"
    DEPARTED = "DEPARTED"


def ctx(info: Info) -> Context:
    return cast(Context, info.context)


def by_name(enum_type: Any, name: str | None) -> Any:
    return enum_type[name] if name is not None else None


PERSONAL = frozenset((AccessRole.ADMIN, AccessRole.HR_MANAGER, AccessRole.AUDITOR))


def personal(info: Info) -> None:
    """Names, birth dates and civil-service numbers are not for planners."""
    user = ctx(info).user
    if user is None or user.role not in PERSONAL:
        raise ClientError("Planners see aggregates only, never names, birth dates or numbers.", "FORBIDDEN")


@strawberry.type
class Cadre:
    code: str
    name: str
    isco08: str | None
    group: CadreGroup  # type: ignore[valid-type]
    qualified: bool

    @classmethod
    def of(cls, c: CadreInfo) -> "Cadre":
        return cls(code=c.code, name=c.name, isco08=c.isco08, group=values.CadreGroup[c.group], qualified=c.qualified)


@strawberry.type
class OrgUnit:
    code: str
    name: str
    level: OrgUnitLevel  # type: ignore[valid-type]
    sector: Sector | None  # type: ignore[valid-type]
    facility_kind: str | None
    hard_to_reach: bool
    opened_on: date
    closed_on: date | None
    as_of: strawberry.Private[date]

    @classmethod
    def of(cls, r: OrgUnitRecord, as_of: date) -> "OrgUnit":
        return cls(
            code=r.code,
            name=r.name,
            level=values.OrgUnitLevel[r.level],
            sector=by_name(values.Sector, r.sector),
            facility_kind=r.facility_kind,
            hard_to_reach=r.hard_to_reach,
            opened_on=r.opened_on,
            closed_on=r.closed_on,
            as_of=as_of,
        )

    @strawberry.field(description="Parent as of the asOf date of the query (today when none).")
    async def parent(self, info: Info) -> "OrgUnit | None":
        code = await ctx(info).loaders["parents"].load((self.code, self.as_of))
        return await unit(info, code, self.as_of)

    @strawberry.field
    async def children(self, info: Info) -> list["OrgUnit"]:
        codes = await ctx(info).loaders["children"].load((self.code, self.as_of))
        found = [await unit(info, code, self.as_of) for code in codes]
        return [u for u in found if u is not None]


async def unit(info: Info, code: str | None, as_of: date) -> OrgUnit | None:
    if code is None:
        return None
    record = await ctx(info).loaders["units"].load(code)
    return OrgUnit.of(record, as_of) if record is not None else None


@strawberry.type
class Movement:
    kind: str
    effective_on: date
    recorded_at: datetime
    recorded_by: str
    authority: str | None
    reason: str | None
    retracted: bool
    backdated: bool = strawberry.field(
        description="Recorded after a later-dated movement of the same worker had already been recorded."
    )
    position: int
    from_code: strawberry.Private[str | None]
    to_code: strawberry.Private[str | None]

    @classmethod
    def of(cls, m: MovementRecord) -> "Movement":
        return cls(
            kind=m.kind,
            effective_on=m.effective_on,
            recorded_at=m.recorded_at,
            recorded_by=m.recorded_by,
            authority=m.authority,
            reason=m.reason,
            retracted=m.retracted,
            backdated=m.backdated,
            position=m.position,
            from_code=m.from_code,
            to_code=m.to_code,
        )

    @strawberry.field
    async def from_facility(self, info: Info) -> OrgUnit | None:
        return await unit(info, self.from_code, self.effective_on)

    @strawberry.field
    async def to_facility(self, info: Info) -> OrgUnit | None:
        return await unit(info, self.to_code, self.effective_on)


@strawberry.type
class Training:
    course: str
    kind: str | None
    provider: str | None
    started_on: date
    ended_on: date | None
    outcome: str | None

    @classmethod
    def of(cls, t: TrainingRecord) -> "Training":
        return cls(
            course=t.course,
            kind=t.kind,
            provider=t.provider,
            started_on=t.started_on,
            ended_on=t.ended_on,
            outcome=t.outcome,
        )


@strawberry.type
class Worker:
    id: strawberry.ID
    sex: Sex  # type: ignore[valid-type]
    sector: Sector  # type: ignore[valid-type]
    funding_source: FundingSource  # type: ignore[valid-type]
    status: WorkerStatus
    restricted: bool = strawberry.field(
        description="True when the caller may not read this worker's personal data (an HR manager, for a worker "
        "now outside their scope, listed in a past roster): the names are empty, civilServiceNumber, birthDate "
        "and facility null, and history and trainings empty."
    )
    record: strawberry.Private[WorkerRecord]

    @classmethod
    def of(cls, r: WorkerRecord, *, readable: bool) -> "Worker":
        """The worker as the caller may see them: ``readable`` says whether their personal data may be read
        (``api.access.readable_workers``)."""
        return cls(
            id=strawberry.ID(str(r.id)),
            sex=values.Sex[r.sex],
            sector=values.Sector[r.sector],
            funding_source=values.FundingSource[r.funding_source],
            status=WorkerStatus[r.status],
            restricted=not readable,
            record=r,
        )

    @strawberry.field
    def civil_service_number(self, info: Info) -> str | None:
        personal(info)
        return None if self.restricted else self.record.civil_service_number

    @strawberry.field
    def family_name(self, info: Info) -> str:
        personal(info)
        return "" if self.restricted else self.record.family_name

    @strawberry.field
    def given_names(self, info: Info) -> str:
        personal(info)
        return "" if self.restricted else self.record.given_names

    @strawberry.field
    def birth_date(self, info: Info) -> date | None:
        personal(info)
        return None if self.restricted else self.record.birth_date

    @strawberry.field
    async def cadre(self, info: Info) -> Cadre:
        found = await ctx(info).loaders["cadres"].load(self.record.cadre_code)
        if found is None:
            raise ClientError(f"Cadre {self.record.cadre_code} is not defined.", "NOT_FOUND")
        return Cadre.of(found)

    @strawberry.field(description="Facility the worker is posted to now (null when not posted or departed).")
    async def facility(self, info: Info) -> OrgUnit | None:
        return None if self.restricted else await unit(info, self.record.facility_code, date.today())

    @strawberry.field(description="Ordered by effective date, then by recording order.")
    async def history(self, info: Info) -> list[Movement]:
        if self.restricted:
            return []
        return [Movement.of(m) for m in await ctx(info).loaders["histories"].load(self.record.id)]

    @strawberry.field
    async def trainings(self, info: Info) -> list[Training]:
        if self.restricted:
            return []
        return [Training.of(t) for t in await ctx(info).loaders["trainings"].load(self.record.id)]


@strawberry.type
class Count:
    key: str
    count: int


def counts(breakdown: dict[str, int]) -> list[Count]:
    return [Count(key=k, count=n) for k, n in breakdown.items()]


@strawberry.type
class Staffing:
    as_of: date
    known_at: datetime | None
    headcount: int
    on_leave: int
    active: int
    qualified_active: int
    population: int | None
    density: float | None
    qualified_density: float | None
    by_cadre_group: list[Count]
    by_sex: list[Count]
    by_sector: list[Count]
    by_funding_source: list[Count]
    children: list["Staffing"]
    code: strawberry.Private[str]

    @classmethod
    def of(cls, r: StaffingRecord) -> "Staffing":
        return cls(
            as_of=r.as_of,
            known_at=r.known_at,
            headcount=r.headcount,
            on_leave=r.on_leave,
            active=r.active,
            qualified_active=r.qualified_active,
            population=r.population,
            density=r.density,
            qualified_density=r.qualified_density,
            by_cadre_group=counts(r.by_cadre_group),
            by_sex=counts(r.by_sex),
            by_sector=counts(r.by_sector),
            by_funding_source=counts(r.by_funding_source),
            children=[cls.of(child) for child in r.children],
            code=r.code,
        )

    @strawberry.field
    async def org_unit(self, info: Info) -> OrgUnit:
        found = await unit(info, self.code, self.as_of)
        assert found is not None
        return found


@strawberry.type
class DensityPoint:
    period: str
    end_on: date
    active: int
    qualified_active: int
    population: int | None
    density: float | None
    qualified_density: float | None
    entries: int
    exits: int

    @classmethod
    def of(cls, p: DensityRecord) -> "DensityPoint":
        return cls(
            period=p.period,
            end_on=p.end_on,
            active=p.active,
            qualified_active=p.qualified_active,
            population=p.population,
            density=p.density,
            qualified_density=p.qualified_density,
            entries=p.entries,
            exits=p.exits,
        )


@strawberry.type
class Threshold:
    name: str
    per_ten_thousand: float


@strawberry.type
class AuditEntry:
    position: int
    aggregate_id: strawberry.ID
    kind: str
    effective_on: date | None
    recorded_at: datetime
    recorded_by: str
    authority: str | None
    backdated: bool
    retracted: bool


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class WorkerEdge:
    cursor: str
    node: Worker


@strawberry.type
class WorkerConnection:
    edges: list[WorkerEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class AuditEdge:
    cursor: str
    node: AuditEntry


@strawberry.type
class AuditConnection:
    edges: list[AuditEdge]
    page_info: PageInfo


@strawberry.type
class Completeness:
    workers: int
    complete: int
    rate: float
    missing: list[Count]
    code: strawberry.Private[str]

    @classmethod
    def of(cls, r: CompletenessRecord) -> "Completeness":
        return cls(workers=r.workers, complete=r.complete, rate=r.rate, missing=counts(r.missing), code=r.code)

    @strawberry.field
    async def org_unit(self, info: Info) -> OrgUnit:
        found = await unit(info, self.code, date.today())
        assert found is not None
        return found
