"""A log line's stored event, made straight from the line, for ``hrh import-log``.

``mapper.to_stored_event(event_of(line))`` reads each value into its Python type, makes the domain
event, then has the ledger's transcoder (``domain.encoding``) turn each value into its stored form.
Here each value is read (``replay.log_values``, as strictly) and turned into its stored form at
once, by the same transcoder's converters, and no event is made: the same bytes, with less work a
line, which is most of an import's (``tests/unit/test_log_stored.py`` holds the two equal). A
mapper that compresses or encrypts goes the event's way.

A line of its class's own version goes the quick way: its data by its class's generated function
(``replay.log_data``), its id, moment and provenance looked up among those read before (a
command's events share the last two). Any other line, and any line the quick way does not vouch
for, goes the general way, field by field, which alone refuses lines.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any

import orjson
from eventsourcing.persistence import Mapper
from eventsourcing.utils import get_topic

from domain.chain import CORRECTIONS, PROVENANCE_KEYS
from domain.encoding import MISSING, PLAIN, VERSION, Converters, LedgerTranscoder, Unsupported
from domain.values import Provenance
from replay.log_data import DataEncoders, Encode, Remembered
from replay.log_format import EVENT_VERSION, Recorded, event_classes, event_of, event_state, field_types
from replay.log_values import Reader, reader, uuid_value

Row = tuple[Any, int, str, bytes]
"""A stored event as the events table holds it: id, version, topic, state."""
provenance_values = itemgetter(*PROVENANCE_KEYS)


@dataclass(frozen=True, slots=True)
class Quick:
    """An event class's quick way: its generated function, its topic, and its version (the one a
    line's ``event_version`` must name)."""

    encode: Encode
    topic: str
    version: int


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
        self.data = DataEncoders(self.stored_reader)
        self.quick: dict[tuple[str, str], Quick | None] = {}  # by (aggregate, event) names
        self.ids = Remembered(uuid_value, 1 << 16)
        self.provenances = Remembered(self.stored_provenance)
        self.recorded = Recorded()

    def __call__(self, line: dict[str, Any]) -> tuple[int, Row]:
        converters = self.converters
        if converters is None:
            position, event = event_of(line)
            stored = self.mapper.to_stored_event(event)
            return position, (stored.originator_id, stored.originator_version, stored.topic, stored.state)
        try:
            found = self.quickly(line, converters)
        except (KeyError, TypeError, ValueError, Unsupported):
            found = None
        return found if found is not None else self.generally(line, converters)

    def quickly(self, line: dict[str, Any], converters: Converters) -> tuple[int, Row] | None:
        """The stored event of a line of its class's own version, the quick way; None, or an error,
        when the line must go the general way."""
        names = (line["aggregate"], line["event"])
        quick = self.quick.get(names, MISSING)
        if quick is MISSING:
            quick = self.generate(names)
        position, version, event_version = line["position"], line["version"], line.get(EVENT_VERSION, 1)
        if quick is None or type(position) is not int or type(version) is not int or type(event_version) is not int:
            return None
        if position < 1 or version < 1 or event_version != quick.version:
            return None
        aggregate_id, recorded_at, values = line["aggregate_id"], line["recorded_at"], provenance_values(line)
        originator_id = self.ids.forms.get(aggregate_id)
        if originator_id is None:
            originator_id = self.ids(aggregate_id)
        # The same datetime object for the same text, whose stored form the converter keeps.
        timestamp = converters[datetime](self.recorded.moment(recorded_at))
        meta = self.provenances.forms.get(values)
        if meta is None:
            meta = self.provenances(values)
        state = quick.encode(line["data"], timestamp, meta)
        return None if state is None else (position, (originator_id, version, quick.topic, state))

    def generate(self, names: tuple[Any, Any]) -> Quick | None:
        """The quick way of the event class named ``names`` (None: the general way, which refuses
        names of no class)."""
        event_class = event_classes().get(names) if all(type(name) is str for name in names) else None
        if event_class is None:
            return None
        encode = self.data.generate(names[0], event_class)
        quick = None if encode is None else Quick(encode, get_topic(event_class), getattr(event_class, VERSION, 1))
        self.quick[names] = quick
        return quick

    def stored_provenance(self, values: tuple[Any, ...]) -> Any:
        """The stored form of the provenance of a line's ``PROVENANCE_KEYS`` values, read as the
        general way reads them."""
        converters: Any = self.converters
        return converters[Provenance](self.recorded.provenance(values))

    def generally(self, line: dict[str, Any], converters: Converters) -> tuple[int, Row]:
        """The stored event of any line, read field by field; refuses as ``event_of`` does."""
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
            kinds = field_types(event_class).items()
            found = self.readers[event_class] = {
                name: self.stored_reader(kind) for name, kind in kinds if name != CORRECTIONS
            }
        return found

    def stored_reader(self, kind: Any) -> Reader:
        """The reader of a field of type ``kind``, that gives the value's stored form."""
        converters: Any = self.converters
        return stored(reader(kind), converters)


def stored(read: Reader, converters: dict[type, Callable[[Any], Any]]) -> Reader:
    """``read``, then the value's stored form (a registered type wrapped as the transcoder wraps it)."""

    def read_stored(value: Any) -> Any:
        found = read(value)
        return found if type(found) in PLAIN else converters[type(found)](found)

    return read_stored
