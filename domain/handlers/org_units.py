"""How the org-unit and cadre commands change the aggregates."""

from uuid import UUID

from domain import commands as c
from domain.cadre import Cadre
from domain.errors import N_, DuplicateCode, InvalidParent
from domain.handlers.dispatch import handle
from domain.identity import cadre_id, org_unit_id
from domain.org_unit import OrgUnit
from domain.registry import FacilityRoster
from domain.staging import Staging
from domain.values import OrgUnitLevel, Provenance


@handle.register
def _(command: c.OpenOrgUnit, staging: Staging, meta: Provenance) -> UUID:
    if staging.find(OrgUnit, org_unit_id(command.code)) is not None:
        raise DuplicateCode(N_("Org unit code {code!r} is already taken; choose another code."), code=command.code)
    if command.parent_code is None:
        if command.level is not OrgUnitLevel.COUNTRY:
            raise InvalidParent(N_("A {level} needs a parent; give parentCode."), level=command.level.name)
    else:
        if command.level is OrgUnitLevel.COUNTRY:
            raise InvalidParent(N_("A COUNTRY has no parent; leave parentCode empty."))
        staging.org_unit(command.parent_code).check_can_parent(command.code, command.level, command.opened_on)
    unit = OrgUnit(
        code=command.code,
        name=command.name,
        level=command.level,
        parent_code=command.parent_code,
        sector=command.sector,
        facility_kind=command.facility_kind,
        hard_to_reach=command.hard_to_reach,
        effective_on=command.opened_on,
        meta=meta,
    )
    staging.add(unit)
    return unit.id


@handle.register
def _(command: c.MoveOrgUnit, staging: Staging, meta: Provenance) -> UUID:
    unit = staging.org_unit(command.code)
    unit.move(staging.org_unit(command.new_parent_code), command.effective_on, meta)
    staging.add(unit)
    return unit.id


@handle.register
def _(command: c.RenameOrgUnit, staging: Staging, meta: Provenance) -> UUID:
    unit = staging.org_unit(command.code)
    unit.rename(command.name, command.effective_on, meta)
    staging.add(unit)
    return unit.id


@handle.register
def _(command: c.CloseOrgUnit, staging: Staging, meta: Provenance) -> UUID:
    unit = staging.org_unit(command.code)
    unit.check_can_close(command.effective_on)
    if unit.level is OrgUnitLevel.FACILITY:
        roster = staging.roster(unit.code) or FacilityRoster(facility_code=unit.code, meta=meta)
        roster.record_closure(command.effective_on, meta)
        staging.add(roster)
    unit.close(command.effective_on, meta)
    staging.add(unit)
    return unit.id


@handle.register
def _(command: c.RecordPopulation, staging: Staging, meta: Provenance) -> UUID:
    unit = staging.org_unit(command.org_unit_code)
    unit.estimate_population(command.year, command.population, command.source, meta)
    staging.add(unit)
    return unit.id


@handle.register
def _(command: c.SetEstablishment, staging: Staging, meta: Provenance) -> UUID:
    unit = staging.org_unit(command.facility_code)
    staging.cadre(command.cadre_code)
    unit.set_establishment(command.cadre_code, command.posts, command.effective_on, meta)
    staging.add(unit)
    return unit.id


@handle.register
def _(command: c.DefineCadre, staging: Staging, meta: Provenance) -> UUID:
    if staging.find(Cadre, cadre_id(command.code)) is not None:
        raise DuplicateCode(N_("Cadre code {code!r} is already taken; choose another code."), code=command.code)
    cadre = Cadre(
        code=command.code,
        name=command.name,
        isco08=command.isco08,
        group=command.group,
        qualified=command.qualified,
        meta=meta,
    )
    staging.add(cadre)
    return cadre.id
