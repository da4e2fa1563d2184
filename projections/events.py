"""Ledger events as the projections read them: decoded straight from the stored rows.

The library's mapper builds a domain object per event, which costs more than the projections'
whole budget. The stored state is plain JSON, with the transcoder's ``{"_type_", "_data_"}``
wrappers (``domain.transcodings``) for dates, enums, provenance and periods. Each event class
gets one decoder, built the first time its topic is met (the topic resolves to the domain's
class through the library's ``resolve_topic``): from the class's fields and their types, it knows
which values to unwrap and how. Enums stay their names, as the read tables hold them.
"""

import enum
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.utils import resolve_topic

from domain.values import Period, Provenance
from projections.handlers import REGISTRY, EventClass, event_key

ENVELOPE = frozenset(("timestamp", "originator_topic", "meta", "class_version"))
"""Stored keys that are not the event's data (``class_version``: of a versioned class's events)."""
KEYS = frozenset(("originator_id", "originator_version", "originator_id_type"))
"""Attributes of every event stored in their own columns, or not at all."""


@dataclass(slots=True)
class LedgerEvent:
    """One stored event of the OrgUnit, Cadre or Worker aggregates."""

    position: int
    aggregate: str
    aggregate_id: UUID
    version: int
    name: str
    recorded_at: datetime
    meta: dict[str, Any]
    data: dict[str, Any]

    @property
    def effective_on(self) -> date | None:
        value = self.data.get("effective_on")
        return value if value is not None else self.data.get("started_on")


def unwrap(value: Any) -> Any:
    """Turns the transcoder's wrapped values into dates, datetimes, enum names and dicts: for
    values whose type the event class leaves open (a correction's ``dict[str, Any]``)."""
    if isinstance(value, dict):
        kind = value.get("_type_")
        if kind is None:
            return {k: unwrap(v) for k, v in value.items()}
        data = value["_data_"]
        if kind == "date":
            return date.fromisoformat(data)
        if kind == "datetime_iso":
            return datetime.fromisoformat(data)
        if kind == "provenance":
            return data
        if kind == "period":
            return [unwrap(v) for v in data]
        return data  # an enum, stored by name
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


Converter = Callable[[Any], Any]


def _as_date(value: Any) -> date:
    return date.fromisoformat(value["_data_"])


def _as_name(value: Any) -> Any:
    return value["_data_"]


def _as_period(value: Any) -> list[Any]:
    return [unwrap(v) for v in value["_data_"]]


def converter_for(hint: Any) -> Converter | None:
    """How a stored value of type ``hint`` is decoded; None for plain JSON values (strings,
    numbers, booleans), taken as they are. ``X | None`` is decoded as ``X`` (None stays None)."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        kinds = [h for h in typing.get_args(hint) if h is not type(None)]
        return converter_for(kinds[0]) if len(kinds) == 1 else unwrap
    if hint in (str, int, bool, float):
        return None
    if hint is date:
        return _as_date
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _as_name
    if hint is Provenance:
        return _as_name  # its fields, as a dict
    if hint is Period:
        return _as_period
    return unwrap


class EventDecoder:
    """Decodes the stored state of one event class into a ``LedgerEvent``."""

    def __init__(self, event_class: EventClass) -> None:
        self.event_class = event_class
        self.aggregate, self.name = event_key(event_class)
        hints = typing.get_type_hints(event_class)
        self.fields = tuple(name for name in hints if name not in ENVELOPE and name not in KEYS)
        """The event's data keys: an event recorded before a key was added reads None for it."""
        self.converters: dict[str, Converter] = {}
        for name, hint in hints.items():
            converter = converter_for(hint)
            if converter is not None and name not in ENVELOPE:
                self.converters[name] = converter

    def decode(self, position: int, aggregate_id: UUID, version: int, state: bytes) -> LedgerEvent:
        raw = orjson.loads(state)
        converters = self.converters
        data = {}
        for key, value in raw.items():
            if key in ENVELOPE:
                continue
            converter = converters.get(key)
            data[key] = value if converter is None or value is None else converter(value)
        if len(data) < len(self.fields):
            for name in self.fields:
                data.setdefault(name, None)
        return LedgerEvent(
            position=position,
            aggregate=self.aggregate,
            aggregate_id=aggregate_id,
            version=version,
            name=self.name,
            recorded_at=datetime.fromisoformat(raw["timestamp"]["_data_"]),
            meta=raw["meta"]["_data_"],
            data=data,
        )


@cache
def decoder_for(topic: str) -> EventDecoder | None:
    """The decoder of the event class ``topic`` names; None for a class declared as changing no
    read table (``projections.handlers``: the ledger's receipts and registries)."""
    event_class = resolve_topic(topic)
    return EventDecoder(event_class) if REGISTRY.is_projected(event_class) else None


def decode(position: int, aggregate_id: UUID, version: int, topic: str, state: bytes | None) -> LedgerEvent | None:
    """Decodes a stored event; None for the events that change no read table."""
    decoder = decoder_for(topic)
    if decoder is None:
        return None
    assert state is not None, f"the ledger read no state for {topic}"
    return decoder.decode(position, aggregate_id, version, state)
