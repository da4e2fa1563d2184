"""Writing stored events faster, byte for byte as the library writes them.

:class:`LedgerTranscoder` turns each registered type into the library's
``{"_type_": ..., "_data_": ...}`` wrapper itself and hands plain values to orjson, instead of
the json module calling a Python hook per value; :class:`LedgerMapper` maps an event without
copying its attributes first. Decoding is the library's; :func:`recorded_event` decodes an event
as it was recorded, without the upcasters, for the log export and the chain.
"""

import dataclasses
import enum
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Cipher, Compressor, JSONTranscoder, Mapper, StoredEvent, Transcoder, Transcoding
from eventsourcing.utils import get_topic, resolve_topic

from domain.values import Period, Provenance

PLAIN = frozenset({str, int, bool, type(None)})
"""Types that orjson writes exactly as the json module does. Floats are not among them (the two
spell some differently), nor subclasses (the json module writes those as their base type)."""

JSON_NATIVE = (str, int, float, list, tuple, dict)
"""Base types the json module writes itself, never passing them to the transcoder's hook."""


VERSION = "class_version"
"""The key of an event's class version (above 1), which the library writes last in its state."""
ENVELOPE = frozenset({"originator_id", "originator_version", VERSION})
"""Event attributes not encoded with the others (the id and version have their own columns)."""
MISSING: Any = object()


class Unsupported(Exception):
    """A value the fast path does not write exactly as the library would."""


class LedgerTranscoder(JSONTranscoder):
    """The library's JSON transcoder, encoding with orjson; decoding is the library's.

    The bytes are the library's: compact separators, keys in order, non-ASCII text as UTF-8,
    registered types as ``{"_type_": name, "_data_": encoded}``. Whatever the fast path cannot
    vouch for (a float, a type not registered, an integer beyond 64 bits, a key that is not a
    string) goes to the library's encoder, which writes it or raises as before.
    """

    def __init__(self) -> None:
        super().__init__()
        self.converters = Converters(self)

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        self.converters = Converters(self)

    def encode(self, obj: Any) -> bytes:
        try:
            return orjson.dumps(self.plain(obj))
        except (Unsupported, orjson.JSONEncodeError):
            return super().encode(obj)

    def encode_skipping(self, state: dict[str, Any], skip: frozenset[str]) -> bytes:
        """Encodes ``state`` less the keys in ``skip``, as ``encode`` would a copy without them."""
        try:
            return orjson.dumps(self.converters.plain_dict(state, skip))
        except (Unsupported, orjson.JSONEncodeError):
            return super().encode({k: v for k, v in state.items() if k not in skip})

    def plain(self, value: Any) -> Any:
        """``value`` as plain JSON values, each registered type replaced by its wrapper.

        Raises:
            Unsupported: a value that only the library's encoder writes as the library does.
        """
        kind = type(value)
        return value if kind in PLAIN else self.converters[kind](value)


