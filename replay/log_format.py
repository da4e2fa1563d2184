"""The public JSON Lines log format (DESIGN, "Log export format"): one event a line.

This module maps domain events to lines and back. Dates are ISO strings, enums their names.
"""

import enum
import json
import types
import typing
from datetime import date, datetime
from functools import cache
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.domain import Aggregate

from domain.cadre import Cadre
from domain.chain import CORRECTIONS, ENVELOPE, KEPT, PROVENANCE_KEYS, line_fields
from domain.org_unit import OrgUnit
from domain.registry import CivilServiceNumber, CommandReceipt, FacilityRoster
from domain.values import Period, Provenance
from domain.worker import Worker

AGGREGATES: tuple[type[Aggregate], ...] = (OrgUnit, Cadre, Worker, CivilServiceNumber, CommandReceipt, FacilityRoster)
LINE_KEYS = KEPT
"""The keys every line has, in order; lines written by ``export-log`` also end with ``chain``."""
CHAIN = "chain"


class MalformedLine(ValueError):
    """Raised when a line of a log file is not a ledger event in the documented format."""


@cache
def event_classes() -> dict[tuple[str, str], type]:
    """Every stored event class, by (aggregate name, event name)."""
    found: dict[tuple[str, str], type] = {}
    for aggregate in AGGREGATES:
        for name, value in vars(aggregate).items():
            if isinstance(value, type) and name not in ("Event", "Created") and "TOPIC" in vars(value):
                found[(aggregate.__name__, name)] = value
    return found


@cache
def names_topic(event_class: type) -> bool:
    """Whether events of the class carry their aggregate's topic (the creation events do)."""
    return "originator_topic" in typing.get_type_hints(event_class)


@cache
def field_types(event_class: type) -> dict[str, Any]:
    hints = typing.get_type_hints(event_class).items()
    return {k: v for k, v in hints if k not in ENVELOPE and typing.get_origin(v) is not typing.ClassVar}


def from_json(kind: Any, value: Any) -> Any:
    """Turns a JSON value back into the Python type ``kind`` of an event field."""
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        (inner,) = [a for a in typing.get_args(kind) if a is not type(None)]
        return from_json(inner, value)
    if origin is list:
        (inner,) = typing.get_args(kind)
        return [from_json(inner, v) for v in value]
    if kind is Period:
        return Period(date.fromisoformat(value[0]), None if value[1] is None else date.fromisoformat(value[1]))
    if kind is date:
        return date.fromisoformat(value)
    if kind is UUID:
        return UUID(value)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind[value]
    if kind in (int, str, bool) and not isinstance(value, kind):
        raise TypeError(f"expected {kind.__name__}, got {value!r}")
    return value


def event_to_line(position: int, event: Any, chain: str | None) -> str:
    """The line of ``event`` at ``position``, with its chain hash (DESIGN, "Log export format")."""
    line = line_fields(position, event)
    line[CHAIN] = chain
    return json.dumps(line, ensure_ascii=False, separators=(", ", ": "))


def line_to_event(text: str) -> tuple[int, Any]:
    """Parses one line; returns its position and the domain event.

    Raises:
        MalformedLine: the line is not JSON, lacks a key, or names an unknown event.
    """
    return event_of(parse(text))


def parse(text: str) -> dict[str, Any]:
    """The JSON object of one line.

    Raises:
        MalformedLine: the line is not a JSON object.
    """
    try:
        line = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise MalformedLine(f"not JSON ({error.msg})") from None
    if not isinstance(line, dict):
        raise MalformedLine("not a JSON object")
    return line


def event_of(line: dict[str, Any]) -> tuple[int, Any]:
    """The position and the domain event of a parsed line.

    Raises:
        MalformedLine: the line lacks a key, or names an unknown event, or a value is not of its type.
    """
    missing = [key for key in LINE_KEYS if key not in line]
    if missing:
        raise MalformedLine(f"missing keys: {', '.join(missing)}")
    event_class = event_classes().get((line["aggregate"], line["event"]))
    if event_class is None:
        raise MalformedLine(f"unknown event {line['aggregate']}.{line['event']}")
    try:
        state = decode_data(event_class, line["data"])
        state.update(
            originator_id=UUID(line["aggregate_id"]),
            originator_version=int(line["version"]),
            timestamp=datetime.fromisoformat(line["recorded_at"]),
            meta=Provenance(**{key: line[key] for key in PROVENANCE_KEYS}),
        )
        if names_topic(event_class):
            aggregate_class = next(a for a in AGGREGATES if a.__name__ == line["aggregate"])
            state["originator_topic"] = aggregate_class.TOPIC  # type: ignore[attr-defined]
        position = int(line["position"])
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise MalformedLine(f"bad value ({error})") from None
    if position < 1 or state["originator_version"] < 1 or state["timestamp"].tzinfo is None:
        raise MalformedLine("position and version start at 1, and recorded_at needs a UTC offset")
    event: Any = object.__new__(event_class)
    object.__setattr__(event, "__dict__", state)
    return position, event


def decode_data(event_class: type, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TypeError("data is not an object")
    kinds = field_types(event_class)
    if CORRECTIONS in kinds:
        hired = field_types(Worker.Hired)
        return {CORRECTIONS: {k: from_json(hired[k], v) for k, v in data.items()}}
    unknown = set(data) - set(kinds)
    if unknown:
        raise KeyError(f"unknown data keys {sorted(unknown)}")
    return {name: from_json(kind, data.get(name)) for name, kind in kinds.items()}
