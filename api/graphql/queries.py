"""Queries: thin resolvers over the projections' query functions."""

import asyncio
import base64
from datetime import MAXYEAR, date, datetime
from typing import Annotated
from uuid import UUID

import strawberry
from strawberry.types import Info

from api.access import ANYONE, PEOPLE, Role, check_unit_readable, check_worker_readable, readable_workers, require
from api.graphql.errors import ClientError
from api.graphql.types import (
    AuditConnection,
    AuditEdge,
    AuditEntry,
    Cadre,
    CadreGroup,
    Completeness,
    DensityPoint,
    Interval,
    OrgUnit,
    OrgUnitLevel,
    PageInfo,
    Staffing,
    Threshold,
    Worker,
    WorkerConnection,
    WorkerEdge,
    WorkerStatus,
    ctx,
    unit,
)
from projections import audit, density, mobility, org_units, staffing

MAX_PAGE = 500
THRESHOLDS = (
    ("WHO World Health Report 2006 (22.8, rounded to 23)", 22.8),
    ("A Universal Truth (2013)", 34.5),
    ("SDG index threshold", 44.5),
)


def encode_cursor(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode()


def decode_cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise ClientError(f"after: {cursor!r} is not a cursor this API gave out.", "BAD_USER_INPUT") from None


def page_size(first: int | None) -> int:
    if first is None:
        return 50
    if not 0 < first <= MAX_PAGE:
        raise ClientError(f"first must be between 1 and {MAX_PAGE}; got {first}.", "BAD_USER_INPUT")
    return first


async def known_unit(info: Info, code: str) -> None:
    if await ctx(info).loaders["units"].load(code) is None:
        raise ClientError(f"There is no org unit {code!r}.", "NOT_FOUND")


@strawberry.type
class Query:
    @strawberry.field
    async def org_unit(self, info: Info, code: str, as_of: date | None = None) -> OrgUnit | None:
        require(ctx(info).user, *ANYONE)
        return await unit(info, code, as_of or date.today())

    @strawberry.field
    async def org_units(
        self,
        info: Info,
        level: OrgUnitLevel | None = None,  # type: ignore[valid-type]
        parent_code: str | None = None,
        as_of: date | None = None,
    ) -> list[OrgUnit]:
        require(ctx(info).user, *ANYONE)
        day = as_of or date.today()
        found = await org_units.org_units(
            ctx(info).pool, ctx(info).schema, level=level.name if level else None, parent_code=parent_code, as_of=day
        )
        return [OrgUnit.of(r, day) for r in found]

    @strawberry.field
    async def cadres(self, info: Info) -> list[Cadre]:
        require(ctx(info).user, *ANYONE)
        return [Cadre.of(c) for c in await org_units.cadres(ctx(info).pool, ctx(info).schema)]

    @strawberry.field
    async def worker(self, info: Info, id: strawberry.ID) -> Worker | None:
        user = require(ctx(info).user, *PEOPLE)
        try:
            worker_id = UUID(str(id))
        except ValueError:
            raise ClientError(f"{id!r} is not a worker id.", "BAD_USER_INPUT") from None
        record = await ctx(info).loaders["workers"].load(worker_id)
        if record is None:
            return None
        await check_worker_readable(user, ctx(info).pool, ctx(info).schema, record.id)
        return Worker.of(record, readable=True)

    @strawberry.field
    async def workers(
        self,
        info: Info,
        org_unit_code: str | None = None,
        status: WorkerStatus | None = None,
        cadre_group: CadreGroup | None = None,  # type: ignore[valid-type]
        as_of: date | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> WorkerConnection:
        user = require(ctx(info).user, *PEOPLE)
        day = as_of or date.today()
        if user.role is Role.HR_MANAGER:
            org_unit_code = org_unit_code or user.scope_code
        if org_unit_code is not None:
            await known_unit(info, org_unit_code)
            await check_unit_readable(user, ctx(info).pool, ctx(info).schema, org_unit_code, day)
        cursor = decode_cursor(after)
        try:
            after_id = UUID(cursor) if cursor is not None else None
        except ValueError:
            raise ClientError(f"after: {after!r} is not a cursor this API gave out.", "BAD_USER_INPUT") from None
        page, more, total = await mobility.workers(
            ctx(info).pool,
            ctx(info).schema,
            as_of=day,
            org_unit_code=org_unit_code,
            status=status.value if status else None,
            cadre_group=cadre_group.name if cadre_group else None,
            first=page_size(first),
            after=after_id,
        )
        # A past roster lists everyone who was there (it adds up to the staffing figure), with personal
        # data only for the workers the caller may read now.
        readable = await readable_workers(user, ctx(info).pool, ctx(info).schema, [r.id for r in page])
        edges = [
            WorkerEdge(cursor=encode_cursor(str(r.id)), node=Worker.of(r, readable=r.id in readable)) for r in page
        ]
        return WorkerConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=more, end_cursor=edges[-1].cursor if edges else None),
            total_count=total,
        )

    @strawberry.field
    async def staffing(
        self, info: Info, org_unit_code: str, as_of: date | None = None, known_at: datetime | None = None
    ) -> Staffing:
        require(ctx(info).user, *ANYONE)
        found = await staffing.staffing(
            ctx(info).pool, ctx(info).schema, org_unit_code, as_of or date.today(), known_at
        )
        if found is None:
            raise ClientError(f"There is no org unit {org_unit_code!r}.", "NOT_FOUND")
        return Staffing.of(found)

    @strawberry.field
    async def density_series(
        self,
        info: Info,
        org_unit_code: str,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        interval: Interval,
        known_at: datetime | None = None,
    ) -> list[DensityPoint]:
        require(ctx(info).user, *ANYONE)
        # The unit is looked up while the series is read (one round trip less); an unknown one is
        # refused whatever the series or the checks below gave.
        unit_found = asyncio.ensure_future(known_unit(info, org_unit_code))
        try:
            if to < from_:
                raise ClientError(f"to ({to}) is before from ({from_}).", "BAD_USER_INPUT")
            if (to - from_).days > 366 * 50:
                raise ClientError("A series covers at most 50 years.", "BAD_USER_INPUT")
            if to.year >= MAXYEAR:  # the period after the last would lie past the calendar's end
                raise ClientError(f"to ({to}) must be before {MAXYEAR}-01-01.", "BAD_USER_INPUT")
            points = await density.density_series(
                ctx(info).pool, ctx(info).schema, org_unit_code, from_, to, interval.value, known_at
            )
        finally:
            await unit_found
        return [DensityPoint.of(p) for p in points]

    @strawberry.field
    def thresholds(self, info: Info) -> list[Threshold]:
        require(ctx(info).user, *ANYONE)
        return [Threshold(name=name, per_ten_thousand=value) for name, value in THRESHOLDS]

    @strawberry.field
    async def audit_trail(
        self,
        info: Info,
        worker_id: strawberry.ID | None = None,
        recorded_by: str | None = None,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> AuditConnection:
        require(ctx(info).user, Role.ADMIN, Role.AUDITOR)
        cursor = decode_cursor(after)
        try:
            after_position = int(cursor) if cursor is not None else None
            if after_position is not None and not 0 <= after_position < 2**63:  # a ledger position is a bigint
                raise ValueError(after_position)
            worker = UUID(str(worker_id)) if worker_id is not None else None
        except ValueError:
            raise ClientError("after or workerId is malformed.", "BAD_USER_INPUT") from None
        page, more = await audit.audit_trail(
            ctx(info).pool,
            ctx(info).schema,
            worker_id=worker,
            recorded_by=recorded_by,
            start=from_,
            end=to,
            first=page_size(first),
            after=after_position,
        )
        edges = [
            AuditEdge(
                cursor=encode_cursor(str(r.position)),
                node=AuditEntry(
                    position=r.position,
                    aggregate_id=strawberry.ID(str(r.aggregate_id)),
                    kind=r.kind,
                    effective_on=r.effective_on,
                    recorded_at=r.recorded_at,
                    recorded_by=r.recorded_by,
                    authority=r.authority,
                    backdated=r.backdated,
                    retracted=r.retracted,
                ),
            )
            for r in page
        ]
        return AuditConnection(
            edges=edges, page_info=PageInfo(has_next_page=more, end_cursor=edges[-1].cursor if edges else None)
        )

    @strawberry.field
    async def completeness(self, info: Info, org_unit_code: str) -> Completeness:
        require(ctx(info).user, *ANYONE)
        await known_unit(info, org_unit_code)
        return Completeness.of(
            await staffing.completeness(ctx(info).pool, ctx(info).schema, org_unit_code, date.today())
        )

    @strawberry.field(
        description="Waits until every projection has processed the ledger up to position; false on timeout."
    )
    async def caught_up(self, info: Info, position: int, timeout_ms: int | None = 5000) -> bool:
        require(ctx(info).user, *ANYONE)
        timeout = 5000 if timeout_ms is None else timeout_ms
        if not 0 <= timeout <= 60_000:
            raise ClientError("timeoutMs must be between 0 and 60000.", "BAD_USER_INPUT")
        return await ctx(info).services.projected.wait_for(ctx(info).pool, position, timeout / 1000)
