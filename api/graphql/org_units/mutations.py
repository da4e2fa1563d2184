"""The org tree's and the cadres' mutations: an ADMIN's, each recording one command."""

import strawberry

from api.access import ADMINS
from api.graphql.context import Info
from api.graphql.org_units.inputs import (
    CloseOrgUnitInput,
    DefineCadreInput,
    MoveOrgUnitInput,
    OpenOrgUnitInput,
    RecordPopulationInput,
)
from api.graphql.org_units.payloads import (
    CadrePayload,
    OrgUnitPayload,
    PopulationPayload,
    cadre_payload,
    population_payload,
    unit_payload,
)
from api.graphql.permissions import mutation
from api.graphql.recording import fields, record
from domain import commands as c


@strawberry.type
class OrgUnitMutations:
    @mutation(*ADMINS)
    async def open_org_unit(self, info: Info, input: OpenOrgUnitInput) -> OrgUnitPayload:
        command = c.OpenOrgUnit(**{**fields(input), "hard_to_reach": bool(input.hard_to_reach)})
        return await unit_payload(info, input.code, await record(info, command))

    @mutation(*ADMINS)
    async def move_org_unit(self, info: Info, input: MoveOrgUnitInput) -> OrgUnitPayload:
        return await unit_payload(info, input.code, await record(info, c.MoveOrgUnit(**fields(input))))

    @mutation(*ADMINS)
    async def close_org_unit(self, info: Info, input: CloseOrgUnitInput) -> OrgUnitPayload:
        return await unit_payload(info, input.code, await record(info, c.CloseOrgUnit(**fields(input))))

    @mutation(*ADMINS)
    async def record_population(self, info: Info, input: RecordPopulationInput) -> PopulationPayload:
        outcome = await record(info, c.RecordPopulation(**fields(input)))
        return await population_payload(info, input.org_unit_code, input.year, input.population, outcome)

    @mutation(*ADMINS)
    async def define_cadre(self, info: Info, input: DefineCadreInput) -> CadrePayload:
        return await cadre_payload(info, input.code, await record(info, c.DefineCadre(**fields(input))))
