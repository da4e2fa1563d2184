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

from bisect import bisect_left, insort
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

Vector = tuple[int, ...]


def add(value: Vector | None, delta: Vector) -> Vector:
    if value is None:
        return delta
    return tuple([a + b for a, b in zip(value, delta, strict=True)])


@dataclass(slots=True)
class Row:
    """One rectangle; ``valid_to``/``known_to`` None means unbounded."""

    id: int
    key: Any
    valid_from: date
    valid_to: date | None
    known_from: int
    known_to: int | None
    value: tuple[Any, ...]


class Ids:
    """Row ids, shared by every table of a build."""

    def __init__(self, first: int = 1) -> None:
        self.next = first

    def __iter__(self) -> "Ids":
        return self

    def __next__(self) -> int:
        value = self.next
        self.next += 1
        return value


@dataclass
class RowSink:
    """Collects one batch's row changes for one table."""

    ids: Ids
    opened: dict[int, Row] = field(default_factory=dict)
    closed: dict[int, int] = field(default_factory=dict)

    def open(self, key: Any, valid_from: date, valid_to: date | None, position: int, value: tuple[Any, ...]) -> int:
        row_id = next(self.ids)
        self.opened[row_id] = Row(row_id, key, valid_from, valid_to, position, None, value)
        return row_id

    def close(self, row_id: int, position: int) -> None:
        row = self.opened.get(row_id)
        if row is None:
            self.closed[row_id] = position
        elif row.known_from == position:
            del self.opened[row_id]
        else:
            row.known_to = position

    def take(self) -> tuple[list[Row], list[tuple[int, int]]]:
        opened, closed = list(self.opened.values()), list(self.closed.items())
        self.opened, self.closed = {}, {}
        return opened, closed


def new_sink(first_id: int = 1) -> RowSink:
    return RowSink(Ids(first_id))


@dataclass(slots=True)
class StepFunction:
    """A step function of the date, kept as its changes: the value steps by ``changes[d]`` on ``d``.

    Adding a value over [start, end) touches two changes, however many steps lie in between, so
    back-dated events cost no more than current ones. ``take`` turns the changed stretch into
    rows: the function's maximal constant non-zero pieces. Those depend on the function alone,
    never on the order of the events that built it.
    """

    key: str
    days: list[date] = field(default_factory=list)  # sorted; only days with a non-zero change
    changes: dict[date, list[int]] = field(default_factory=dict)
    dirty_from: date | None = None
    values: dict[date, Vector] = field(default_factory=dict)  # from each day, as of the last ``take``

    def apply(self, start: date, end: date | None, delta: Vector) -> None:
        """Adds ``delta`` over [start, end)."""
        if not any(delta):
            return
        self._change(start, delta, 1)
        if end is not None:
            self._change(end, delta, -1)
        if self.dirty_from is None or start < self.dirty_from:
            self.dirty_from = start

    def _change(self, day: date, delta: Vector, sign: int) -> None:
        cell = self.changes.get(day)
        if cell is None:
            self.changes[day] = [sign * x for x in delta]
            insort(self.days, day)
            return
        for i, x in enumerate(delta):
            cell[i] += sign * x
        if not any(cell):
            del self.changes[day]
            del self.days[bisect_left(self.days, day)]

    def pieces(self, start: date = date.min, end: date | None = None) -> Iterator[tuple[date, date | None, Vector]]:
        """The non-zero pieces overlapping [start, end), clipped to it."""
        value: list[int] | None = None
        n = len(self.days)
        for k, day in enumerate(self.days):
            cell = self.changes[day]
            value = list(cell) if value is None else [a + b for a, b in zip(value, cell, strict=True)]
            piece_end = self.days[k + 1] if k + 1 < n else None
            if end is not None and day >= end:
                break
            if (piece_end is not None and piece_end <= start) or not any(value):
                continue
            lo = max(day, start)
            hi = end if piece_end is None else (piece_end if end is None else min(piece_end, end))
            yield lo, hi, tuple(value)

    def take(self) -> tuple[date, list[tuple[date, date | None, Vector]]] | None:
        """The rows from the first piece the last changes may have altered: (from, rows), or None."""
        if self.dirty_from is None:
            return None
        days, n = self.days, len(self.days)
        k = max(bisect_left(days, self.dirty_from) - 1, 0)
        since = days[k] if k < n and days[k] < self.dirty_from else self.dirty_from
        self.dirty_from = None
        value = list(self.values[days[k - 1]]) if k > 0 else None
        rows = []
        for j in range(k, n):
            cell = self.changes[days[j]]
            value = list(cell) if value is None else [a + b for a, b in zip(value, cell, strict=True)]
            frozen = tuple(value)
            self.values[days[j]] = frozen
            if any(frozen):
                rows.append((days[j], days[j + 1] if j + 1 < n else None, frozen))
        return since, rows

    @classmethod
    def from_rows(cls, key: str, rows: list[tuple[date, date | None, Vector]]) -> "StepFunction":
        """Rebuilds the changes from the rows ``(valid_from, valid_to, value)``."""
        fn = cls(key)
        previous: Vector | None = None
        previous_end: date | None = None
        for valid_from, valid_to, value in sorted(rows, key=lambda r: r[0]):
            if previous is not None and previous_end is not None and previous_end < valid_from:
                fn._change(previous_end, previous, -1)
                previous = None
            base = previous or (0,) * len(value)
            fn._change(valid_from, tuple(a - b for a, b in zip(value, base, strict=True)), 1)
            previous, previous_end = value, valid_to
        if previous is not None and previous_end is not None:
            fn._change(previous_end, previous, -1)
        if fn.days:
            fn.dirty_from = fn.days[0]
            fn.take()
        return fn
