"""A line the import accepts writes that very line again: the import relies on it (``replay.log_values``).

The import used to write each event's line anew and compare; it now trusts ``event_of`` to refuse
any value that ``export-log`` would not have written. These tests hold it to that, on every kind
of event of the golden scenario, with values changed at random.
"""

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.chain import KEPT, line_fields
from domain.encoding import recorded_event
from domain.ledger import Ledger
from replay.log_format import MalformedLine, event_of, event_to_line
from tests.golden.scenario import record


def scenario_lines() -> list[dict[str, Any]]:
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    record(ledger)
    notifications = ledger.recorder.select_notifications(1, 10_000)
    return [json.loads(event_to_line(n.id, recorded_event(ledger.mapper, n), None)) for n in notifications]


LINES = scenario_lines()


def accepted_lines_write_themselves(line: dict[str, Any]) -> None:
    """``event_of`` refuses the line, or its event writes the line's kept fields exactly."""
    try:
        position, event = event_of(line)
    except MalformedLine:
        return
    assert line_fields(position, event) == {key: line[key] for key in KEPT}


def test_every_kind_of_event_reads_back_as_written() -> None:
    assert len({(line["aggregate"], line["event"]) for line in LINES}) >= 12
    for line in LINES:
        position, event = event_of(line)
        assert line_fields(position, event) == {key: line[key] for key in KEPT}


def variants(value: Any) -> list[Any]:
    """Values close to ``value`` that the log never writes for it, or writes for another type."""
    found: list[Any] = [None, True, 0, 1.0, [], {}, "", [value]]
    if isinstance(value, str):
        found += [value.upper(), value.lower(), value.replace("-", ""), f" {value}", value + "Z", value[:-1]]
        found += [value.replace("+00:00", "Z"), value.replace("T", " "), "2017-W01-1", "2017-3-1", "2017-02-29"]
        found += [str(len(value))]
    if isinstance(value, bool):
        found += [int(value), str(value).lower()]
    elif isinstance(value, int):
        found += [str(value), value is True, float(value), -value]
    if isinstance(value, list):
        found += [value[:1], [*value, None], [[item] for item in value]]
    return found


def leaves(line: dict[str, Any]) -> list[tuple[str, ...]]:
    """The paths of the values of a line's kept fields, data's included."""
    paths: list[tuple[str, ...]] = [(key,) for key in KEPT if key != "data"]
    paths += [("data", key) for key in line["data"]]
    return paths


def changed(line: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    copy = json.loads(json.dumps(line))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


@pytest.mark.parametrize("line", LINES, ids=lambda line: f"{line['position']}-{line['event']}")
def test_no_near_miss_of_a_value_is_taken_for_another(line: dict[str, Any]) -> None:
    for path in leaves(line):
        original = line
        for key in path:
            original = original[key]
        for value in variants(original):
            accepted_lines_write_themselves(changed(line, path, value))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(LINES), st.data())
def test_any_value_anywhere_is_refused_or_read_back_as_written(line: dict[str, Any], data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(leaves(line)))
    accepted_lines_write_themselves(changed(line, path, data.draw(json_values)))
