"""Bitemporal step functions: a value per effective date, as known at each ledger position.

A unit's staffing (or its daily flows) is a step function of the effective date. Each piece of
the function is stored as a rectangle: valid from/to (effective dates) × known from/to (ledger
positions). When an event changes the function over some dates, the pieces it touches are closed
at the event's position and their new values are opened from it. So the rows with
``known_from <= P < known_to`` give the function exactly as it was known at position P, and no
query ever replays events.

The rectangles depend only on the sequence of changes, not on how events were batched: a row
opened and closed within one batch is written once, and a row opened and closed at the same
position (never visible) is not written at all. This is what lets ``verify`` compare a live
build with a rebuild row for row.
"""

import struct
from bisect import bisect_left, insort
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, TypeVar

Vector = tuple[int, ...]


# One rectangle, as its table's COPY takes it: id, key, valid_from, valid_to (if the table has
# one), known_from, known_to, then the value's fields. A list, so that closing it in the batch
# that opened it is one store, and the COPY takes it as it is.
Row = list[Any]


class Ids:
    """Row ids, shared by every table of a build; ``step`` apart (the shards of a split build interleave)."""

    def __init__(self, first: int = 1, step: int = 1) -> None:
        self.next = first
        self.step = step

    def __iter__(self) -> "Ids":
        return self

    def __next__(self) -> int:
        value = self.next
        self.next += self.step
        return value


@dataclass
class RowSink:
    """Collects one batch's row changes for one table; ``bounded`` tables' rows have a valid_to
    (the others, a day)."""

    ids: Ids
    bounded: bool = True
    opened: dict[int, Row] = field(default_factory=dict)
    closed: dict[int, int] = field(default_factory=dict)

    @property
    def known_from_at(self) -> int:
        """Where a row holds its known_from (its known_to follows)."""
        return 4 if self.bounded else 3

    def open(self, key: Any, valid_from: date, valid_to: date | None, position: int, value: tuple[Any, ...]) -> int:
        ids = self.ids  # ``next(ids)``, without the call: a rebuild opens a row for most events
        row_id = ids.next
        ids.next = row_id + ids.step
        if self.bounded:
            self.opened[row_id] = [row_id, key, valid_from, valid_to, position, None, *value]
        else:
            self.opened[row_id] = [row_id, key, valid_from, position, None, *value]
        return row_id

    def close(self, row_id: int, position: int) -> None:
        row = self.opened.get(row_id)
        if row is None:
            self.closed[row_id] = position
            return
        at = self.known_from_at
        if row[at] == position:
            del self.opened[row_id]
        else:
            row[at + 1] = position

    def take(self) -> tuple[list[Row], list[tuple[int, int]]]:
        opened, closed = list(self.opened.values()), list(self.closed.items())
        self.opened, self.closed = {}, {}
        return opened, closed


def new_sink(first_id: int = 1, step: int = 1) -> RowSink:
    return RowSink(Ids(first_id, step))


LANE = 64  # bits per figure in a packed vector
HALF = 1 << (LANE - 1)


def pack(value: Vector) -> int:
    """A vector as one integer, figure ``i`` in the ``i``-th lane of 64 bits from the top: adding
    integers adds vectors. The first figure is the most significant, so that the integer's
    big-endian bytes list the figures in order (``projections.pieces`` writes them so).

    Figures may be negative (a change takes workers away); each must stay within ±2**63.
    """
    last = len(value) - 1
    return sum(x << (LANE * (last - i)) for i, x in enumerate(value))


@lru_cache(maxsize=64)
def _unpacker(size: int) -> tuple[int, struct.Struct]:
    """Each lane's sign bit (adding it makes every figure non-negative), and the lanes' layout."""
    return sum(HALF << (LANE * i) for i in range(size)), struct.Struct(f">{size}Q")


def unpack(packed: int, size: int) -> Vector:
    """The vector ``pack`` made ``packed`` from (``size`` figures)."""
    bias, lanes = _unpacker(size)
    if packed >= 0 and not packed & bias:  # no figure is negative (a staffing value): the lanes as they are
        return lanes.unpack(packed.to_bytes(8 * size, "big"))
    return tuple([x - HALF for x in lanes.unpack((packed + bias).to_bytes(8 * size, "big"))])


Day = TypeVar("Day", date, int)  # a date, or its ordinal


