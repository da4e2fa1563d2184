"""Stored events must stay readable: these were written by an earlier version of the ledger.

If this fails after a change to an event, the change needs a ``class_version`` and an upcaster,
not a new golden file.
"""

import json
from datetime import UTC, date, datetime
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from domain import commands as c
from domain.chain import KEPT, line_fields
from domain.encoding import recorded_event
from domain.ledger import Ledger
from domain.values import (
    CadreGroup,
    DepartureReason,
    LeaveKind,
    OrgUnitLevel,
    Period,
    Provenance,
    Sex,
)
from replay.log_format import MalformedLine, event_classes, event_to_line, line_to_event
from tests.golden.scenario import GOLDEN, HIRED_ABROAD, OTHER, WORKER


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
    assert [e.kind.name for e in worker.timeline.in_force()][-2:] == ["DEPARTED", "REHIRED"]
    stints = [event.stints for event in by_name("FacilityRoster.StintsChanged") if event.worker_id == WORKER]
    assert [Period(date(2010, 2, 1), date(2017, 3, 1))] in stints


# Worker.Hired version 2: the countries of birth and of first qualification.


def popo_ledger() -> Ledger:
    return Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def stored_hires() -> list[StoredEvent]:
    return [stored for stored in stored_events() if stored.topic == "hrh:Worker.Hired.v1"]


def test_stored_version_1_hires_decode_with_unknown_countries() -> None:
    assert all(b"class_version" not in stored.state for stored in stored_hires())
    for hire in by_name("Worker.Hired"):
        assert (hire.country_of_birth, hire.qualification_country) == (None, None)
    ledger = popo_ledger()
    ledger.recorder.insert_events(stored_events())
    worker = ledger.repository.get(WORKER)
    assert (worker.country_of_birth, worker.qualification_country) == (None, None)


def hire_abroad(ledger: Ledger) -> UUID:
    ledger.execute(
        c.DefineCadre(code="IDE", name="Infirmier", isco08="3221", group=CadreGroup.NURSE, qualified=True), "dnrh"
    )
    return ledger.execute(HIRED_ABROAD, "dnrh").aggregate_id


def test_a_version_2_hire_round_trips_through_the_store() -> None:
    ledger = popo_ledger()
    worker_id = hire_abroad(ledger)
    (stored,) = [n for n in ledger.recorder.select_notifications(1, 100) if n.topic == "hrh:Worker.Hired.v1"]
    assert stored.state.endswith(b',"class_version":2}')
    hire = ledger.mapper.to_domain_event(stored)
    assert (hire.country_of_birth, hire.qualification_country) == ("BF", "SN")
    assert ledger.mapper.to_stored_event(hire).state == stored.state
    worker = popo_ledger()
    worker.recorder.insert_events(ledger.recorder.select_notifications(1, 100))
    loaded = worker.repository.get(worker_id)
    assert (loaded.country_of_birth, loaded.qualification_country) == ("BF", "SN")


def test_log_lines_of_both_versions_round_trip() -> None:
    # The export reads events as recorded (no upcaster); a line of version 2 says so in
    # event_version; its import stores the same state, and its export is the same line.
    ledger = popo_ledger()
    hire_abroad(ledger)
    (v2,) = [n for n in ledger.recorder.select_notifications(1, 100) if n.topic == "hrh:Worker.Hired.v1"]
    for stored in [*stored_hires(), v2]:
        line = event_to_line(7, recorded_event(ledger.mapper, stored), "c" * 64)
        fields = json.loads(line)
        if stored is v2:
            assert fields["event_version"] == 2
            assert (fields["data"]["country_of_birth"], fields["data"]["qualification_country"]) == ("BF", "SN")
        else:
            assert "event_version" not in fields and "country_of_birth" not in fields["data"]
        assert list(fields)[-1] == "chain" and [k for k in fields if k in KEPT] == list(KEPT)
        position, event = line_to_event(line)
        decode = ledger.mapper.transcoder.decode
        assert decode(ledger.mapper.to_stored_event(event).state) == decode(stored.state)  # keys in another order
        assert event_to_line(position, event, "c" * 64) == line
        assert line_fields(position, event) == {key: fields[key] for key in KEPT}


def test_a_line_whose_data_is_not_of_its_version_is_refused() -> None:
    ledger = popo_ledger()
    fields = json.loads(event_to_line(3, recorded_event(ledger.mapper, stored_hires()[0]), None))
    with pytest.raises(MalformedLine, match="no version 3"):
        line_to_event(json.dumps({**fields, "event_version": 3}))
    with pytest.raises(MalformedLine, match="not those of version 1"):
        line_to_event(json.dumps({**fields, "data": {**fields["data"], "country_of_birth": "ML"}}))
    version_2 = {**fields, "event_version": 2}  # a version 2 line lacking the countries
    with pytest.raises(MalformedLine, match=r"data lacks keys \['country_of_birth', 'qualification_country'\]"):
        line_to_event(json.dumps(version_2))


def test_a_stored_establishment_decodes() -> None:
    (establishment,) = by_name("OrgUnit.EstablishmentSet")
    assert (establishment.cadre_code, establishment.posts, establishment.effective_on) == ("IDE", 4, date(2017, 1, 1))
    assert establishment.meta == Provenance("dnrh", "Arrêté n°2017-0123/MS-SG", None, None)
