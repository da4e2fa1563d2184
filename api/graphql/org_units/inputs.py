"""The inputs of the org tree's and the cadres' mutations, as the contract names them."""

from datetime import date

import strawberry

from api.graphql.enums import CadreGroup, OrgUnitLevel, Sector


@strawberry.input
class OpenOrgUnitInput:
    code: str
    name: str
    level: OrgUnitLevel
    parent_code: str | None = None
    sector: Sector | None = None
    facility_kind: str | None = None
    hard_to_reach: bool | None = False
    opened_on: date
    command_id: str | None = None


@strawberry.input
class MoveOrgUnitInput:
    code: str
    new_parent_code: str
    effective_on: date
    authority: str | None = None
    command_id: str | None = None


@strawberry.input
class CloseOrgUnitInput:
    code: str
    effective_on: date
    authority: str | None = None
    command_id: str | None = None


@strawberry.input
class RecordPopulationInput:
    org_unit_code: str
    year: int
    population: int
    source: str | None = None
    command_id: str | None = None


@strawberry.input
class DefineCadreInput:
    code: str
    name: str
    isco08: str | None = None
    group: CadreGroup
    qualified: bool
    command_id: str | None = None
