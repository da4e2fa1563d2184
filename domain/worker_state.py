"""Where a worker stands on their timeline: the timeline's entries, and the state they lead to.

This module only computes: which facility, which cadre, whether on leave or departed. Whether an
entry is allowed is decided by the named guards of :mod:`domain.worker_rules`.
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from domain.errors import N_, Param
from domain.values import OrgUnitLevel, Period


class Kind(enum.Enum):
    """A kind of timeline event; its value names it in refusals (the ``event`` parameter), marked
    for translation."""

    HIRED = N_("hire")
    POSTED = N_("posting")
    TRANSFERRED = N_("transfer")
    TRAINING_RECORDED = N_("training")
    REQUALIFIED = N_("requalification")
    LEAVE_STARTED = N_("leave start")
    LEAVE_ENDED = N_("leave end")
    DEPARTED = N_("departure")
    REHIRED = N_("rehire")

    # Members are singletons, so identity hashing is right, and it is C speed for the lookups of
    # RULES and TRANSITIONS that every entry of every replay makes (Enum hashes its name in Python).
    __hash__ = object.__hash__


@dataclass(frozen=True)
class Entry:
    """One event of a worker's timeline. ``facility_code`` is a posting's or transfer's destination."""

    version: int
    kind: Kind
    effective_on: date
    facility_code: str | None = None
    cadre_code: str | None = None

    def params(self) -> dict[str, Param]:
        """How a refusal names this event: by its kind and effective date, never by the worker's
        version number (a refusal about a recorded event adds its ledger position)."""
        return {"event": self.kind.value, "event_on": self.effective_on}


class FacilityView(Protocol):
    """What the timeline needs to know of a facility."""

    @property
    def code(self) -> str: ...
    @property
    def level(self) -> OrgUnitLevel: ...
    @property
    def opened_on(self) -> date: ...
    @property
    def closed_on(self) -> date | None: ...


@dataclass
class State:
    """Where a worker stands after some prefix of their timeline."""

    hired: bool = False
    departed: bool = False
    facility: str | None = None
    leave_since: date | None = None
    cadre: str | None = None
    stints: dict[str, list[Period]] = field(default_factory=dict)
    stint_start: date | None = None

    def apply(self, entry: Entry) -> None:
        """Moves the state past ``entry``, which the guards have allowed."""
        TRANSITIONS[entry.kind](self, entry)

    def hire(self, hire: Entry) -> None:
        self.hired, self.cadre = True, hire.cadre_code

    def rehire(self, rehire: Entry) -> None:
        self.hired, self.departed = True, False

    def enter_facility(self, move: Entry) -> None:
        """A posting or a transfer: the worker is at the destination from its effective date."""
        assert move.facility_code is not None  # every posting and transfer names its destination
        self.leave_facility(move.effective_on)
        self.facility = move.facility_code
        self.stint_start = move.effective_on

    def leave_facility(self, day: date) -> None:
        # Two moves on one day leave an empty stint, which covers no day: drop it.
        if self.facility is not None and self.stint_start is not None and self.stint_start < day:
            self.stints.setdefault(self.facility, []).append(Period(self.stint_start, day))
        self.facility = None
        self.stint_start = None

    def record_training(self, training: Entry) -> None:
        """A training changes nothing in where the worker stands."""

    def requalify(self, requalification: Entry) -> None:
        self.cadre = requalification.cadre_code

    def start_leave(self, leave_start: Entry) -> None:
        self.leave_since = leave_start.effective_on

    def end_leave(self, leave_end: Entry) -> None:
        self.leave_since = None

    def depart(self, departure: Entry) -> None:
        self.leave_facility(departure.effective_on)
        self.leave_since = None
        self.hired, self.departed = False, True

    def close(self) -> None:
        if self.facility is not None and self.stint_start is not None:
            self.stints.setdefault(self.facility, []).append(Period(self.stint_start, None))

    def copy(self) -> "State":
        stints = {code: list(periods) for code, periods in self.stints.items()}
        return State(self.hired, self.departed, self.facility, self.leave_since, self.cadre, stints, self.stint_start)

    def closed_stints(self) -> dict[str, list[Period]]:
        """The stints per facility, the current one running on; the state itself is left as it is."""
        closed = self.copy()
        closed.close()
        return closed.stints


TRANSITIONS: dict[Kind, Callable[[State, Entry], None]] = {
    Kind.HIRED: State.hire,
    Kind.POSTED: State.enter_facility,
    Kind.TRANSFERRED: State.enter_facility,
    Kind.TRAINING_RECORDED: State.record_training,
    Kind.REQUALIFIED: State.requalify,
    Kind.LEAVE_STARTED: State.start_leave,
    Kind.LEAVE_ENDED: State.end_leave,
    Kind.DEPARTED: State.depart,
    Kind.REHIRED: State.rehire,
}
"""How each kind of entry moves a worker's state."""
