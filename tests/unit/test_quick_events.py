"""Events triggered through ``QuickEvent`` are the events the library's machinery would trigger."""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate, BaseAggregate

from domain import clock
from domain.identity import command_receipt_id
from domain.ledger import RECEIPT_TOPIC, Ledger
from domain.quick_events import QuickCreate, QuickEvent, event_builder
from domain.registry import FacilityRoster
from domain.values import FundingSource, Period, Provenance, Sector, Sex
from domain.worker import Worker
from tests.golden.scenario import GOLDEN, record

META = Provenance("tester", authority="A-1")
WORKER = UUID("00000000-0000-4000-8000-000000000009")


def hired() -> Worker:
    return Worker(
        id=WORKER,
        civil_service_number="N-1",
        family_name="Diarra",
        given_names="Awa",
        sex=Sex.FEMALE,
        birth_date=date(1990, 1, 1),
        cadre_code="IDE",
        sector=Sector.PUBLIC,
        funding_source=FundingSource.STATE,
        effective_on=date(2015, 1, 5),
        meta=META,
    )


def state(aggregate: Aggregate) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def test_the_golden_scenario_recorded_today_stores_the_golden_bytes() -> None:
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    record(ledger)
    recorded = [
        (n.topic, str(n.originator_id), n.originator_version, n.state.decode())
        for n in ledger.recorder.select_notifications(1, 10_000)
    ]
    golden = [(r["topic"], sender_keyed(r), r["version"], r["state"]) for r in map(json.loads, GOLDEN.open())]
    assert recorded == golden


def sender_keyed(row: dict[str, Any]) -> str:
    """The golden file's aggregate id, except for command receipts: they were kept under the command id
    alone when it was recorded, and are now kept under the sender's name and the command id."""
    if row["topic"] != RECEIPT_TOPIC:
        return str(row["originator_id"])
    receipt = json.loads(row["state"])
    return str(command_receipt_id(receipt["command_id"], receipt["meta"]["_data_"]["recorded_by"]))


def test_the_aggregates_event_methods_are_quick() -> None:
    assert isinstance(vars(Worker)["_posted"], QuickEvent)
    assert isinstance(vars(FacilityRoster)["_stints_changed"], QuickEvent)


def test_quick_and_library_triggers_make_the_same_events_and_state() -> None:
    calls: list[tuple[str, dict[str, Any]]] = [
        ("_posted", {"facility_code": "F-1", "job_title": None, "effective_on": date(2015, 2, 1), "meta": META}),
        ("_leave_started", {"kind": None, "effective_on": date(2016, 1, 1), "meta": META}),
        ("_details_corrected", {"corrections": {"birth_date": date(1990, 2, 2)}, "meta": META}),
        ("_event_retracted", {"retracted_version": 3, "reason": "wrong worker", "meta": META}),
        ("_departed", {"reason": None, "effective_on": date(2017, 1, 1), "meta": META}),
    ]
    with clock.recording_with(lambda: datetime(2020, 1, 1, tzinfo=UTC)):
        quick, library = hired(), hired()
        for name, kwargs in calls:
            getattr(quick, name)(**kwargs)
            vars(Worker)[name].decorator.__get__(library, Worker)(**kwargs)
        quick_events, library_events = quick.collect_events(), library.collect_events()
    assert [type(e) for e in quick_events] == [type(e) for e in library_events]
    assert [list(vars(e).items()) for e in quick_events] == [list(vars(e).items()) for e in library_events]
    assert state(quick) == state(library)


def test_positional_arguments_go_through_the_library() -> None:
    with clock.recording_with(lambda: datetime(2020, 1, 1, tzinfo=UTC)):
        roster = FacilityRoster(facility_code="F-1", meta=META)
        roster._stints_changed(WORKER, [Period(date(2015, 2, 1))], META)
        (_, changed) = roster.collect_events()
    assert (changed.worker_id, changed.stints, changed.originator_version) == (WORKER, [Period(date(2015, 2, 1))], 2)
    assert roster.stints == {WORKER: [Period(date(2015, 2, 1))]}


def test_quick_and_library_creations_make_the_same_event_and_aggregate() -> None:
    with clock.recording_with(lambda: datetime(2020, 1, 1, tzinfo=UTC)):
        quick = hired()
        library = BaseAggregate._create.__func__(  # type: ignore[attr-defined]
            Worker,
            Worker.Hired,
            id=WORKER,
            civil_service_number="N-1",
            family_name="Diarra",
            given_names="Awa",
            sex=Sex.FEMALE,
            birth_date=date(1990, 1, 1),
            cadre_code="IDE",
            sector=Sector.PUBLIC,
            funding_source=FundingSource.STATE,
            effective_on=date(2015, 1, 5),
            meta=META,
        )
    (quick_event,), (library_event,) = quick.collect_events(), library.collect_events()
    assert type(quick_event) is type(library_event)
    assert list(vars(quick_event).items()) == list(vars(library_event).items())
    assert state(quick) == state(library)


def test_every_event_of_the_aggregates_is_built_without_calling_its_class() -> None:
    members = [v for cls in (Worker, FacilityRoster) for v in vars(cls).values()]
    quick = [v for v in members if isinstance(v, QuickEvent | QuickCreate)]
    assert quick and all(q.build.__name__ == "build" for q in quick)


def test_a_built_event_is_the_event_its_class_makes() -> None:
    build = event_builder(Worker.Posted, ("originator_id", "originator_version", "timestamp"))
    fields = {"facility_code": "F-1", "job_title": None, "effective_on": date(2015, 2, 1), "meta": META}
    at = datetime(2020, 1, 1, tzinfo=UTC)
    built = build(WORKER, 2, at, **fields)
    made = Worker.Posted(originator_id=WORKER, originator_version=2, timestamp=at, **fields)
    assert type(built) is Worker.Posted
    assert list(vars(built).items()) == list(vars(made).items())
    assert built == made


def test_a_built_event_refuses_what_its_class_refuses() -> None:
    build = event_builder(Worker.Posted, ("originator_id", "originator_version", "timestamp"))
    fields = {"facility_code": "F-1", "job_title": None, "effective_on": date(2015, 2, 1), "meta": META}
    at = datetime(2020, 1, 1, tzinfo=UTC)
    with pytest.raises(TypeError, match="non-UUID originator_id"):
        build("not-a-uuid", 2, at, **fields)
    with pytest.raises(TypeError):
        build(WORKER, 2, at, **{**fields, "unknown": 1})
    with pytest.raises(TypeError):
        build(WORKER, 2, at, facility_code="F-1")


def test_a_class_with_its_own_init_is_built_by_calling_it() -> None:
    @dataclass(frozen=True)
    class Odd(Worker.Event):
        extra: int = 0

    build = event_builder(Odd, ("originator_id", "originator_version", "timestamp"))
    assert build.__name__ == "call"
    assert build(WORKER, 2, datetime(2020, 1, 1, tzinfo=UTC)).extra == 0


def test_an_event_with_nothing_but_its_envelope_is_built_too() -> None:
    @dataclass(frozen=True)
    class Bare(Worker.Event):
        pass

    build = event_builder(Bare, ("originator_id", "originator_version", "timestamp"))
    at = datetime(2020, 1, 1, tzinfo=UTC)
    assert build.__name__ == "build"
    assert build(WORKER, 2, at) == Bare(originator_id=WORKER, originator_version=2, timestamp=at)
