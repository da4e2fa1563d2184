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
versions itself (``replay/bulk/sharded.py``), so events are described before they are recorded by
:func:`unplaced`: their canonical form cut around the position and the version, which the
recorder puts in (:func:`placed_digest`). Sorted, the kept keys put ``position`` between ``note``
and ``recorded_at``, and ``version`` last.
"""

import enum
import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
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
ENVELOPE = frozenset(("originator_id", "originator_version", "timestamp", "meta", "originator_topic", "class_version"))
"""Event attributes that are not its data (``class_version``: of an event read as it was recorded,
at an older version than its class's, see ``domain.encoding.recorded_event``)."""
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


class Describer:
    """:func:`unplaced`, fast: the bulk path describes every event it records.

    Each event class gets a function, generated from the first event of the class seen (as
    ``domain/encoding.py``'s ``StateEncoder`` is), that builds the event's head with its keys
    already sorted and hands it to orjson in one call: dates and ids as they are (orjson writes
    them as ``isoformat()`` and ``str()`` do), enum members as their names. The time and
    provenance of the last event are kept, as a command's events share them. An event with other
    keys than its class's first, and whatever orjson refuses, goes the slow way, through
    :func:`line_fields` and the json module.
    """

    def __init__(self) -> None:
        self.encoders: dict[tuple[type, tuple[str, ...]], Callable[[dict[str, Any], Any], bytes] | None] = {}
        self.last: tuple[Any, Any, bytes] = (None, None, b"")

    def __call__(self, event: Any) -> Unplaced:
        state = vars(event)
        shape = (type(event), tuple(state))
        encode = self.encoders.get(shape, MISSING)
        if encode is MISSING:
            encode = self.encoders[shape] = head_encoder(event)
        if encode is None:
            return slowly(event)
        meta = state["meta"]
        middle = self.middle(meta, state["timestamp"])
        if middle is None:
            return slowly(event)
        try:
            return encode(state, meta), middle
        except (TypeError, orjson.JSONEncodeError):
            return slowly(event)

    def middle(self, meta: Any, timestamp: Any) -> bytes | None:
        """The part of an event's description between its position and its version, for its
        provenance and time (None when orjson refuses them: the event goes the slow way)."""
        last = self.last
        if last[0] is not meta or last[1] is not timestamp:
            try:
                # orjson writes a datetime in UTC as isoformat() does, five times faster (not so
                # an offset with seconds, which it drops)
                utc = type(timestamp) is datetime and timestamp.tzinfo is UTC
                middle = b',"recorded_at":%s,"recorded_by":%s,"version":' % (
                    orjson.dumps(timestamp if utc else timestamp.isoformat()),
                    orjson.dumps(meta.recorded_by),
                )
            except (TypeError, orjson.JSONEncodeError):
                return None
            last = self.last = (meta, timestamp, middle)
        return last[2]


MISSING: Any = object()
NATIVE = frozenset((str, int, bool, type(None), date, UUID))
"""Types whose values orjson writes as the log does (``isoformat()``, ``str()``)."""


def items(values: list[Any]) -> list[Any]:
    """:func:`to_json` of a list, periods (a roster's stints) the quick way: their dates as they are."""
    return [[v.start, v.end] if type(v) is Period else v if type(v) in NATIVE else to_json(v) for v in values]


HEAD_NAMESPACE: dict[str, Any] = {"NATIVE": NATIVE, "convert": to_json, "dumps": orjson.dumps, "items": items}
"""What the source of :func:`head_line` and :func:`head_expression` names."""


def head_encoder(first: Any) -> Callable[[dict[str, Any], Any], bytes] | None:
    """A function of a state and its provenance that gives the head of the canonical form of an
    event of ``first``'s class with its keys (None for ``Worker.DetailsCorrected``, whose data are
    a dict: it goes the slow way)."""
    state = vars(first)
    keys = [k for k in state if k not in ENVELOPE]
    if CORRECTIONS in keys:
        return None
    namespace = dict(HEAD_NAMESPACE)
    lines = [
        f"    v = state[{key!r}]\n    t = type(v)\n{head_line(i, state[key], namespace)}" for i, key in enumerate(keys)
    ]
    indices = {key: i for i, key in enumerate(keys)}
    source = "def encode(state, meta):\n" + "\n".join(lines) + f"\n    return {head_expression(first, indices)}\n"
    exec(source, namespace)  # like dataclasses: the source is made of the keys' and names' reprs only
    encode: Callable[[dict[str, Any], Any], bytes] = namespace["encode"]
    return encode


def head_line(i: int, value: Any, namespace: dict[str, Any]) -> str:
    """The source line that sets ``h{i}`` to the log's form of the value ``v`` (of type ``t``) of
    the ``i``-th data key, whose value was ``value`` in the first event of its class: the quick
    way for that value's type, ``to_json`` for any other; it adds what it names to ``namespace``."""
    kind = type(value)
    if issubclass(kind, enum.Enum):
        namespace[f"E{i}"], namespace[f"N{i}"] = kind, {member: member.name for member in kind}
        return f"    h{i} = N{i}[v] if t is E{i} else v if t in NATIVE else convert(v)"
    if kind is list:
        return f"    h{i} = items(v) if t is list else v if t in NATIVE else convert(v)"
    return f"    h{i} = v if t in NATIVE else convert(v)"


def head_expression(first: Any, indices: dict[str, int]) -> str:
    """The source of the head of an event of ``first``'s class, in one orjson call, its keys
    sorted, from its ``state``, its ``meta`` and the ``h{i}`` of :func:`head_line` (``indices``:
    each data key's ``i``)."""
    aggregate, name = names_of(first)
    entries = ", ".join(f"{key!r}: h{indices[key]}" for key in sorted(indices))
    return (
        f"dumps({{'aggregate': {aggregate!r}, 'aggregate_id': state['originator_id'], "
        "'authority': meta.authority, 'command_id': meta.command_id, "
        f"'data': {{{entries}}}, 'event': {name!r}, 'note': meta.note}})[:-1] + b',\"position\":'"
    )


def slowly(event: Any) -> Unplaced:
    """:func:`unplaced`, through :func:`line_fields` and the json module."""
    line = line_fields(0, event)
    head = {key: line[key] for key in BEFORE_POSITION}
    middle = {key: line[key] for key in BEFORE_VERSION}
    dump = json.dumps
    return (
        dump(head, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()[:-1] + b',"position":',
        b"," + dump(middle, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()[1:-1] + b',"version":',
    )


unplaced = Describer()
"""``unplaced(event)``: the event's canonical form, less its position and version (see the
module's docstring)."""


def placed_digest(parts: Unplaced, position: int, version: int) -> str:
    """The digest of an event described by :func:`unplaced`, once it has its position and version."""
    head, middle = parts
    return hashlib.sha256(b"%s%d%s%d}" % (head, position, middle, version)).hexdigest()
