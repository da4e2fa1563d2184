"""Org units and cadres as clients read them; units are loaded through the request's DataLoaders."""

from datetime import date

import strawberry

from api.graphql.context import Info
from api.graphql.enums import CadreGroup, OrgUnitLevel, Sector
from api.graphql.errors import ClientError
from api.graphql.permissions import field
from domain.errors import N_
from projections.org_units import OrgUnitRecord
from projections.vectors import CadreInfo


@strawberry.type
class Cadre:
    code: str
    name: str
    isco08: str | None
    group: CadreGroup
    qualified: bool

    @classmethod
    def of(cls, c: CadreInfo) -> "Cadre":
        return cls(code=c.code, name=c.name, isco08=c.isco08, group=CadreGroup[c.group], qualified=c.qualified)


@strawberry.type
class OrgUnit:
    code: str
    name: str
    level: OrgUnitLevel
    sector: Sector | None
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
            level=OrgUnitLevel[r.level],
            sector=Sector[r.sector] if r.sector is not None else None,
            facility_kind=r.facility_kind,
            hard_to_reach=r.hard_to_reach,
            opened_on=r.opened_on,
            closed_on=r.closed_on,
            as_of=as_of,
        )

    @field(description="Parent as of the asOf date of the query (today when none).")
    async def parent(self, info: Info) -> "OrgUnit | None":
        code = await info.context.loaders.parents.load((self.code, self.as_of))
        return await unit(info, code, self.as_of)

    @strawberry.field
    async def children(self, info: Info) -> list["OrgUnit"]:
        codes = await info.context.loaders.children.load((self.code, self.as_of))
        found = [await unit(info, code, self.as_of) for code in codes]
        return [u for u in found if u is not None]


async def unit(info: Info, code: str | None, as_of: date) -> OrgUnit | None:
    """The unit ``code`` names, as of ``as_of`` (which its parent and children follow); None for no unit."""
    if code is None:
        return None
    record = await info.context.loaders.units.load(code)
    return OrgUnit.of(record, as_of) if record is not None else None


def no_unit(code: str) -> ClientError:
    """The refusal of a question about an org unit code that names none (NOT_FOUND)."""
    return ClientError(N_("There is no org unit {code!r}."), "NOT_FOUND", code=code)


async def figure_unit(info: Info, code: str, as_of: date) -> OrgUnit:
    """The unit a figure (staffing, establishment, completeness) was computed for, as of ``as_of``.

    Raises:
        LookupError: the read tables hold the figure but not its unit (they are inconsistent).
    """
    found = await unit(info, code, as_of)
    if found is None:
        raise LookupError(f"the read tables hold a figure for {code!r} but no such org unit")
    return found


async def known_unit(info: Info, code: str) -> None:
    """Checks that ``code`` names a unit.

    Raises:
        ClientError: no unit has ``code`` (NOT_FOUND).
    """
    if await info.context.loaders.units.load(code) is None:
        raise no_unit(code)
