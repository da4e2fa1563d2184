"""One batch's changes to the read tables, as the projector collects them for the runner."""

from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from typing import Any
from uuid import UUID

from projections.events import LedgerEvent

HISTORY_KIND = {"EventRetracted": "RETRACTED"}
# Places in an ``events`` row (the table's column order, see store.TABLES).
SHOWN = slice(12, 15)  # from_code, to_code, retracted
DATA = 17


@cache
def kind_name(event_name: str) -> str:
    """``LeaveStarted`` → ``LEAVE_STARTED``; ``EventRetracted`` → ``RETRACTED``."""
    if event_name in HISTORY_KIND:
        return HISTORY_KIND[event_name]
    return "".join("_" + c if c.isupper() and i else c for i, c in enumerate(event_name)).upper()


@dataclass
class Writes:
    """One batch's changes to the read tables."""

    events: dict[int, list[Any]] = field(default_factory=dict)  # new audit rows, by position
    shown: dict[int, tuple[str | None, str | None, bool]] = field(default_factory=dict)  # updated rows
    workers: set[UUID] = field(default_factory=set)  # identity changed
    units: set[str] = field(default_factory=set)
    cadres: set[str] = field(default_factory=set)
    populations: list[tuple[str, int, int, int, str | None]] = field(default_factory=list)

    def take(self) -> "Writes":
        """The changes collected so far; this batch starts again empty (its collaborators keep it)."""
        taken = replace(self)
        self.events, self.shown, self.populations = {}, {}, []
        self.workers, self.units, self.cadres = set(), set(), set()
        return taken

    def history(
        self,
        e: LedgerEvent,
        *,
        subject: str | None,
        effective_on: date | None,
        from_code: str | None = None,
        to_code: str | None = None,
        backdated: bool = False,
        reason: str | None = None,
    ) -> None:
        """Adds the event's row of the history (the ``events`` table), not retracted."""
        m = e.meta
        self.events[e.position] = [
            e.position,
            e.aggregate,
            e.aggregate_id,
            e.version,
            kind_name(e.name),
            effective_on,
            e.recorded_at,
            m.get("recorded_by"),
            m.get("authority"),
            m.get("note"),
            m.get("command_id"),
            subject,
            from_code,
            to_code,
            False,
            backdated,
            reason,
            e.data,
            e.name,
        ]
