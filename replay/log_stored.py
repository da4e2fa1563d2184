"""A log line's stored event, made straight from the line, for ``hrh import-log``.

``mapper.to_stored_event(event_of(line))`` reads each value into its Python type, makes the domain
event, then has the ledger's transcoder (``domain.encoding``) turn each value into its stored form.
Here each value is read (``replay.log_values``, as strictly) and turned into its stored form at
once, by the same transcoder's converters, and no event is made: the same bytes, with less work a
line, which is most of an import's (``tests/unit/test_log_stored.py`` holds the two equal). A
mapper that compresses or encrypts goes the event's way.
"""

from collections.abc import Callable
from typing import Any

import orjson
from eventsourcing.persistence import Mapper
from eventsourcing.utils import get_topic

from domain.chain import CORRECTIONS
from domain.encoding import PLAIN, VERSION, Converters, LedgerTranscoder
from replay.log_format import event_of, event_state, field_types
from replay.log_values import Reader, reader

Row = tuple[Any, int, str, bytes]
"""A stored event as the events table holds it: id, version, topic, state."""


class StoredLines:
    """Makes the stored event of a parsed line, ``(position, row)``.

    Raises (when called):
        MalformedLine: as ``replay.log_format.event_of``.
    """

    def __init__(self, mapper: Mapper[Any]) -> None:
        self.mapper = mapper
        transcoder = mapper.transcoder
        self.converters: Converters | None = None  # None: the event's way (a mapper compressing or encrypting)
        if isinstance(transcoder, LedgerTranscoder) and not mapper.compressor and not mapper.cipher:
            self.converters = transcoder.converters
        self.topics: dict[type, str] = {}
        self.readers: dict[type, dict[str, Reader]] = {}

    def __call__(self, line: dict[str, Any]) -> tuple[int, Row]:
        converters = self.converters
        if converters is None:
            position, event = event_of(line)
            stored = self.mapper.to_stored_event(event)
            return position, (stored.originator_id, stored.originator_version, stored.topic, stored.state)
        position, event_class, state = event_state(line, self.stored_readers)
        originator_id, originator_version = state.pop("originator_id"), state.pop("originator_version")
        version = state.pop(VERSION, getattr(event_class, VERSION, 1))
        timestamp, meta = state["timestamp"], state["meta"]
        state["timestamp"], state["meta"] = converters[type(timestamp)](timestamp), converters[type(meta)](meta)
        encoded = orjson.dumps(state)
        if version > 1:  # as the mapper writes it: last
            encoded = b"%s,%s:%d}" % (encoded[:-1], orjson.dumps(VERSION), version)
        topic = self.topics.get(event_class)
        if topic is None:
            topic = self.topics[event_class] = get_topic(event_class)
        return position, (originator_id, originator_version, topic, encoded)

    def stored_readers(self, event_class: type) -> dict[str, Reader]:
        """A reader for each field of the class, that gives the value's stored form."""
        found = self.readers.get(event_class)
        if found is None:
            converters: Any = self.converters
            kinds = field_types(event_class).items()
            found = self.readers[event_class] = {
                name: stored(reader(kind), converters) for name, kind in kinds if name != CORRECTIONS
            }
        return found


def stored(read: Reader, converters: dict[type, Callable[[Any], Any]]) -> Reader:
    """``read``, then the value's stored form (a registered type wrapped as the transcoder wraps it)."""

    def read_stored(value: Any) -> Any:
        found = read(value)
        return found if type(found) in PLAIN else converters[type(found)](found)

    return read_stored
