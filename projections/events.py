"""Ledger events as the projections read them: decoded straight from the stored rows.

The library's mapper builds a domain object per event, which costs more than the projections'
whole budget. The stored state is plain JSON with ``{"_type_", "_data_"}`` wrappers for dates,
enums and provenance, so the projections decode it with orjson and unwrap those themselves.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson

ENVELOPE = frozenset(("timestamp", "originator_topic", "meta"))
DOMAIN_AGGREGATES = frozenset(("OrgUnit", "Cadre", "Worker"))
NESTED = frozenset((dict, list))


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
    """Turns the transcoder's wrapped values into dates, datetimes, enum names and dicts."""
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


def names(topic: str) -> tuple[str, str]:
    """``hrh:Worker.Transferred.v1`` → ``("Worker", "Transferred")``."""
    aggregate, _, rest = topic.partition(":")[2].partition(".")
    return aggregate, rest.partition(".")[0]


def decode(position: int, aggregate_id: UUID, version: int, topic: str, state: bytes) -> LedgerEvent | None:
    """Decodes a stored event; None for the ledger's internal aggregates (receipts, registries)."""
    aggregate, name = names(topic)
    if aggregate not in DOMAIN_AGGREGATES:
        return None
    raw = orjson.loads(state)
    # Most values are plain (strings, numbers, None): only dicts and lists need unwrapping.
    data = {k: unwrap(v) if type(v) in NESTED else v for k, v in raw.items() if k not in ENVELOPE}
    return LedgerEvent(
        position=position,
        aggregate=aggregate,
        aggregate_id=aggregate_id,
        version=version,
        name=name,
        recorded_at=datetime.fromisoformat(raw["timestamp"]["_data_"]),
        meta=raw["meta"]["_data_"],
        data=data,
    )
