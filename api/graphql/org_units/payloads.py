"""What the org tree's and the cadres' mutations answer: the unit or cadre after the command.

Read from the read tables once they include the command, or else from the ledger's aggregates.
"""

from datetime import date

import strawberry

from api.graphql.context import Info
from api.graphql.org_units.types import Cadre, OrgUnit, unit
from api.graphql.payloads import Recorded, included, read_back, recorded
from domain.cadre import Cadre as CadreAggregate
from domain.identity import cadre_id, org_unit_id
from domain.ledger import Outcome
from domain.org_unit import OrgUnit as OrgUnitAggregate
from projections.org_units import OrgUnitRecord
from projections.vectors import CadreInfo


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


async def unit_payload(info: Info, code: str, outcome: Outcome) -> OrgUnitPayload:
    async def from_tables() -> OrgUnit | None:
        info.context.loaders.units.clear_all()
        return await unit(info, code, date.today())

    def from_ledger() -> OrgUnit:
        return OrgUnit.of(unit_record(info.context.services.ledger.repository.get(org_unit_id(code))), date.today())

    found, caught_up = await read_back(info, outcome, from_tables, from_ledger)
    return OrgUnitPayload(org_unit=found, **recorded(outcome, caught_up))


async def cadre_payload(info: Info, code: str, outcome: Outcome) -> CadrePayload:
    async def from_tables() -> CadreInfo | None:
        info.context.loaders.cadres.clear_all()
        return await info.context.loaders.cadres.load(code)

    def from_ledger() -> CadreInfo:
        return cadre_info(info.context.services.ledger.repository.get(cadre_id(code)))

    found, caught_up = await read_back(info, outcome, from_tables, from_ledger)
    return CadrePayload(cadre=Cadre.of(found), **recorded(outcome, caught_up))


async def population_payload(info: Info, code: str, year: int, population: int, outcome: Outcome) -> PopulationPayload:
    caught_up = await included(info, outcome)
    return PopulationPayload(org_unit_code=code, year=year, population=population, **recorded(outcome, caught_up))


# The write model's view, for answers made before the read tables include the command.


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
