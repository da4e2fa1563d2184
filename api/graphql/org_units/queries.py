"""The org tree's and the cadres' queries: open to every signed-in role."""

from datetime import date
from typing import Annotated

import strawberry

from api.access import ANYONE
from api.graphql.context import Info
from api.graphql.enums import OrgUnitLevel
from api.graphql.org_units.types import Cadre, OrgUnit, unit
from api.graphql.permissions import field
from projections import org_units


@strawberry.type
class OrgUnitQueries:
    @field(*ANYONE)
    async def org_unit(self, info: Info, code: str, as_of: date | None = None) -> OrgUnit | None:
        return await unit(info, code, as_of or date.today())

    @field(*ANYONE)
    async def org_units(
        self,
        info: Info,
        level: OrgUnitLevel | None = None,
        parent_code: str | None = None,
        as_of: date | None = None,
        include_closed: Annotated[
            bool, strawberry.argument(description="Also the units closed by asOf (their closedOn says when).")
        ] = False,
    ) -> list[OrgUnit]:
        day = as_of or date.today()
        found = await org_units.org_units(
            info.context.pool,
            info.context.schema,
            level=level.name if level else None,
            parent_code=parent_code,
            as_of=day,
            include_closed=include_closed,
        )
        return [OrgUnit.of(r, day) for r in found]

    @field(*ANYONE)
    async def cadres(self, info: Info) -> list[Cadre]:
        return [Cadre.of(c) for c in await org_units.cadres(info.context.pool, info.context.schema)]
