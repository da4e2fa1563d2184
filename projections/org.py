"""The org tree as the projector keeps it: units, their effective-dated parents, and ancestry.

A facility belongs to an area on D when the area is the facility or one of its ancestors,
following each unit's parent as of D (DESIGN, "Belonging to an area"). The ancestry of a
facility is therefore a step function of the date: it changes wherever the facility or any of
its ancestors moves.
"""

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

FOREVER = None


@dataclass(slots=True)
class Unit:
    """One org unit as currently known."""

    id: UUID
    code: str
    name: str
    level: str
    sector: str | None
    facility_kind: str | None
    hard_to_reach: bool
    opened_on: date
    closed_on: date | None = None
    # Parent changes ``(effective_on, position, parent_code)``, in effective then ledger order.
    parents: list[tuple[date, int, str | None]] = field(default_factory=list)

    def parent_on(self, day: date) -> str | None:
        """The parent on ``day``; none before the unit opened."""
        if day < self.opened_on:
            return None
        i = bisect_right(self.parents, (day, float("inf"), "")) - 1
        return self.parents[max(i, 0)][2]

    def parent_pieces(self) -> list[tuple[date, date | None, str | None, bool]]:
        """``(from, to, parent, open)`` pieces from the opening on, cut at each move and at the closing."""
        changes: dict[date, str | None] = {}
        for day, _, new_parent in self.parents:
            changes[max(day, self.opened_on)] = new_parent
        days = sorted(changes)
        if self.closed_on is not None and self.closed_on not in changes:
            days = sorted([*days, self.closed_on])
        pieces: list[tuple[date, date | None, str | None, bool]] = []
        parent: str | None = None
        for i, day in enumerate(days):
            parent = changes.get(day, parent)
            is_open = self.closed_on is None or day < self.closed_on
            end = days[i + 1] if i + 1 < len(days) else None
            if pieces and pieces[-1][2:] == (parent, is_open):
                pieces[-1] = (pieces[-1][0], end, parent, is_open)
            else:
                pieces.append((day, end, parent, is_open))
        return pieces


Chain = tuple[str, ...]


class OrgTree:
    """Every unit, by code and by aggregate id, with cached facility ancestries."""

    def __init__(self) -> None:
        self.units: dict[str, Unit] = {}
        self.codes: dict[UUID, str] = {}
        self._ancestry: dict[str, list[tuple[date, Chain]]] = {}
        self._mentioned: set[str] = set()  # every code a cached ancestry looked at

    def add(self, unit: Unit) -> None:
        self.units[unit.code] = unit
        self.codes[unit.id] = unit.code
        if unit.code in self._mentioned:  # only ancestries that looked for it can change
            self.moved()

    def moved(self) -> None:
        """Forgets cached ancestries after a parent change."""
        self._ancestry.clear()
        self._mentioned.clear()

    def ancestry(self, code: str) -> list[tuple[date, Chain]]:
        """The unit's chain (itself, parent, ..., root) as a step function: ``(from, chain)`` pieces.

        The first piece starts at ``date.min``.
        """
        cached = self._ancestry.get(code)
        if cached is not None:
            return cached
        unit = self.units.get(code)
        days = {date.min}
        seen = set()
        frontier = [code]
        while frontier:  # every parent change of the unit and of anything it ever hangs under
            looked = frontier.pop()
            self._mentioned.add(looked)
            current = self.units.get(looked)
            if current is None or current.code in seen:
                continue
            seen.add(current.code)
            for day, _, parent in current.parents:
                days.add(day)
                if parent is not None:
                    frontier.append(parent)
        pieces: list[tuple[date, Chain]] = []
        for day in sorted(days):
            chain = self.chain_on(code, day) if unit is not None else (code,)
            if not pieces or pieces[-1][1] != chain:
                pieces.append((day, chain))
        self._ancestry[code] = pieces
        return pieces

    def chain_on(self, code: str, day: date) -> Chain:
        chain = [code]
        unit = self.units.get(code)
        while unit is not None:
            parent = unit.parent_on(day)
            if parent is None or parent in chain:
                break
            chain.append(parent)
            unit = self.units.get(parent)
        return tuple(chain)

    def chains_over(self, code: str, start: date, end: date | None) -> list[tuple[date, date | None, Chain]]:
        """The unit's chain over [start, end), cut where it changes."""
        pieces = self.ancestry(code)
        i = max(bisect_right(pieces, (start, (chr(0x10FFFF),))) - 1, 0)
        out: list[tuple[date, date | None, Chain]] = []
        while i < len(pieces):
            piece_start, chain = pieces[i]
            piece_end = pieces[i + 1][0] if i + 1 < len(pieces) else None
            if end is not None and piece_start >= end:
                break
            lo = max(piece_start, start)
            hi = end if piece_end is None else (piece_end if end is None else min(end, piece_end))
            if hi is None or hi > lo:
                out.append((lo, hi, chain))
            i += 1
        return out


def chain_at(pieces: list[tuple[date, Chain]], day: date) -> Chain:
    """The chain in force on ``day`` in an ancestry (``OrgTree.ancestry``: its first piece starts at date.min)."""
    if len(pieces) == 1:
        return pieces[0][1]
    i = bisect_right(pieces, day, key=lambda piece: piece[0]) - 1
    return pieces[max(i, 0)][1]
