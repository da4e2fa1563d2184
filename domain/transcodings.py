"""Transcodings for the stored event schema: dates, enums, provenance and periods.

The library's JSON transcoder knows none of these. Enums are stored by name, so that a
value's wording can change without touching stored events.
"""

import enum
from datetime import date
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.values import ENUMS, Period, Provenance


class DateAsISO(Transcoding):
    type = date
    name = "date"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class EnumAsName(Transcoding):
    def __init__(self, enum_type: type[enum.Enum]) -> None:
        self.type = enum_type
        self.enum_type = enum_type
        self.name = enum_type.__name__

    def encode(self, obj: enum.Enum) -> str:
        return obj.name

    def decode(self, data: str) -> enum.Enum:
        return self.enum_type[data]


class ProvenanceAsDict(Transcoding):
    type = Provenance
    name = "provenance"

    def encode(self, obj: Provenance) -> dict[str, Any]:
        return {k: v for k, v in vars(obj).items() if v is not None}

    def decode(self, data: dict[str, Any]) -> Provenance:
        return Provenance(**data)


class PeriodAsList(Transcoding):
    type = Period
    name = "period"

    def encode(self, obj: Period) -> list[Any]:
        return [obj.start, obj.end]

    def decode(self, data: list[Any]) -> Period:
        return Period(data[0], data[1])


def register_transcodings(transcoder: JSONTranscoder) -> None:
    """Registers every transcoding the ledger's events need."""
    register = transcoder.register
    register(DateAsISO())
    register(ProvenanceAsDict())
    register(PeriodAsList())
    for enum_type in ENUMS:
        register(EnumAsName(enum_type))