class LedgerMapper(Mapper[UUID]):
    """The library's mapper, writing the same stored events with less work per event.

    It encodes the event's attributes, less its id and version, without copying them first,
    and looks its class's topic up once; a versioned class's ``class_version`` goes last, as the
    library writes it. A mapper with a compressor or a cipher writes as the library's does.
    """

    def __init__(
        self, transcoder: Transcoder, compressor: Compressor | None = None, cipher: Cipher | None = None
    ) -> None:
        super().__init__(transcoder, compressor, cipher)
        self.topics: dict[type, tuple[str, int] | None] = {}
        self.states: dict[type, StateEncoder] = {}

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        kind = type(domain_event)
        found = self.topics.get(kind, MISSING)
        if found is MISSING:
            quick = not self.compressor and not self.cipher
            found = self.topics[kind] = (get_topic(kind), getattr(kind, VERSION, 1)) if quick else None
        transcoder = self.transcoder
        if found is None or not isinstance(transcoder, LedgerTranscoder):
            return self.slowly(domain_event)
        state = vars(domain_event)
        encoder = self.states.get(kind)
        if encoder is None:
            encoder = self.states[kind] = StateEncoder(transcoder, state)
        encoded = encoder(state)
        topic, version = found
        version = state.get(VERSION, version)
        if version > 1:  # as the library adds it: last, once the other attributes are in
            encoded = b"%s%s%s:%d}" % (encoded[:-1], b"," if len(encoded) > 2 else b"", orjson.dumps(VERSION), version)
        return stored_event(state["originator_id"], state["originator_version"], topic, encoded)

    def slowly(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        """The library's ``to_stored_event``, for an event read by :func:`recorded_event` too."""
        state = {k: v for k, v in vars(domain_event).items() if k not in ENVELOPE}
        version = vars(domain_event).get(VERSION, getattr(type(domain_event), VERSION, 1))
        if version > 1:
            state[VERSION] = version
        encoded = self.transcoder.encode(state)
        if self.compressor:
            encoded = self.compressor.compress(encoded)
        if self.cipher:
            encoded = self.cipher.encrypt(encoded)
        topic = get_topic(type(domain_event))
        return StoredEvent(domain_event.originator_id, domain_event.originator_version, topic, encoded)


def recorded_event(mapper: Mapper[UUID], stored: StoredEvent) -> Any:
    """The domain event of ``stored`` as it was recorded, no upcaster applied (DESIGN, "Log export
    format"): one recorded at an older version than its class's has that ``class_version`` itself."""
    kind = resolve_topic(stored.topic)
    encoded = stored.state
    if mapper.cipher:
        encoded = mapper.cipher.decrypt(encoded)
    if mapper.compressor:
        encoded = mapper.compressor.decompress(encoded)
    state: dict[str, Any] = mapper.transcoder.decode(encoded)
    version = state.pop(VERSION, 1)
    state["originator_id"] = UUID(str(stored.originator_id))
    state["originator_version"] = stored.originator_version
    if version != getattr(kind, VERSION, 1):
        state[VERSION] = version
    event = object.__new__(kind)
    object.__setattr__(event, "__dict__", state)
    return event


def quick_stored_event(originator_id: UUID, originator_version: int, topic: str, state: bytes) -> StoredEvent:
    """``StoredEvent(...)``, without the frozen dataclass's ``object.__setattr__`` per field."""
    event = object.__new__(StoredEvent)
    object.__setattr__(
        event,
        "__dict__",
        {"originator_id": originator_id, "originator_version": originator_version, "topic": topic, "state": state},
    )
    return event


stored_event: Callable[[UUID, int, str, bytes], StoredEvent] = (
    quick_stored_event
    if [f.name for f in dataclasses.fields(StoredEvent)] == ["originator_id", "originator_version", "topic", "state"]
    and not hasattr(StoredEvent, "__post_init__")
    and not hasattr(StoredEvent, "__slots__")
    else StoredEvent  # another version of the library: its own constructor
)


class StateEncoder:
    """Encodes the state of one event class, less its id and version, as ``encode_skipping`` does.

    Generated from the first event of its class: an event with its keys in their order is encoded by
    code that names each key and tries its value's type first (enum members' wrappers from a table);
    any other value goes the general way, other keys ``encode_skipping``.
    """

    def __init__(self, transcoder: LedgerTranscoder, first: dict[str, Any]) -> None:
        self.transcoder = transcoder
        self.keys = tuple(first)
        converters = transcoder.converters
        namespace: dict[str, Any] = {"PLAIN": PLAIN, "conv": converters, "dumps": orjson.dumps}
        lines, entries = [], []
        for i, (key, value) in enumerate((k, v) for k, v in first.items() if k not in ENVELOPE):
            lines.append(f"    v = state[{key!r}]\n    t = type(v)\n{self.line(i, value, converters, namespace)}")
            entries.append(f"{key!r}: x{i}")
        source = "def encode(state):\n" + "\n".join(lines) + "\n    return dumps({" + ", ".join(entries) + "})\n"
        exec(source, namespace)  # like dataclasses: the source is made of the keys' reprs only
        self.encode: Callable[[dict[str, Any]], bytes] = namespace["encode"]

    @classmethod
    def line(cls, i: int, value: Any, converters: "Converters", namespace: dict[str, Any]) -> str:
        """The source setting ``x{i}`` to ``v``'s stored form (of type ``t``; the quick way for the type of
        ``value``, the ``i``-th key's in its class's first event); what it names goes in ``namespace``."""
        kind = type(value)
        fast = cls.fast_path(converters, kind)
        if kind in PLAIN or fast is None:
            return f"    x{i} = v if t in PLAIN else conv[t](v)"
        namespace[f"T{i}"], namespace[f"C{i}"] = kind, fast
        return f"    x{i} = C{i}(v) if t is T{i} else v if t in PLAIN else conv[t](v)"

    @staticmethod
    def fast_path(converters: "Converters", kind: type) -> Callable[[Any], Any] | None:
        """What turns a value of ``kind`` into plain JSON values, or None when only the general
        way can (a type that is not registered, or whose values orjson must check itself)."""
        try:
            convert = converters[kind]
        except Unsupported:
            return None
        if issubclass(kind, enum.Enum):
            table = {member: convert(member) for member in kind}
            return table.__getitem__
        return convert

    def __call__(self, state: dict[str, Any]) -> bytes:
        if tuple(state) == self.keys:
            try:
                return self.encode(state)
            except (Unsupported, orjson.JSONEncodeError):
                pass
        return self.transcoder.encode_skipping(state, ENVELOPE)


class Converters(dict[type, Callable[[Any], Any]]):
    """How the fast path turns each type into plain JSON values, made on first use of a type.

    The wrappers of values that recur from event to event are kept: dates, enum members,
    periods and UUIDs by value, since equal values of these types encode alike (not so for a
    datetime, whose equal values may differ in time zone, nor a Decimal: 1.1 and 1.10), and a
    provenance or a datetime for the object last seen, as a command's events share them.
    orjson only reads the wrappers, so one may appear in many events.
    """

    memo_size = 1 << 14
    """Wrappers kept by value per type; the memo starts again when it is full."""

    by_value = frozenset({date, Period, UUID})
    """Types (exactly these, not subclasses) whose equal values always encode alike; enums too."""

    last_seen = frozenset({Provenance, datetime})
    """Immutable types whose objects are often encoded several times in a row."""

    def __init__(self, transcoder: LedgerTranscoder) -> None:
        super().__init__({dict: self.plain_dict, list: self.plain_list, tuple: self.plain_list})
        self.types = transcoder.types

    def plain_dict(self, value: dict[Any, Any], skip: frozenset[str] = frozenset()) -> dict[Any, Any]:
        return {k: v if (t := type(v)) in PLAIN else self[t](v) for k, v in value.items() if k not in skip}

    def plain_list(self, value: list[Any] | tuple[Any, ...]) -> list[Any]:
        return [v if (t := type(v)) in PLAIN else self[t](v) for v in value]

    def __missing__(self, kind: type) -> Callable[[Any], Any]:
        transcoding = self.types.get(kind)
        if transcoding is None or issubclass(kind, JSON_NATIVE):
            raise Unsupported(kind)
        name, encode = transcoding.name, transcoding.encode

        def wrap(value: Any) -> dict[str, Any]:
            data = encode(value)
            return {"_type_": name, "_data_": data if (t := type(data)) in PLAIN else self[t](data)}

        if kind in self.by_value or issubclass(kind, enum.Enum):
            self[kind] = memoized_by_value(wrap, self.memo_size)
        elif kind in self.last_seen:
            self[kind] = last_seen(wrap)
        else:
            self[kind] = wrap
        return self[kind]


def memoized_by_value(wrap: Callable[[Any], Any], size: int) -> Callable[[Any], Any]:
    """``wrap``, remembering its result for each value (at most ``size`` values at a time)."""
    memo: dict[Any, Any] = {}

    def wrapped(value: Any) -> Any:
        found = memo.get(value, MISSING)
        if found is MISSING:
            if len(memo) >= size:
                memo.clear()
            found = memo[value] = wrap(value)
        return found

    return wrapped


def last_seen(wrap: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``wrap``, remembering its result for the object it was last given (by identity)."""
    last: list[Any] = [MISSING, None]

    def wrapped(value: Any) -> Any:
        if value is not last[0]:
            last[1] = wrap(value)
            last[0] = value
        return last[1]

    return wrapped
