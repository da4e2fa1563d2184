"""An event's stored state and its chain description made in one pass, for the bulk path.

The stored state (``LedgerMapper.to_stored_event``, ``domain/encoding.py``) and the description
the chain hash is made from (``chain.unplaced``, ``domain/chain.py``) convert the same fields of
the event: the one to the transcoder's plain values, the other to the log's. Each is generated
per event class, from the first event of the class seen; here one function per class, generated
the same way from the same pieces, reads each field once and makes both, byte for byte what the
two write (``tests/unit/test_event_bytes.py``). Whatever either would not write the quick way goes
through the two: an event with other keys than its class's first, a value a fast path refuses, a
mapper that compresses or ciphers, ``Worker.DetailsCorrected`` (whose data are a dict).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Mapper
from eventsourcing.utils import get_topic

from domain import chain, encoding
from domain.chain import Describer, Unplaced
from domain.encoding import PLAIN, VERSION, LedgerMapper, LedgerTranscoder, StateEncoder, Unsupported

MISSING: Any = object()
VERSION_KEY = orjson.dumps(VERSION)


@dataclass(frozen=True)
class Both:
    """One event class's generated function, and what it was generated for."""

    keys: tuple[str, ...]
    topic: str
    version: int  # the class's version, which the stored state ends with when above 1
    encode: Callable[[dict[str, Any], Any], tuple[bytes, bytes]]


class EventBytes:
    """``event_bytes(event)``: the event's topic, its stored state and its ``chain.unplaced``."""

    def __init__(self, mapper: Mapper[UUID]) -> None:
        self.mapper = mapper
        self.describe = Describer()
        transcoder = mapper.transcoder
        self.transcoder = transcoder if isinstance(transcoder, LedgerTranscoder) else None
        self.quick = isinstance(mapper, LedgerMapper) and not mapper.compressor and not mapper.cipher
        self.classes: dict[type, Both | None] = {}

    def __call__(self, event: Any) -> tuple[str, bytes, Unplaced]:
        kind = type(event)
        both = self.classes.get(kind, MISSING)
        if both is MISSING:
            both = self.classes[kind] = self.generate(event)
        state = vars(event)
        if both is not None and tuple(state) == both.keys:
            meta = state["meta"]
            middle = self.describe.middle(meta, state["timestamp"])
            if middle is not None:
                try:
                    encoded, head = both.encode(state, meta)
                except (Unsupported, TypeError, orjson.JSONEncodeError):
                    pass
                else:
                    version = state.get(VERSION, both.version)
                    if version > 1:  # as ``LedgerMapper`` adds it: last
                        comma = b"," if len(encoded) > 2 else b""
                        encoded = b"%s%s%s:%d}" % (encoded[:-1], comma, VERSION_KEY, version)
                    return both.topic, encoded, (head, middle)
        stored = self.mapper.to_stored_event(event)
        return stored.topic, stored.state, self.describe(event)

    def generate(self, first: Any) -> Both | None:
        """The function for ``first``'s class and keys (None: its events go through the two)."""
        transcoder, state = self.transcoder, vars(first)
        if transcoder is None or not self.quick or chain.CORRECTIONS in state:
            return None
        converters = transcoder.converters
        namespace: dict[str, Any] = {**chain.HEAD_NAMESPACE, "PLAIN": PLAIN, "conv": converters}
        lines, stored, described = [], [], {}
        for i, (key, value) in enumerate(state.items()):
            if key in encoding.ENVELOPE and key in chain.ENVELOPE:
                continue
            lines.append(f"    v = state[{key!r}]\n    t = type(v)")
            if key not in encoding.ENVELOPE:  # as ``StateEncoder`` writes it
                lines.append(StateEncoder.line(i, value, converters, namespace))
                stored.append(f"{key!r}: x{i}")
            if key not in chain.ENVELOPE:
                lines.append(chain.head_line(i, value, namespace))
                described[key] = i
        source = (
            "def encode(state, meta):\n"
            + "\n".join(lines)
            + f"\n    return dumps({{{', '.join(stored)}}}), {chain.head_expression(first, described)}\n"
        )
        exec(source, namespace)  # like dataclasses: the source is made of the keys' and names' reprs only
        kind = type(first)
        return Both(tuple(state), get_topic(kind), getattr(kind, VERSION, 1), namespace["encode"])
