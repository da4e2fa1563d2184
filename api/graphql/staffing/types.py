"""Staffing figures and density series as clients read them."""

from datetime import date, datetime
from enum import Enum

import strawberry

from api.graphql.context import Info
from api.graphql.org_units.types import OrgUnit, figure_unit
from api.graphql.permissions import field
from api.graphql.staffing.breakdowns import JointCount, StaffingDimension, StaffingFigure, joint_counts
from projections.density import DensityPoint as DensityRecord
from projections.staffing import StaffingRecord


@strawberry.enum
class Interval(Enum):
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    YEAR = "YEAR"


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
        return await figure_unit(info, self.code, self.as_of)

    @field(
        description="The workers counted in `figure` (active by default), by the categories of `by` taken together: "
        "one entry per combination with workers. The counts sum to the figure; with one dimension they are its "
        "breakdown. `country` (ISO 3166-1 alpha-2) tells national from foreign for PLACE_OF_BIRTH and "
        "PLACE_OF_TRAINING."
    )
    async def breakdown(
        self,
        info: Info,
        by: list[StaffingDimension],
        figure: StaffingFigure = StaffingFigure.ACTIVE,
        country: str | None = None,
    ) -> list[JointCount]:
        return await joint_counts(info, self.code, self.as_of, self.known_at, by, figure, country)


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
