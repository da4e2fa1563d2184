"""A log line's values back into an event's Python values, refusing any that ``export-log`` would
not have written.

The log writes dates as ISO strings, ids as their canonical text, enum members by name, periods
as two dates (``domain.chain.to_json``). Read back, each value must be exactly what its field's
value writes: ``2017-3-1`` or ``20170301`` are refused for a date, ``true`` for a number, an
upper-case id. So an event read from a line always writes that line again: the import relies on
it instead of writing each event's line anew to compare (``tests/unit/test_log_values.py``).

A field's reader is made once per type (``reader``); dates and ids, which recur from event to
event, are read once per text while they recur.
"""

import enum
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any
from uuid import UUID

from domain.values import Period

Reader = Callable[[Any], Any]


def refuse(expected: str, value: Any) -> Any:
    raise TypeError(f"expected {expected}, got {value!r}")


@lru_cache(maxsize=1 << 14)
def iso_date(text: str) -> date:
    day = date.fromisoformat(text)
    if day.isoformat() != text:
        raise ValueError(f"{text!r} is not written YYYY-MM-DD")
    return day


def date_value(value: Any) -> date:
    return iso_date(value) if type(value) is str else refuse("a date", value)


def uuid_value(value: Any) -> UUID:
    return canonical_uuid(value) if type(value) is str else refuse("an id", value)


@lru_cache(maxsize=1 << 16)
def canonical_uuid(value: str) -> UUID:
    found = UUID(value)
    if str(found) != value:
        raise ValueError(f"{value!r} is not an id as the log writes it")
    return found


def datetime_value(value: Any) -> datetime:
    """A moment with its UTC offset, written as ``isoformat()`` writes it."""
    if type(value) is not str:
        return refuse("a date and time", value)  # type: ignore[no-any-return]
    moment = datetime.fromisoformat(value)
    if moment.isoformat() != value or moment.tzinfo is None:
        raise ValueError(f"{value!r} is not a date and time with its UTC offset, as the log writes it")
    return moment


def period_value(value: Any) -> Period:
    if type(value) is not list or len(value) != 2:
        return refuse("a period [start, end]", value)  # type: ignore[no-any-return]
    return Period(date_value(value[0]), None if value[1] is None else date_value(value[1]))


def plain(kind: type) -> Reader:
    """A reader of a JSON string, number or boolean: of that very type (a boolean is no number)."""
    name = kind.__name__

    def read(value: Any) -> Any:
        return value if type(value) is kind else refuse(name, value)

    return read


def member(kind: type[enum.Enum]) -> Reader:
    members = kind.__members__
    name = kind.__name__

    def read(value: Any) -> Any:
        found = members.get(value) if type(value) is str else None
        return found if found is not None else refuse(f"a {name}", value)

    return read


def optional(inner: Reader) -> Reader:
    def read(value: Any) -> Any:
        return None if value is None else inner(value)

    return read


def listed(inner: Reader) -> Reader:
    def read(value: Any) -> Any:
        return [inner(item) for item in value] if type(value) is list else refuse("a list", value)

    return read


FIXED: dict[Any, Reader] = {
    date: date_value,
    UUID: uuid_value,
    datetime: datetime_value,
    Period: period_value,
    str: plain(str),
    int: plain(int),
    bool: plain(bool),
}


def optional_inner(kind: Any) -> tuple[Any, bool]:
    """The type inside ``kind`` (``date`` for ``date | None``), and whether ``kind`` is optional."""
    if typing.get_origin(kind) in (types.UnionType, typing.Union):
        (inner,) = [a for a in typing.get_args(kind) if a is not type(None)]
        return inner, True
    return kind, False


@cache
def reader(kind: Any) -> Reader:
    """The reader of a field of type ``kind`` (its annotation)."""
    if kind in FIXED:
        return FIXED[kind]
    inner, is_optional = optional_inner(kind)
    if is_optional:
        return optional(reader(inner))
    if typing.get_origin(kind) is list:
        (inner,) = typing.get_args(kind)
        return listed(reader(inner))
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return member(kind)
    raise TypeError(f"no reader for a field of type {kind!r}")
