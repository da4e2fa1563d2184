"""The import's stored events, made straight from the lines (``replay.log_stored``), are byte for
byte those of the lines' domain events through the ledger's mapper, and refuse the same lines."""

import itertools
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.ledger import Ledger
from replay.log_format import MalformedLine, event_of
from replay.log_stored import StoredLines
from tests.unit.test_log_values import LINES, changed, json_values, leaves

MAPPER = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper


def through_the_event(line: dict[str, Any]) -> tuple[int, tuple[Any, ...]] | None:
    try:
        position, event = event_of(line)
    except MalformedLine:
        return None
    stored = MAPPER.to_stored_event(event)
    return position, (stored.originator_id, stored.originator_version, stored.topic, stored.state)


def straight(line: dict[str, Any]) -> tuple[int, tuple[Any, ...]] | None:
    try:
        return StoredLines(MAPPER)(line)
    except MalformedLine:
        return None


def test_every_kind_of_event_is_stored_as_the_mapper_stores_it() -> None:
    for line in LINES:
        assert straight(line) == through_the_event(line) is not None, line["event"]


def test_one_reader_over_many_lines_keeps_to_each_line() -> None:
    stored = StoredLines(MAPPER)
    for line in itertools.chain(LINES, reversed(LINES), LINES):
        assert stored(line) == through_the_event(line)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(LINES), st.data())
def test_a_changed_line_is_stored_alike_or_refused_alike(line: dict[str, Any], data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(leaves(line)))
    damaged = changed(line, path, data.draw(json_values))
    assert straight(damaged) == through_the_event(damaged)


def test_a_mapper_that_compresses_goes_the_event_s_way() -> None:
    zlib = "eventsourcing.compressor:ZlibCompressor"
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo", "COMPRESSOR_TOPIC": zlib})
    line = json.loads(json.dumps(LINES[0]))
    position, row = StoredLines(ledger.mapper)(line)
    _, event = event_of(line)
    assert row[3] == ledger.mapper.to_stored_event(event).state and position == line["position"]
