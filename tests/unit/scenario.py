"""The Kita district scenario that the unit stories share, and the steps they repeat.

A country, a region, a district, a hospital and two community health centres, all opened on
1 January 2020, and two cadres. Every story runs against an in-memory ledger.
"""

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest

from domain import commands as c
from domain import timeline
from domain.errors import DomainError
from domain.identity import org_unit_id, roster_id
from domain.ledger import Ledger, Outcome
from domain.org_unit import OrgUnit
from domain.registry import FacilityRoster
from domain.values import CadreGroup, FundingSource, OrgUnitLevel, Period, Sector, Sex
from domain.worker import Worker

CLERK = "kita.rh"
NOW = datetime(2024, 6, 30, 9, 0, tzinfo=UTC)
OPENED = date(2020, 1, 1)

MALI, KAYES, KITA = "ML", "ML-KAYES", "ML-KAYES-KITA"
HOSPITAL, CENTRE, DISPENSARY = "KITA-CSREF", "KITA-CSCOM-01", "KITA-CSCOM-02"
NURSE, MIDWIFE = "INF-ETAT", "SAGE-FEMME"


def in_memory_ledger(now: datetime = NOW) -> Ledger:
    """A fresh in-memory ledger whose "today" is ``now``."""
    return Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock_=lambda: now)


def open_unit(code: str, level: OrgUnitLevel, parent_code: str | None, **fields: Any) -> c.OpenOrgUnit:
    defaults: dict[str, Any] = {"name": code.title(), "opened_on": OPENED}
    if level is OrgUnitLevel.FACILITY:
        defaults |= {"sector": Sector.PUBLIC, "facility_kind": "CSCOM"}
    return c.OpenOrgUnit(code=code, level=level, parent_code=parent_code, **(defaults | fields))


def kita_district(ledger: Ledger) -> Ledger:
    """Opens the Kita district's org tree and defines the nurse and midwife cadres."""
    for command in (
        open_unit(MALI, OrgUnitLevel.COUNTRY, None, name="Mali"),
        open_unit(KAYES, OrgUnitLevel.REGION, MALI, name="Kayes"),
        open_unit(KITA, OrgUnitLevel.DISTRICT, KAYES, name="Kita"),
        open_unit(HOSPITAL, OrgUnitLevel.FACILITY, KITA, name="CSRéf de Kita", facility_kind="CSREF"),
        open_unit(CENTRE, OrgUnitLevel.FACILITY, KITA, name="CSCom de Kita-Ouest"),
        open_unit(DISPENSARY, OrgUnitLevel.FACILITY, KITA, name="CSCom de Sébékoro"),
        c.DefineCadre(code=NURSE, name="Infirmier d'État", isco08="2221", group=CadreGroup.NURSE, qualified=True),
        c.DefineCadre(code=MIDWIFE, name="Sage-femme", isco08="2222", group=CadreGroup.MIDWIFE, qualified=True),
    ):
        ledger.execute(command, CLERK)
    return ledger


def hire_command(**fields: Any) -> c.HireWorker:
    command = c.HireWorker(
        family_name="Traoré",
        given_names="Aminata",
        sex=Sex.FEMALE,
        birth_date=date(1990, 4, 3),
        cadre_code=NURSE,
        sector=Sector.PUBLIC,
        funding_source=FundingSource.STATE,
        effective_on=date(2021, 1, 4),
    )
    return replace(command, **fields)


def hire(ledger: Ledger, **fields: Any) -> UUID:
    """Hires a nurse (by default on 4 January 2021) and returns the new worker's id."""
    return ledger.execute(hire_command(**fields), CLERK).aggregate_id


def hire_and_post(ledger: Ledger, facility_code: str = HOSPITAL, on: date = date(2021, 1, 4), **fields: Any) -> UUID:
    worker_id = hire(ledger, effective_on=on, **fields)
    ledger.execute(c.PostWorker(worker_id=worker_id, facility_code=facility_code, effective_on=on), CLERK)
    return worker_id


def record(ledger: Ledger, command: c.Command) -> Outcome:
    """Executes ``command`` and checks it wrote at least one event."""
    before = ledger.recorder.max_notification_id() or 0
    outcome = ledger.execute(command, CLERK)
    assert not outcome.replayed
    assert outcome.position > before
    return outcome


def refused(ledger: Ledger, command: c.Command, code: str, recorded_by: str = CLERK) -> DomainError:
    """Executes ``command``, checks it is refused with ``code`` and that nothing was written."""
    before = ledger.recorder.max_notification_id()
    with pytest.raises(DomainError) as caught:
        ledger.execute(command, recorded_by)
    assert caught.value.code == code, caught.value.message
    assert ledger.recorder.max_notification_id() == before
    return caught.value


def worker(ledger: Ledger, worker_id: UUID) -> Worker:
    found = ledger.repository.get(worker_id)
    assert isinstance(found, Worker)
    return found


def org_unit(ledger: Ledger, code: str) -> OrgUnit:
    found = ledger.repository.get(org_unit_id(code))
    assert isinstance(found, OrgUnit)
    return found


def stints(ledger: Ledger, worker_id: UUID) -> dict[str, list[Period]]:
    """The worker's periods in post per facility, from their stored timeline."""
    loaded = worker(ledger, worker_id)
    facilities = {code: org_unit(ledger, code) for code in loaded.timeline.facility_codes()}
    return timeline.check(loaded.timeline.in_force(), facilities)


def roster(ledger: Ledger, facility_code: str) -> dict[UUID, list[Period]]:
    """Who the facility's roster says is in post there, and when."""
    found = ledger.repository.get(roster_id(facility_code))
    assert isinstance(found, FacilityRoster)
    return found.stints
