"""An event's stored state and chain description made in one pass (``domain.event_bytes``) are
byte for byte what the mapper and ``chain.unplaced`` make apart, and, for the ledger's events,
what the library's mapper stores and DESIGN's digest (spelled out with the json module) hashes."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from itertools import islice
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import chain
from domain.encoding import recorded_event
from domain.event_bytes import EventBytes
from domain.ledger import Ledger
from domain.staging import AggregateCache, Staging
from domain.values import Provenance, Sex
from replay.bulk.rows import attempt
from replay.demo import generate
from tests.unit.test_chain import missing, stdlib_digest
from tests.unit.test_golden_events import decoded, stored_events
from tests.unit.test_transcoder import hired, library_transcoder

MAPPER = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
LIBRARY: Mapper[UUID] = Mapper(library_transcoder())


def outcome(make: Callable[[Any], Any], event: Any) -> Any:
    """What ``make`` makes of ``event``, or the type of error it raises (refused apart: refused
    in one pass too)."""
    try:
        return make(event)
    except Exception as error:
        return type(error)


def apart(event: Any) -> tuple[str, bytes, chain.Unplaced]:
    stored = MAPPER.to_stored_event(event)
    return stored.topic, stored.state, chain.Describer()(event)


def as_design_says(event_bytes: EventBytes, event: Any, position: int) -> None:
    """The library's stored event and DESIGN's digest, from the one pass (an event read as
    recorded at an older version is stored again as it was, not at its class's version:
    ``test_transcoder.py``)."""
    topic, state, parts = event_bytes(event)
    stored = (MAPPER if "class_version" in vars(event) else LIBRARY).to_stored_event(event)
    assert (topic, state) == (stored.topic, stored.state), type(event).__qualname__
    digest = chain.placed_digest(parts, position, event.originator_version)
    assert digest == stdlib_digest(chain.line_fields(position, event)), type(event).__qualname__


def test_every_golden_event_is_stored_and_described_as_the_library_and_design_say() -> None:
    event_bytes = EventBytes(MAPPER)
    events = decoded() + [recorded_event(MAPPER, stored) for stored in stored_events()] + [hired()]
    assert any(vars(e).get("class_version") == 1 for e in events)  # read as recorded, an older version
    assert len({type(e) for e in events}) >= 15
    for position, event in enumerate([*events, *reversed(events)], start=1):
        as_design_says(event_bytes, event, position * 7919)


def test_the_demo_s_events_as_the_bulk_path_makes_them_are_stored_and_described_alike() -> None:
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    staging = Staging(missing, missing, AggregateCache(complete=True))
    event_bytes = EventBytes(ledger.mapper)
    position = 0
    for row, submission in enumerate(islice(generate(seed=5, scale=0.1), 2500)):
        assert attempt(ledger, staging, row, submission) is None
        for event in staging.take_events():
            position += 1
            as_design_says(event_bytes, event, position)
    assert sum(both is not None for both in event_bytes.classes.values()) >= 10  # the one pass, not the two


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-3, minutes=-30))])),
    st.uuids(),
    st.sampled_from(list(Sex)),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.lists(st.one_of(st.text(max_size=3), st.dates(), st.sampled_from(list(Sex))), max_size=3),
)
EVENTS = [*decoded(), hired()]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(EVENTS), st.data()), min_size=1, max_size=6))
def test_events_with_any_values_come_out_as_the_two_make_them_apart(drawn: list[tuple[Any, st.DataObject]]) -> None:
    event_bytes = EventBytes(MAPPER)
    for event, data in drawn:
        state = dict(vars(event))
        keys = [k for k in state if k not in chain.ENVELOPE]
        for key in data.draw(st.lists(st.sampled_from(keys), max_size=3)) if keys else []:
            state[key] = data.draw(VALUES)
        if data.draw(st.booleans()):
            text = data.draw(st.text())
            state["meta"] = Provenance(text, authority=data.draw(st.text()), note=text or None)
            state["timestamp"] = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(microseconds=data.draw(st.integers(0, 9)))
        if data.draw(st.booleans()):  # another order of the same keys, or one more
            state = dict(reversed(state.items())) if data.draw(st.booleans()) else {**state, "extra": 1}
        changed = object.__new__(type(event))
        object.__setattr__(changed, "__dict__", state)
        assert outcome(event_bytes, changed) == outcome(apart, changed)


def test_a_mapper_that_compresses_stores_as_it_does() -> None:
    zlib = "eventsourcing.compressor:ZlibCompressor"
    mapper = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo", "COMPRESSOR_TOPIC": zlib}).mapper
    event_bytes = EventBytes(mapper)
    events: list[Any] = decoded()
    for event in events:
        stored = mapper.to_stored_event(event)
        assert event_bytes(event) == (stored.topic, stored.state, chain.unplaced(event))
    assert not any(event_bytes.classes.values())


def test_a_value_kept_from_an_earlier_event_is_not_taken_for_an_equal_one() -> None:
    # The stored state keeps wrappers by value (dates, enums) and by identity (provenance, time):
    # a datetime equal to the last one in another time zone, or a Decimal 1.10 after 1.1.
    event_bytes = EventBytes(MAPPER)
    noon = datetime(2020, 1, 1, 12, tzinfo=UTC)
    for effective_on in (date(2020, 1, 2), noon, noon.astimezone(timezone(timedelta(hours=1))), Decimal("1.1")):
        for event in (hired(effective_on=effective_on), hired(effective_on=Decimal("1.10"))):
            assert outcome(event_bytes, event) == outcome(apart, event)
    assert isinstance(outcome(apart, hired(effective_on=noon)), tuple)  # a refusal is not all it checks
