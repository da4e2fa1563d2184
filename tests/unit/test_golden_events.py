"""Stored events must stay readable: these were written by an earlier version of the ledger.

If this fails after a change to an event, the change needs a ``class_version`` and an upcaster,
not a new golden file.
"""

import json
from datetime import UTC, date, datetime
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.ledger import Ledger
from domain.values import CadreGroup, DepartureReason, LeaveKind, OrgUnitLevel, Period, Provenance, Sex
from replay.log_format import event_classes
from tests.golden.scenario import GOLDEN, OTHER, WORKER


def stored_events() -> list[StoredEvent]:
    rows = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines()]
    return [StoredEvent(UUID(r["originator_id"]), r["version"], r["topic"], r["state"].encode()) for r in rows]


def decoded() -> list[object]:
    mapper = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    return [mapper.to_domain_event(stored) for stored in stored_events()]


def by_name(name: str) -> list[object]:
    return [event for event in decoded() if type(event).__qualname__ == name]


def test_the_golden_file_holds_every_event_type() -> None:
    topics = {stored.topic for stored in stored_events()}
    assert topics == {cls.TOPIC for cls in event_classes().values()}


def test_a_stored_hire_decodes_with_dates_enums_and_provenance() -> None:
    (hire, other) = by_name("Worker.Hired")
    assert hire.originator_id == WORKER and other.originator_id == OTHER
    assert hire.family_name == "Traoré"
    assert hire.sex is Sex.FEMALE
    assert hire.birth_date == date(1985, 4, 3)
    assert hire.effective_on == date(2010, 1, 4)
    assert hire.meta == Provenance("sikasso.rh", "Arrêté 2009-3311", None, "c-hire-1")
    assert hire.timestamp.tzinfo is not None and hire.timestamp > datetime(2019, 12, 2, tzinfo=UTC)


def test_stored_org_unit_cadre_and_movement_events_decode() -> None:
    assert [e.level for e in by_name("OrgUnit.Opened")][:2] == [OrgUnitLevel.COUNTRY, OrgUnitLevel.REGION]
    (move,) = by_name("OrgUnit.Moved")
    assert (move.new_parent_code, move.effective_on) == ("KOU", date(2016, 1, 19))
    assert by_name("Cadre.Defined")[0].group is CadreGroup.NURSE
    (transfer,) = by_name("Worker.Transferred")
    assert (transfer.from_facility_code, transfer.to_facility_code) == ("SIK-CSREF-01", "SIK-CSCOM-12")
    assert by_name("Worker.LeaveStarted")[0].kind is LeaveKind.MATERNITY
    assert [d.reason for d in by_name("Worker.Departed")] == [DepartureReason.RESIGNATION, DepartureReason.EMIGRATION]
    (correction,) = by_name("Worker.DetailsCorrected")
    assert correction.corrections == {"civil_service_number": "MLI-0001235", "birth_date": date(1985, 4, 30)}
    (retraction,) = by_name("Worker.EventRetracted")
    assert retraction.retracted_version == 9


def test_replaying_the_golden_events_rebuilds_the_worker() -> None:
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ledger.recorder.insert_events(stored_events())
    worker = ledger.repository.get(WORKER)
    assert worker.civil_service_number == "MLI-0001235"
    assert worker.cadre_code == "IDE"  # the hire's cadre; requalification is effective-dated in the timeline
    assert [e.kind.name for e in worker.in_force()][-2:] == ["DEPARTED", "REHIRED"]
    stints = [event.stints for event in by_name("FacilityRoster.StintsChanged") if event.worker_id == WORKER]
    assert [Period(date(2010, 2, 1), date(2017, 3, 1))] in stints
