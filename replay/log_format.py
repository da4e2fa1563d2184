"""The public JSON Lines log format (DESIGN, "Log export format"): one event a line.

This module maps domain events to lines and back. Dates are ISO strings, enums their names.
``data`` is the event as it was recorded (no upcaster applies); an event recorded at a class
version above 1 says so in ``event_version``, and its data has that version's keys.
"""

import json
import typing
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

import orjson
from eventsourcing.domain import Aggregate

from domain.cadre import Cadre
from domain.chain import CORRECTIONS, ENVELOPE, KEPT, PROVENANCE_KEYS, line_fields
from domain.encoding import VERSION
from domain.org_unit import OrgUnit
from domain.registry import CivilServiceNumber, CommandReceipt, FacilityRoster
from domain.values import Provenance
from domain.worker import Worker
from replay.log_values import Reader, datetime_value, reader, uuid_value

AGGREGATES: tuple[type[Aggregate], ...] = (OrgUnit, Cadre, Worker, CivilServiceNumber, CommandReceipt, FacilityRoster)
LINE_KEYS = KEPT
"""The keys every line has, in order; lines written by ``export-log`` also end with ``chain``."""
CHAIN = "chain"
EVENT_VERSION = "event_version"
"""The key of the version an event was recorded at, when above 1: a line of version 1 (and every line
written before events had versions) has none. The chain does not cover it, but each version's data
has its own keys, which the chain covers and the import checks against the version."""


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


def event_to_line(position: int, event: Any, chain: str | None) -> str:
    """The line of ``event`` at ``position``, with its chain hash (DESIGN, "Log export format")."""
    line = line_fields(position, event)
    version = getattr(event, VERSION, 1)
    if version > 1:
        line[EVENT_VERSION] = version
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
    """The position and the domain event of a parsed line, which writes that very line again
    (``replay.log_values``).

    Raises:
        MalformedLine: the line lacks a key, or names an unknown event, or a value is not of its
            type or not written as the log writes it.
    """
    position, event_class, state = event_state(line)
    event: Any = object.__new__(event_class)
    object.__setattr__(event, "__dict__", state)
    return position, event


def event_state(
    line: dict[str, Any], fields_of: "Callable[[type], dict[str, Reader]] | None" = None
) -> tuple[int, type, dict[str, Any]]:
    """The position, the event class and the event's attributes of a parsed line, in the order
    ``event_of`` gives them; each field read by ``fields_of(event class)`` (default: ``readers``).

    Raises:
        MalformedLine: as ``event_of``.
    """
    missing = [key for key in LINE_KEYS if key not in line]
    if missing:
        raise MalformedLine(f"missing keys: {', '.join(missing)}")
    names = (line["aggregate"], line["event"])
    event_class = event_classes().get(names) if all(type(name) is str for name in names) else None
    if event_class is None:
        raise MalformedLine(f"unknown event {line['aggregate']}.{line['event']}")
    version, current = line.get(EVENT_VERSION, 1), getattr(event_class, VERSION, 1)
    if type(version) is not int or not 1 <= version <= current:
        raise MalformedLine(f"{line['aggregate']}.{line['event']} has no version {version!r} (1 to {current})")
    position, originator_version = line["position"], line["version"]
    if type(position) is not int or type(originator_version) is not int or position < 1 or originator_version < 1:
        raise MalformedLine("position and version are whole numbers from 1")
    try:
        state = decode_data(event_class, line["data"], version, fields_of)
        state.update(
            originator_id=uuid_value(line["aggregate_id"]),
            originator_version=originator_version,
            timestamp=RECORDED.moment(line["recorded_at"]),
            meta=RECORDED.provenance(tuple(line[key] for key in PROVENANCE_KEYS)),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise MalformedLine(f"bad value ({error})") from None
    if names_topic(event_class):
        state["originator_topic"] = aggregate_topic(line["aggregate"])
    if version < current:
        state[VERSION] = version  # stored as recorded: see ``domain.encoding.recorded_event``
    return position, event_class, state


@cache
def aggregate_topic(name: str) -> str:
    return next(a for a in AGGREGATES if a.__name__ == name).TOPIC  # type: ignore[attr-defined, no-any-return]


class Recorded:
    """The moment and provenance of the last line read, given again to the next line that has the
    same: a command's events share them, and the encoder remembers the last one it wrote."""

    def __init__(self) -> None:
        self.last_moment: tuple[str, datetime] | None = None
        self.last_provenance: tuple[tuple[Any, ...], Provenance] | None = None

    def moment(self, text: Any) -> datetime:
        if self.last_moment is None or self.last_moment[0] != text:
            self.last_moment = (text, datetime_value(text))
        return self.last_moment[1]

    def provenance(self, values: tuple[Any, ...]) -> Provenance:
        if self.last_provenance is None or self.last_provenance[0] != values:
            recorded_by, *others = values
            if type(recorded_by) is not str or any(v is not None and type(v) is not str for v in others):
                raise TypeError(f"expected text for {', '.join(PROVENANCE_KEYS)}, got {values!r}")
            self.last_provenance = (values, Provenance(*values))
        return self.last_provenance[1]


RECORDED = Recorded()


@cache
def readers(event_class: type) -> dict[str, Reader]:
    """The reader of each of the event class's fields, in their order."""
    return {name: reader(kind) for name, kind in field_types(event_class).items() if name != CORRECTIONS}


def decode_data(
    event_class: type, data: Any, version: int = 1, fields_of: "Callable[[type], dict[str, Reader]] | None" = None
) -> dict[str, Any]:
    """The event's attributes from a line's ``data``, of an event recorded at ``version``, each
    field read by ``fields_of(event class)`` (default: ``readers``).

    Raises:
        KeyError: a key that the event's version has not, or lacks.
        TypeError, ValueError: a value not of its field's type, or not written as the log writes it.
    """
    if type(data) is not dict:
        raise TypeError("data is not an object")
    fields_of = fields_of or readers
    if CORRECTIONS in field_types(event_class):
        hired = fields_of(Worker.Hired)
        unknown = set(data) - set(hired)
        if unknown:
            raise KeyError(f"unknown data keys {sorted(unknown)}")
        return {CORRECTIONS: {k: hired[k](v) for k, v in data.items()}}
    fields = fields_of(event_class)
    if data.keys() != fields.keys():
        unknown = set(data) - set(fields)
        if unknown:
            raise KeyError(f"unknown data keys {sorted(unknown)}")
        if version == getattr(event_class, VERSION, 1):
            raise KeyError(f"data lacks keys {sorted(set(fields) - set(data))}")
        check_keys_of_version(event_class, frozenset(data), version)
        return {name: read(data[name]) for name, read in fields.items() if name in data}
    if version < getattr(event_class, VERSION, 1):
        check_keys_of_version(event_class, frozenset(data), version)
    return {name: read(data[name]) for name, read in fields.items()}


@cache
def check_keys_of_version(event_class: type, keys: frozenset[str], version: int) -> None:
    """Raises KeyError unless ``keys`` are those of the event's ``version``: the ones the class's
    upcasters leave as they are and complete to the class's fields."""
    probe: dict[str, Any] = dict.fromkeys(keys, MISSING)
    for older in range(version, getattr(event_class, VERSION)):
        getattr(event_class, f"upcast_v{older}_v{older + 1}")(probe)
    if set(probe) != set(field_types(event_class)) or any(probe[key] is not MISSING for key in keys):
        raise KeyError(f"data keys {sorted(keys)} are not those of version {version}")


MISSING: Any = object()
