"""The ledger's orjson transcoder writes exactly the bytes of the library's JSON transcoder."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent, TranscodingNotRegisteredError

from domain.encoding import LedgerMapper, LedgerTranscoder, quick_stored_event, recorded_event, stored_event
from domain.ledger import Ledger
from domain.values import FundingSource, Period, Provenance, Sector, Sex
from domain.worker import Worker
from tests.golden.scenario import record
from tests.unit.test_golden_events import stored_events

META = Provenance("clerk", authority="A-1")


def library_transcoder() -> JSONTranscoder:
    """The library's transcoder, with the ledger's transcodings."""
    transcoder = JSONTranscoder()
    Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).register_transcodings(transcoder)
    return transcoder


def test_the_ledger_uses_the_orjson_transcoder() -> None:
    assert isinstance(Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper.transcoder, LedgerTranscoder)


def test_every_golden_event_encodes_to_its_stored_bytes() -> None:
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    transcoder = ledger.mapper.transcoder
    library = library_transcoder()
    for stored in stored_events():
        state = library.decode(stored.state)
        assert transcoder.encode(state) == library.encode(state) == stored.state, stored.topic


def test_every_event_of_the_golden_scenario_is_stored_as_the_library_would() -> None:
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    record(ledger)
    library = Mapper(library_transcoder())  # the library's mapper adds a versioned class's class_version
    notifications = ledger.recorder.select_notifications(1, 10_000)
    assert {n.topic for n in notifications} == {s.topic for s in stored_events()}
    for notification in notifications:
        event = ledger.mapper.to_domain_event(notification)
        assert notification.state == library.to_stored_event(event).state, notification.topic


@pytest.mark.parametrize(
    "value",
    [
        {"x": 1.5, "y": float("nan")},
        {"big": 2**70, "small": -(2**70)},
        {1: "a non-string key"},
        {"decimal": Decimal("1.10"), "tuple": (date(2020, 1, 2), None)},
        {"text": 'é"\\\n\t\x00\u2028', "nested": [{"meta": Provenance("u", note="n")}, Period(date(2020, 1, 1))]},
        {"enum": Sex.FEMALE, "flag": True, "none": None},
    ],
)
def test_edge_values_encode_as_the_library_would(value: dict[Any, Any]) -> None:
    transcoder = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper.transcoder
    assert transcoder.encode(value) == library_transcoder().encode(value)


def test_an_unregistered_type_is_refused_as_the_library_would() -> None:
    transcoder = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper.transcoder
    with pytest.raises(TranscodingNotRegisteredError):
        transcoder.encode({"x": object()})


def test_values_kept_from_earlier_events_encode_as_the_library_would() -> None:
    # Equal values that encode differently must never share a kept wrapper.
    paris = timezone(timedelta(hours=1))
    noon_utc = datetime(2020, 1, 1, 12, tzinfo=UTC)
    meta = Provenance("u", authority="A")
    values = [
        {"on": date(2020, 1, 2), "at": noon_utc, "meta": meta, "sex": Sex.FEMALE},
        {"on": date(2020, 1, 2), "at": noon_utc.astimezone(paris), "meta": meta, "sex": Sex.FEMALE},
        {"on": datetime(2020, 1, 2), "amount": Decimal("1.1"), "meta": Provenance("u", authority="B")},
        {"on": date(2020, 1, 2), "amount": Decimal("1.10"), "period": Period(date(2020, 1, 1))},
        {"period": Period(date(2020, 1, 1), date(2020, 2, 1)), "id": UUID(int=7), "again": UUID(int=7)},
    ]
    transcoder = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper.transcoder
    library = library_transcoder()
    for _ in range(2):
        for value in values:
            assert transcoder.encode(value) == library.encode(value)


def test_each_event_class_is_stored_as_the_library_would_whatever_its_values() -> None:
    # The first event of a class shapes its encoder; later ones with other types, other keys
    # or values only the library writes must still come out as the library writes them.
    mapper = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    library = Mapper(library_transcoder())
    at = datetime(2020, 1, 1, 12, tzinfo=UTC)

    def posted(**fields: Any) -> Worker.Posted:
        values = {"facility_code": "F-1", "job_title": None, "effective_on": date(2020, 1, 2), "meta": META, **fields}
        return Worker.Posted(originator_id=UUID(int=1), originator_version=2, timestamp=at, **values)

    odd = posted()
    object.__setattr__(odd, "__dict__", dict(reversed(vars(odd).items())))
    extra = posted()
    object.__setattr__(extra, "note", Sex.MALE)
    events = [
        posted(),
        posted(job_title="Sage-femme", effective_on=date(2021, 3, 4)),
        posted(job_title=Sex.FEMALE, effective_on=datetime(2020, 1, 2, tzinfo=UTC)),
        posted(job_title=1.5, meta=Provenance("other", note="é")),
        posted(facility_code=None, job_title=2**70),
        odd,
        extra,
        posted(),
    ]
    for event in events:
        assert mapper.to_stored_event(event) == library.to_stored_event(event)


def test_stored_events_are_made_as_the_library_makes_them() -> None:
    assert stored_event is quick_stored_event  # the library's StoredEvent is as the quick way expects
    made = quick_stored_event(UUID(int=3), 4, "hrh:Worker.Posted.v1", b"{}")
    assert made == StoredEvent(UUID(int=3), 4, "hrh:Worker.Posted.v1", b"{}")
    assert list(vars(made)) == ["originator_id", "originator_version", "topic", "state"]


def hired(**fields: Any) -> Any:
    values = {
        "civil_service_number": "MLI-1",
        "family_name": "Traoré",
        "given_names": "Awa",
        "sex": Sex.FEMALE,
        "birth_date": date(1985, 4, 3),
        "cadre_code": "IDE",
        "sector": Sector.PUBLIC,
        "funding_source": FundingSource.STATE,
        "effective_on": date(2010, 1, 4),
        "meta": META,
        "country_of_birth": "ML",
        "qualification_country": "SN",
        **fields,
    }
    at = datetime(2020, 1, 1, 12, tzinfo=UTC)
    return Worker.Hired(
        originator_id=UUID(int=1), originator_version=1, timestamp=at, originator_topic="hrh:Worker", **values
    )


def test_version_2_hires_are_stored_as_the_library_would() -> None:
    # The fast path writes "class_version" last, as the library's mapper does, whatever the values.
    mapper = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    library = Mapper(library_transcoder())
    events = [hired(), hired(country_of_birth=None, qualification_country=None), hired(family_name=1.5), hired()]
    for event in events:
        stored = mapper.to_stored_event(event)
        assert stored == library.to_stored_event(event)
        assert stored.state.endswith(b',"class_version":2}')
    assert LedgerMapper(library_transcoder()).to_stored_event(hired()) == library.to_stored_event(hired())


def test_a_stored_version_1_hire_read_as_recorded_is_stored_again_byte_for_byte() -> None:
    mapper = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    (stored, *_) = [s for s in stored_events() if s.topic == "hrh:Worker.Hired.v1"]
    event = recorded_event(mapper, stored)
    assert event.class_version == 1 and "country_of_birth" not in vars(event)
    assert mapper.to_stored_event(event) == stored
    assert mapper.to_domain_event(stored).country_of_birth is None  # the domain reads it upcast
