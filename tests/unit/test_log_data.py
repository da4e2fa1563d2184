"""The quick way to a line's stored event (``replay.log_data``, generated per event class) gives
byte for byte what the general way, field by field, gives, and leaves every refusal, with its
message, to the general way."""

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.ledger import Ledger
from replay.log_data import Remembered, key
from replay.log_format import MalformedLine
from replay.log_stored import StoredLines
from tests.unit.test_log_values import LINES, changed, json_values, leaves, variants

MISSING: Any = object()
MAPPER = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
CONVERTERS: Any = MAPPER.transcoder.converters  # type: ignore[attr-defined]


def copied(line: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(line))  # type: ignore[no-any-return]


def generally(line: dict[str, Any]) -> Any:
    """The general way's stored event of the line, or its refusal's message."""
    try:
        return StoredLines(MAPPER).generally(copied(line), CONVERTERS)
    except MalformedLine as refusal:
        return str(refusal)


def stored(stored_lines: StoredLines, line: dict[str, Any]) -> Any:
    """``stored_lines``' stored event of the line, or its refusal's message."""
    try:
        return stored_lines(copied(line))
    except MalformedLine as refusal:
        return str(refusal)


def quickly(stored_lines: StoredLines, line: dict[str, Any]) -> Any:
    """What the quick way makes of the line: a stored event, None, or the error it gives up with."""
    try:
        return stored_lines.quickly(copied(line), CONVERTERS)
    except (KeyError, TypeError, ValueError) as error:
        return error


def test_every_line_of_its_class_s_own_version_goes_the_quick_way_to_the_same_bytes() -> None:
    stored_lines = StoredLines(MAPPER)
    for line in LINES:
        found = quickly(stored_lines, line)
        if line["event"] == "DetailsCorrected":
            assert found is None  # its data are some of another class's fields: the general way
        else:
            assert found == generally(line) and isinstance(found, tuple), line["event"]


def test_a_line_of_an_older_version_goes_the_general_way() -> None:
    hired = next(line for line in LINES if line["event"] == "Hired")
    version_1 = {**hired, "data": {k: v for k, v in hired["data"].items() if "country" not in k}}
    del version_1["event_version"]
    assert quickly(StoredLines(MAPPER), version_1) is None
    assert stored(StoredLines(MAPPER), version_1) == generally(version_1)
    assert isinstance(generally(version_1), tuple)


def test_any_event_version_is_stored_alike_or_refused_alike() -> None:
    stored_lines = StoredLines(MAPPER)
    for line in LINES:
        for version in (MISSING, None, 0, 1, 2, 3, True, 2.0, "2"):
            other = {k: v for k, v in line.items() if k != "event_version"}
            if version is not MISSING:
                other["event_version"] = version
            assert stored(stored_lines, other) == generally(other), (line["event"], version)


def test_data_in_another_order_is_stored_alike() -> None:
    for line in LINES:
        reordered = {**line, "data": dict(reversed(line["data"].items()))}
        assert stored(StoredLines(MAPPER), reordered) == generally(reordered)
        if line["event"] != "DetailsCorrected":  # whose corrections keep the data's order
            assert quickly(StoredLines(MAPPER), reordered) == generally(line)


def test_no_near_miss_of_a_value_gets_through_the_quick_way() -> None:
    # One reader throughout: what its tables hold from the lines before must not let a near miss by.
    stored_lines = StoredLines(MAPPER)
    for line in LINES:
        for path in leaves(line):
            original: Any = line
            for step in path:
                original = original[step]
            for value in variants(original):
                damaged = changed(line, path, value)
                assert stored(stored_lines, damaged) == generally(damaged), (path, value)
            assert stored(stored_lines, line) == generally(line)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(LINES), st.data())
def test_a_changed_line_is_stored_alike_or_refused_with_the_same_message(
    line: dict[str, Any], data: st.DataObject
) -> None:
    stored_lines = StoredLines(MAPPER)
    for before in LINES:  # its tables filled
        stored_lines(copied(before))
    path = data.draw(st.sampled_from(leaves(line)))
    damaged = changed(line, path, data.draw(json_values))
    found = quickly(stored_lines, damaged)
    if isinstance(found, tuple):  # the quick way vouched for it: the very bytes of the general way
        assert found == generally(damaged)
    assert stored(stored_lines, damaged) == generally(damaged)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(LINES), st.data())
def test_any_data_key_changed_added_or_dropped_is_stored_alike_or_refused_alike(
    line: dict[str, Any], data: st.DataObject
) -> None:
    values = dict(line["data"])
    dropped = values.pop(data.draw(st.sampled_from(sorted(values))), None) if values else None
    if not values or data.draw(st.booleans()):  # another key, with its value or the dropped one's
        values[data.draw(st.text(max_size=20))] = data.draw(st.just(dropped) | json_values)
    damaged = {**line, "data": values}
    assert stored(StoredLines(MAPPER), damaged) == generally(damaged)


def test_only_texts_and_lists_of_texts_are_kept_by_their_key() -> None:
    assert [key(v) for v in ("2017-03-01", ["2017-03-01", None], ("x", None))] == [
        "2017-03-01",
        ("2017-03-01", None),
        ("x", None),
    ]
    assert [key(v) for v in (None, 1, True, 1.0, [1], ["x", [None]], {"x": 1})] == [None] * 7
    read = Remembered(lambda value: value, size=2)
    for value in ("a", 1, True, "b", "c"):
        read(value)
    assert read.forms == {"c": "c"}  # the numbers were not kept, and the table started again when full
