"""A worker's timeline, and what the read models derive from it (DESIGN, "Definitions").

The timeline is the worker's events in force, ordered by effective date and then by ledger
position. From it come the worker's status periods, the flows (postings, transfers and
departures, each with its origin and destination *from the timeline*) and the origin shown
in the mobility history.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple
from uuid import UUID

# The kinds whose effective date places them on the timeline.
DATED = frozenset(
    (
        "Hired",
        "Posted",
        "Transferred",
        "TrainingRecorded",
        "Requalified",
        "LeaveStarted",
        "LeaveEnded",
        "Departed",
        "Rehired",
    )
)


@dataclass(slots=True)
class Step:
    """One worker event, reduced to what the timeline needs."""

    position: int
    version: int
    kind: str
    effective_on: date | None  # None for corrections and retractions
    facility: str | None = None  # a posting's facility, a transfer's destination
    recorded_from: str | None = None  # a transfer's from_facility_code, as the recorder saw it
    cadre: str | None = None  # a hire's or requalification's cadre
    retracts: int | None = None  # a retraction's target version
    corrections: dict[str, Any] | None = None


class Period(NamedTuple):
    """The worker's state over [start, end). (Named tuples: built, compared and hashed in C.)"""

    start: date
    end: date | None
    status: str  # HIRED, POSTED, ON_LEAVE, DEPARTED
    facility: str | None
    cadre: str


class Flow(NamedTuple):
    """A posting, transfer or departure, with its origin and destination from the timeline."""

    day: date
    position: int
    origin: str | None
    destination: str | None


@dataclass(slots=True)
class Derived:
    """What a worker's timeline gives, built one event in force at a time (``push``).

    Besides the periods, flows and origins, it keeps the state after the last event (hired,
    facility, on leave, cadre), so that an event placed after every other one on the timeline
    extends what was derived instead of deriving it all again.
    """

    periods: list[Period] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    origins: dict[int, str | None] = field(default_factory=dict)  # position → origin
    last_day: date | None = None  # the latest effective date on the timeline
    hired: bool = False
    facility: str | None = None
    on_leave: bool = False
    cadre: str = ""
    # The state changes (day, status, facility, cadre), and the index of each period's first one.
    changes: list[tuple[date, str, str | None, str]] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)

    def follows(self, step: Step) -> bool:
        """Whether ``step`` (recorded after every step so far) goes last on the timeline."""
        day = step.effective_on
        return day is not None and (self.last_day is None or day >= self.last_day)

    def push(self, step: Step) -> None:
        """Adds ``step``, an event in force that goes last on the timeline."""
        day = step.effective_on
        assert day is not None
        if self.last_day is None or day > self.last_day:
            self.last_day = day
        kind = step.kind
        if kind == "Hired" or kind == "Rehired":
            self.hired, self.facility, self.on_leave = True, None, False
            if step.cadre is not None:
                self.cadre = step.cadre
        elif kind == "Posted":
            self.flows.append(Flow(day, step.position, None, step.facility))
            self.facility = step.facility
        elif kind == "Transferred":
            self.origins[step.position] = self.facility
            self.flows.append(Flow(day, step.position, self.facility, step.facility))
            self.facility = step.facility
        elif kind == "LeaveStarted":
            self.on_leave = True
        elif kind == "LeaveEnded":
            self.on_leave = False
        elif kind == "Requalified":
            self.cadre = step.cadre or self.cadre
        elif kind == "Departed":
            self.origins[step.position] = self.facility
            if self.facility is not None:
                self.flows.append(Flow(day, step.position, self.facility, None))
            self.hired, self.facility, self.on_leave = False, None, False
        else:
            return
        facility = self.facility
        status = (
            "DEPARTED" if not self.hired else "HIRED" if facility is None else "ON_LEAVE" if self.on_leave else "POSTED"
        )
        state = (day, status, facility, self.cadre)
        changes, periods = self.changes, self.periods
        if changes and changes[-1][0] == day:  # two changes on one day: the later one holds
            changes[-1] = state
            first = self.starts.pop()
            periods.pop()
        else:
            changes.append(state)
            first = len(changes) - 1
            if periods:
                last = periods[-1]
                periods[-1] = Period(last.start, day, last.status, last.facility, last.cadre)
        for i in range(first, len(changes)):
            start, status, where, cadre = changes[i]
            end = changes[i + 1][0] if i + 1 < len(changes) else None
            previous = periods[-1] if periods else None
            if previous is not None and (previous.status, previous.facility, previous.cadre) == (status, where, cadre):
                periods[-1] = Period(previous.start, end, status, where, cadre)
            else:
                periods.append(Period(start, end, status, where, cadre))
                self.starts.append(i)


def in_force(steps: list[Step]) -> list[Step]:
    """The timeline: dated events not retracted, by effective date then position."""
    retracted = {s.retracts for s in steps if s.retracts is not None}
    dated = [s for s in steps if s.effective_on is not None and s.version not in retracted]
    return sorted(dated, key=lambda s: (s.effective_on, s.position))


def derive(steps: list[Step]) -> Derived:
    """Periods, flows and origins of a worker whose events (in ledger order) are ``steps``."""
    out = Derived()
    for step in in_force(steps):
        out.push(step)
    return out


def backdated(steps: list[Step], candidate: Step) -> bool:
    """Whether ``candidate`` was recorded after an event of the same worker dated later.

    Only events in force when it was recorded count (a retraction recorded before it removes
    its target).
    """
    if candidate.effective_on is None:
        return False
    earlier = [s for s in steps if s.position < candidate.position]
    retracted = {s.retracts for s in earlier if s.retracts is not None}
    return any(
        s.effective_on is not None and s.version not in retracted and s.effective_on > candidate.effective_on
        for s in earlier
    )


def step_of(kind: str, position: int, version: int, data: dict[str, Any]) -> Step:
    """A timeline step from a decoded event's name and data."""
    effective_on = data.get("effective_on")
    if kind == "TrainingRecorded":
        effective_on = data.get("started_on")
    return Step(
        position=position,
        version=version,
        kind=kind,
        effective_on=effective_on if kind in DATED else None,
        facility=data.get("facility_code") or data.get("to_facility_code"),
        recorded_from=data.get("from_facility_code"),
        cadre=data.get("cadre_code"),
        retracts=data.get("retracted_version"),
        corrections=data.get("corrections"),
    )


@dataclass(slots=True)
class WorkerState:
    """Everything the projector keeps about one worker between events."""

    id: UUID
    epoch: int = 0  # the projector's cadre epoch when this was derived
    steps: list[Step] = field(default_factory=list)
    identity: dict[str, Any] = field(default_factory=dict)
    traits: tuple[Any, ...] = (None, None, None, 0)  # projections.vectors.traits(identity)
    derived: Derived = field(default_factory=Derived)
    # Per period, the worker's share of its facility's staffing: (facility, from, to, packed vector).
    contributions: list[tuple[str, date, date | None, int] | None] = field(default_factory=list)
    # The open rectangles of the worker's periods and flows, by what they say.
    period_ids: dict[tuple[Any, ...], int] = field(default_factory=dict)
    change_ids: dict[tuple[Any, ...], int] = field(default_factory=dict)
    flow_ids: dict[Flow, int] = field(default_factory=dict)
    # What the history rows last said, per position: (from, to, retracted).
    shown: dict[int, tuple[str | None, str | None, bool]] = field(default_factory=dict)
