"""Staffing and density queries: aggregates, open to every signed-in role (planners included)."""

import asyncio
from datetime import MAXYEAR, date, datetime
from typing import Annotated

import strawberry

from api.access import ANYONE
from api.graphql.context import Info
from api.graphql.errors import ClientError
from api.graphql.org_units.types import known_unit, no_unit
from api.graphql.permissions import field
from api.graphql.staffing.breakdowns import FlowCount, StaffingDimension, flow_counts
from api.graphql.staffing.types import DensityPoint, Interval, Staffing, Threshold
from domain.errors import N_
from projections import density, staffing

THRESHOLDS = (
    (N_("WHO World Health Report 2006 (22.8, rounded to 23)"), 22.8),
    (N_("A Universal Truth (2013)"), 34.5),
    (N_("SDG index threshold"), 44.5),
)
MAX_SERIES_DAYS = 366 * 50


def check_series_dates(from_: date, to: date) -> None:
    """Checks that a density series from ``from_`` to ``to`` can be computed.

    Raises:
        ClientError: ``to`` before ``from_``, a series over 50 years, or one reaching the calendar's last year
            (BAD_USER_INPUT).
    """
    if to < from_:
        raise ClientError(N_("to ({to}) is before from ({from_})."), "BAD_USER_INPUT", to=to, from_=from_)
    if (to - from_).days > MAX_SERIES_DAYS:
        raise ClientError(N_("A series covers at most 50 years."), "BAD_USER_INPUT")
    if to.year >= MAXYEAR:  # the period after the last would lie past the calendar's end
        raise ClientError(N_("to ({to}) must be before {latest}."), "BAD_USER_INPUT", to=to, latest=date(MAXYEAR, 1, 1))


async def series(
    info: Info, code: str, from_: date, to: date, interval: Interval, known_at: datetime | None
) -> list[DensityPoint]:
    """The density series of unit ``code``. The unit is looked up while the series is read (one round trip
    less); an unknown one is refused whatever the series or the date checks gave."""
    unit_found = asyncio.ensure_future(known_unit(info, code))
    try:
        check_series_dates(from_, to)
        points = await density.density_series(
            info.context.pool, info.context.schema, code, from_, to, interval.value, known_at
        )
    finally:
        await unit_found
    return [DensityPoint.of(p) for p in points]


@strawberry.type
class StaffingQueries:
    @field(*ANYONE)
    async def staffing(
        self, info: Info, org_unit_code: str, as_of: date | None = None, known_at: datetime | None = None
    ) -> Staffing:
        day = as_of or date.today()
        found = await staffing.staffing(info.context.pool, info.context.schema, org_unit_code, day, known_at)
        if found is None:
            raise no_unit(org_unit_code)
        return Staffing.of(found)

    @field(*ANYONE)
    async def density_series(
        self,
        info: Info,
        org_unit_code: str,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        interval: Interval,
        known_at: datetime | None = None,
    ) -> list[DensityPoint]:
        return await series(info, org_unit_code, from_, to, interval, known_at)

    @field(
        *ANYONE,
        description="The flows of a unit effective from `from` to `to` (both included), as known at `knownAt`, by "
        "kind and by the categories of `by` (none: one count per kind): entries (hires and rehires, where the "
        "posting that follows places the worker), exits (departures from the unit, by reason: voluntary, "
        "involuntary, other) and transfers across the unit's boundary, apart (docs/exports.md, NHWA).",
    )
    async def workforce_flows(
        self,
        info: Info,
        org_unit_code: str,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        by: list[StaffingDimension] | None = None,
        known_at: datetime | None = None,
        country: str | None = None,
    ) -> list[FlowCount]:
        await known_unit(info, org_unit_code)
        check_series_dates(from_, to)
        return await flow_counts(info, org_unit_code, (from_, to), known_at, by or [], country)

    @field(*ANYONE)
    def thresholds(self) -> list[Threshold]:
        return [Threshold(name=name, per_ten_thousand=value) for name, value in THRESHOLDS]
