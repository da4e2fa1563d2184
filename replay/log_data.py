"""A line's ``data`` straight into its event's stored state, by a function generated per event class.

The general way (``replay.log_stored``) reads each value with its field's reader
(``replay.log_values``), then has the transcoder's converter for its type turn it into its stored
form, one call after another. Here, as ``domain/encoding.py``'s ``StateEncoder`` does for events,
one function per event class is generated from its fields' names and types: it reads each value
of ``data`` and hands the whole stored state to orjson in one call. Text, numbers and booleans
are checked inline; dates, ids and enum members, and periods, which recur from line to line, are
looked up in a table of their stored forms by their text (a period: by its two texts), which the
field's reader fills the first time it reads one (each text is read once, as strictly); any other
value goes through its field's reader.

The function vouches only for what it knows. Data that is not an object of the class's keys, a
value of another type, a value its reader refuses: the function gives None, or raises, and the
line goes the general way, which stores it or refuses it as before. So the general way alone
refuses lines, with its messages; ``tests/unit/test_log_data.py`` holds the two ways' bytes equal.
"""

import enum
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson

from domain.chain import CORRECTIONS
from domain.encoding import VERSION
from domain.values import Period
from replay.log_format import aggregate_topic, field_types, names_topic
from replay.log_values import Reader, optional_inner

INLINE = (str, int, bool)
"""Types whose values are their own stored form, checked inline."""
REMEMBERED = (date, UUID, datetime, Period)
"""Types (enums too) whose values' stored forms are kept in a table, by their texts."""

Encode = Callable[[Any, Any, Any], bytes | None]
"""``encode(data, timestamp, meta)``: the stored state of a line's ``data``, given its moment and
its provenance in their stored forms; None when only the general way can tell."""


class Remembered:
    """A reader that keeps what it gives for each value it reads, in ``forms`` by the value's
    ``key`` (a text, or the tuple of texts and None of a list or tuple), at most ``size`` of them.

    No other value read from JSON has a key equal to one of these: a value whose key is in
    ``forms`` is the very value read before, and reads as what is there.
    """

    def __init__(self, read: Reader, size: int = 1 << 14) -> None:
        self.read = read
        self.size = size
        self.forms: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        found = self.read(value)
        kept = key(value)
        if kept is not None:
            if len(self.forms) >= self.size:
                self.forms.clear()
            self.forms[kept] = found
        return found


def key(value: Any) -> Any:
    """``value``'s key in ``Remembered.forms`` (None: it is not kept)."""
    if type(value) is str:
        return value
    if type(value) in (list, tuple) and all(type(item) is str or item is None for item in value):
        return tuple(value)
    return None


def lookup(name: str, kind: Any) -> str:
    """The source of the key of the value ``name`` (of type ``kind``) in its table."""
    return f"tuple({name}) if type({name}) is list else None" if kind is Period else name


class DataEncoders:
    """Generates each event class's ``Encode``; ``stored_reader(kind)`` is the general way's
    reader of a field of type ``kind``, that gives its value's stored form."""

    def __init__(self, stored_reader: Callable[[Any], Reader]) -> None:
        self.stored_reader = stored_reader
        self.tables: dict[Any, Remembered] = {}  # by type, shared by the fields of that type

    def generate(self, aggregate: str, event_class: type) -> Encode | None:
        """The function of ``event_class`` (of ``aggregate``), for data of its own version (None
        for ``Worker.DetailsCorrected``, whose data are some of another class's fields)."""
        fields = field_types(event_class)
        if CORRECTIONS in fields:
            return None
        namespace: dict[str, Any] = {"dumps": orjson.dumps}
        lines = [self.line(i, name, kind, namespace) for i, (name, kind) in enumerate(fields.items())]
        # As ``replay.log_stored`` orders the state: the fields, the envelope's, the topic, the version.
        entries = [*(f"{name!r}: x{i}" for i, name in enumerate(fields)), "'timestamp': timestamp", "'meta': meta"]
        if names_topic(event_class):
            entries.append(f"'originator_topic': {aggregate_topic(aggregate)!r}")
        encoded = f"dumps({{{', '.join(entries)}}})"
        version = getattr(event_class, VERSION, 1)
        if version > 1:
            namespace["VERSION"] = b",%s:%d}" % (orjson.dumps(VERSION), version)
            encoded = f"{encoded}[:-1] + VERSION"
        source = (
            "def encode(data, timestamp, meta):\n"
            f"    if type(data) is not dict or len(data) != {len(fields)}:\n"
            "        return None\n" + "".join(lines) + f"    return {encoded}\n"
        )
        exec(source, namespace)  # like dataclasses: the source is made of the field names' reprs only
        encode: Encode = namespace["encode"]
        return encode

    def line(self, i: int, name: str, kind: Any, namespace: dict[str, Any]) -> str:
        """The source setting ``x{i}`` to the stored form of ``data[name]``, of a field of type
        ``kind``; what it names goes in ``namespace``."""
        inner, optional = optional_inner(kind)
        value = f"    v = data[{name!r}]\n"
        if inner in INLINE:
            namespace[f"T{i}"] = inner
            allowed = "v is not None and " if optional else ""
            return f"{value}    if {allowed}type(v) is not T{i}:\n        return None\n    x{i} = v\n"
        table = self.table(inner)
        if table is not None:  # a stored form is never None: a miss
            namespace[f"F{i}"], namespace[f"R{i}"] = table.forms, table
            found, missing = f"F{i}.get({lookup('v', inner)})", f"x{i} is None"
            if optional:
                found, missing = f"None if v is None else {found}", f"{missing} and v is not None"
            return f"{value}    x{i} = {found}\n    if {missing}:\n        x{i} = R{i}(v)\n"
        if typing.get_origin(kind) is list and (table := self.table(typing.get_args(kind)[0])) is not None:
            namespace[f"F{i}"], namespace[f"R{i}"] = table.forms, table
            return (
                f"{value}    if type(v) is not list:\n        return None\n    x{i} = []\n    for item in v:\n"
                f"        found = F{i}.get({lookup('item', typing.get_args(kind)[0])})\n"
                f"        x{i}.append(R{i}(item) if found is None else found)\n"
            )
        namespace[f"R{i}"] = self.stored_reader(kind)
        return f"{value}    x{i} = R{i}(v)\n"

    def table(self, kind: Any) -> Remembered | None:
        """The table of the stored forms of ``kind``'s values (None: they are not kept)."""
        if kind not in REMEMBERED and not (isinstance(kind, type) and issubclass(kind, enum.Enum)):
            return None
        found = self.tables.get(kind)
        if found is None:
            found = self.tables[kind] = Remembered(self.stored_reader(kind))
        return found
