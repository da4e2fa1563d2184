"""The chain hash of DESIGN's "Tamper evidence": every event's log line in canonical form, its
digest, and the chain over the digests in ledger order.

An event's line is the one ``hrh export-log`` writes for it (DESIGN, "Log export format"); its
canonical form keeps only the keys in :data:`KEPT`, sorted, without spaces, non-ASCII text as
UTF-8::

    digest(p) = sha256(canonical(p)).hexdigest()
    chain(p)  = sha256((previous + "\\n" + digest(p)).encode()).hexdigest()

with ``previous`` the chain of the event before ``p`` in ledger order, :data:`GENESIS` for the
first. :func:`line_fields` builds the kept fields both for the export and for the recorder, so the
two cannot differ.

An event's position is known only once it is inserted, and the bulk path's parent numbers some
versions itself (``domain/sharded.py``), so events are described before they are recorded by
:func:`unplaced`: their canonical form cut around the position and the version, which the
recorder puts in (:func:`placed_digest`). Sorted, the kept keys put ``position`` between ``note``
and ``recorded_at``, and ``version`` last.
"""

import enum
import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson

from domain.values import Period, Provenance

KEPT = (
    "position",
    "aggregate",
    "aggregate_id",
    "version",
    "event",
    "recorded_at",
    "recorded_by",
    "authority",
    "note",
    "command_id",
    "data",
)
"""The keys of an export line that the chain covers, in the line's order."""
GENESIS = "0" * 64
"""The ``previous`` of the first event."""
ENVELOPE = frozenset(("originator_id", "originator_version", "timestamp", "meta", "originator_topic"))
"""Event attributes that are not its data."""
PROVENANCE_KEYS = ("recorded_by", "authority", "note", "command_id")
CORRECTIONS = "corrections"
"""The one attribute of ``Worker.DetailsCorrected``: its data are the corrected fields."""

BEFORE_POSITION = ("aggregate", "aggregate_id", "authority", "command_id", "data", "event", "note")
BEFORE_VERSION = ("recorded_at", "recorded_by")
assert sorted(KEPT) == [*BEFORE_POSITION, "position", *BEFORE_VERSION, "version"]  # how the cut works

Unplaced = tuple[bytes, bytes]
"""An event's canonical form cut around its position and version: what comes before the
position, and what comes between the position and the version."""

PLAIN = frozenset((str, int, bool, type(None)))


def to_json(value: Any) -> Any:
    """A field's value as the log writes it: dates ISO strings, enums their names."""
    kind = type(value)
    if kind in PLAIN:
        return value
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Period):
        return [to_json(value.start), to_json(value.end)]
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return value


def names_of(event: Any) -> tuple[str, str]:
    """The event's aggregate and event names, ``("Worker", "Transferred")``."""
    aggregate, _, name = type(event).__qualname__.partition(".")
    return aggregate, name


def data_of(event: Any) -> dict[str, Any]:
    """The event's ``data``, as the log writes it."""
    data = {k: to_json(v) for k, v in vars(event).items() if k not in ENVELOPE}
    if CORRECTIONS in data:
        return dict(data[CORRECTIONS])
    return data


def line_fields(position: int, event: Any) -> dict[str, Any]:
    """The fields of ``event``'s export line that the chain covers, in the line's order."""
    aggregate, name = names_of(event)
    meta: Provenance = vars(event)["meta"]
    return {
        "position": position,
        "aggregate": aggregate,
        "aggregate_id": str(event.originator_id),
        "version": event.originator_version,
        "event": name,
        "recorded_at": event.timestamp.isoformat(),
        **{key: getattr(meta, key) for key in PROVENANCE_KEYS},
        "data": data_of(event),
    }


def canonical(line: Mapping[str, Any]) -> bytes:
    """The canonical form of a line (any mapping with at least the :data:`KEPT` keys)."""
    kept = {key: line[key] for key in KEPT}
    return json.dumps(kept, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(line: Mapping[str, Any]) -> str:
    """The digest of a line: the SHA-256 of its canonical form, in hex."""
    return hashlib.sha256(canonical(line)).hexdigest()


def link(previous: str, digest: str) -> str:
    """The chain of an event whose digest is ``digest``, after the chain ``previous``."""
    return hashlib.sha256(f"{previous}\n{digest}".encode()).hexdigest()


def compact(value: Mapping[str, Any]) -> bytes:
    """``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` in UTF-8,
    through orjson, which writes the same bytes for the log's values (strings, integers, booleans,
    nulls, lists and objects of them) faster; the json module writes anything else."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def unplaced(event: Any) -> Unplaced:
    """``event``'s canonical form, less its position and version (see the module's docstring)."""
    aggregate, name = names_of(event)
    meta: Provenance = vars(event)["meta"]
    head = {
        "aggregate": aggregate,
        "aggregate_id": str(event.originator_id),
        "authority": meta.authority,
        "command_id": meta.command_id,
        "data": data_of(event),
        "event": name,
        "note": meta.note,
    }
    middle = {"recorded_at": event.timestamp.isoformat(), "recorded_by": meta.recorded_by}
    return compact(head)[:-1] + b',"position":', b"," + compact(middle)[1:-1] + b',"version":'


def placed_digest(parts: Unplaced, position: int, version: int) -> str:
    """The digest of an event described by :func:`unplaced`, once it has its position and version."""
    head, middle = parts
    return hashlib.sha256(b"%s%d%s%d}" % (head, position, middle, version)).hexdigest()
