"""One batch's changes to the read tables, as the projector collects them for the runner."""

from dataclasses import dataclass, field
from functools import cache
from typing import Any
from uuid import UUID

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
