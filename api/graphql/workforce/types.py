"""Workers as clients read them: personal fields only for those who may read them, history and trainings
loaded through the request's DataLoaders."""

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from enum import Enum

import strawberry

from api.graphql.context import Info
from api.graphql.enums import FundingSource, LeaveKind, Sector, Sex
from api.graphql.errors import ClientError
from api.graphql.org_units.types import Cadre, OrgUnit, unit
from api.graphql.paging import PageInfo
from api.graphql.permissions import field, personal_field
from projections.mobility import MovementRecord, TrainingRecord, WorkerRecord, as_known_at
from projections.postings import PostingRecord


@strawberry.enum
class WorkerStatus(Enum):
    HIRED = "HIRED"
    POSTED = "POSTED"
    ON_LEAVE = "ON_LEAVE"
    DEPARTED = "DEPARTED"


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
    retracted_position: int | None = strawberry.field(
        description="For a retraction: the position of the event it retracted."
    )
    leave_kind: LeaveKind | None = strawberry.field(description="For the start of a leave: its kind.")
    course: str | None = strawberry.field(description="For a training: its course.")
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
            retracted_position=m.retracted_position,
            leave_kind=LeaveKind[m.leave_kind] if m.leave_kind else None,
            course=m.course,
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
class Posting:
    started_on: date
    ended_on: date | None = strawberry.field(
        description="The effective date of the transfer or departure that ended it (the worker is no longer there "
        "that day); null while it lasts."
    )
    facility_code: strawberry.Private[str]
    cadre_code: strawberry.Private[str]

    @classmethod
    def of(cls, p: PostingRecord) -> "Posting":
        return cls(started_on=p.started_on, ended_on=p.ended_on, facility_code=p.facility, cadre_code=p.cadre)

    @strawberry.field
    async def facility(self, info: Info) -> OrgUnit:
        found = await unit(info, self.facility_code, self.started_on)
        if found is None:
            raise ClientError(f"Org unit {self.facility_code} is not defined.", "NOT_FOUND")
        return found

    @field(description="The cadre held at the posting's end (today for one that lasts).")
    async def cadre(self, info: Info) -> Cadre:
        found = await info.context.loaders.cadres.load(self.cadre_code)
        if found is None:
            raise ClientError(f"Cadre {self.cadre_code} is not defined.", "NOT_FOUND")
        return Cadre.of(found)


@strawberry.type
class Worker:
    id: strawberry.ID
    sex: Sex
    sector: Sector
    funding_source: FundingSource
    status: WorkerStatus
    restricted: bool = strawberry.field(
        description="True when the caller may not read this worker's personal data (an HR manager, for a worker "
        "now outside their scope, listed in a past roster): the names are empty, civilServiceNumber, birthDate, "
        "countryOfBirth, qualificationCountry and facility null, and history and trainings empty."
    )
    record: strawberry.Private[WorkerRecord]

    @classmethod
    def of(cls, r: WorkerRecord, *, readable: bool) -> "Worker":
        """The worker as the caller may see them: ``readable`` says whether their personal data may be read
        (``api.access.readable_workers``)."""
        return cls(
            id=strawberry.ID(str(r.id)),
            sex=Sex[r.sex],
            sector=Sector[r.sector],
            funding_source=FundingSource[r.funding_source],
            status=WorkerStatus[r.status],
            restricted=not readable,
            record=r,
        )

    @personal_field
    def civil_service_number(self) -> str | None:
        return None if self.restricted else self.record.civil_service_number

    @personal_field
    def family_name(self) -> str:
        return "" if self.restricted else self.record.family_name

    @personal_field
    def given_names(self) -> str:
        return "" if self.restricted else self.record.given_names

    @personal_field
    def birth_date(self) -> date | None:
        return None if self.restricted else self.record.birth_date

    @personal_field
    def country_of_birth(self) -> str | None:
        return None if self.restricted else self.record.country_of_birth

    @personal_field
    def qualification_country(self) -> str | None:
        return None if self.restricted else self.record.qualification_country

    @strawberry.field
    async def cadre(self, info: Info) -> Cadre:
        found = await info.context.loaders.cadres.load(self.record.cadre_code)
        if found is None:
            raise ClientError(f"Cadre {self.record.cadre_code} is not defined.", "NOT_FOUND")
        return Cadre.of(found)

    @field(description="Facility the worker is posted to now (null when not posted or departed).")
    async def facility(self, info: Info) -> OrgUnit | None:
        return None if self.restricted else await unit(info, self.record.facility_code, date.today())

    @field(
        description="Ordered by effective date, then by recording order; with knownAt, as the ledger knew it then "
        "(the events recorded by then, retracted only if their retraction too was)."
    )
    async def history(self, info: Info, known_at: datetime | None = None) -> list[Movement]:
        if self.restricted:
            return []
        found = await info.context.loaders.histories.load(self.record.id)
        return [Movement.of(m) for m in (found if known_at is None else as_known_at(found, known_at))]

    @field(
        description="The worker's postings in effective order: each interval at one facility on the timeline in "
        "force, from a posting or transfer in to the transfer out or departure (a leave does not end one); with "
        "knownAt, as the ledger knew it then. Empty when the caller may not read the worker."
    )
    async def postings(self, info: Info, known_at: datetime | None = None) -> list[Posting]:
        if self.restricted:
            return []
        return [Posting.of(p) for p in await info.context.loaders.postings.load((self.record.id, known_at))]

    @strawberry.field
    async def trainings(self, info: Info) -> list[Training]:
        if self.restricted:
            return []
        return [Training.of(t) for t in await info.context.loaders.trainings.load(self.record.id)]


@strawberry.type
class WorkerEdge:
    cursor: str
    node: Worker


@strawberry.type
class WorkerConnection:
    edges: list[WorkerEdge]
    page_info: PageInfo
    total: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field
    async def total_count(self) -> int:
        """How many workers the whole list holds; counted only when asked (it reads the whole roster)."""
        return await self.total()