def pieces_of(days: list[Day], changes: dict[Day, int], first: int = 0) -> list[tuple[Day, Day | None, int]]:
    """The non-zero pieces ``(from, to, value)`` of the step function that steps by
    ``changes[d]`` on each of ``days`` (sorted), from ``days[first]`` on."""
    value = 0
    for j in range(first):
        value += changes[days[j]]
    out = []
    last = len(days) - 1
    for j in range(first, last + 1):
        value += changes[days[j]]
        if value:
            out.append((days[j], days[j + 1] if j < last else None, value))
    return out


@dataclass(slots=True)
class StepFunction:
    """A step function of the date, kept as its changes: the value steps by ``changes[d]`` on ``d``.

    Values are vectors, packed into integers (``pack``), so that adding a
    vector costs one integer addition. Adding a value over [start, end) touches two changes,
    however many steps lie in between, so back-dated events cost no more than current ones.
    ``take`` turns the changed stretch into rows: the function's maximal constant non-zero
    pieces. Those depend on the function alone, never on the order of the events that built it.
    """

    key: str
    days: list[date] = field(default_factory=list)  # sorted; only days with a non-zero change
    changes: dict[date, int] = field(default_factory=dict)  # packed
    dirty_from: date | None = None

    def apply(self, start: date, end: date | None, delta: Vector) -> None:
        """Adds ``delta`` over [start, end)."""
        self.add(start, end, pack(delta))

    def add(self, start: date, end: date | None, delta: int) -> None:
        """Adds the packed ``delta`` over [start, end)."""
        if not delta:
            return
        self._change(start, delta)
        if end is not None:
            self._change(end, -delta)
        if self.dirty_from is None or start < self.dirty_from:
            self.dirty_from = start

    def _change(self, day: date, delta: int) -> None:
        cell = self.changes.get(day)
        if cell is None:
            self.changes[day] = delta
            insort(self.days, day)
            return
        cell += delta
        if cell:
            self.changes[day] = cell
        else:
            del self.changes[day]
            del self.days[bisect_left(self.days, day)]

    def pieces(self, start: date = date.min, end: date | None = None) -> Iterator[tuple[date, date | None, int]]:
        """The non-zero pieces overlapping [start, end), clipped to it; values packed."""
        value = 0
        days, changes, n = self.days, self.changes, len(self.days)
        for k, day in enumerate(days):
            if end is not None and day >= end:
                break
            value += changes[day]
            piece_end = days[k + 1] if k + 1 < n else None
            if (piece_end is not None and piece_end <= start) or not value:
                continue
            lo = max(day, start)
            hi = end if piece_end is None else (piece_end if end is None else min(piece_end, end))
            yield lo, hi, value

    def take(self, *, everything: bool = False) -> tuple[date, list[tuple[date, date | None, int]]] | None:
        """The rows from the first piece the last changes may have altered: (from, rows), or None.

        Their values are packed (``unpack`` gives the vectors). With ``everything``, all the rows
        (from the first day), changed or not.
        """
        if everything and self.days:
            self.dirty_from = self.days[0]
        if self.dirty_from is None:
            return None
        days, n = self.days, len(self.days)
        k = max(bisect_left(days, self.dirty_from) - 1, 0)
        since = days[k] if k < n and days[k] < self.dirty_from else self.dirty_from
        self.dirty_from = None
        return since, pieces_of(days, self.changes, k)

    @classmethod
    def from_rows(cls, key: str, rows: list[tuple[date, date | None, Vector]]) -> "StepFunction":
        """Rebuilds the changes from the rows ``(valid_from, valid_to, value)``."""
        fn = cls(key)
        previous = 0
        previous_end: date | None = None
        for valid_from, valid_to, value in sorted(rows, key=lambda r: r[0]):
            if previous and previous_end is not None and previous_end < valid_from:
                fn._change(previous_end, -previous)
                previous = 0
            packed = pack(value)
            if packed != previous:
                fn._change(valid_from, packed - previous)
            previous, previous_end = packed, valid_to
        if previous and previous_end is not None:
            fn._change(previous_end, -previous)
        return fn


def add_over_dates(changes: dict[date, int], start: date, end: date | None, value: int) -> None:
    """Adds ``value`` over [start, end) to a step function's changes by day."""
    changes[start] = changes.get(start, 0) + value
    if end is not None:
        changes[end] = changes.get(end, 0) - value


def add_over(changes: dict[int, int], start: date, end: date | None, value: int) -> None:
    """Adds ``value`` over [start, end) to a step function's changes by day ordinal."""
    day = start.toordinal()
    changes[day] = changes.get(day, 0) + value
    if end is not None:
        day = end.toordinal()
        changes[day] = changes.get(day, 0) - value
