"""A worker's timeline, and what the read models derive from it (DESIGN, "Definitions").

The timeline is the worker's events in force, ordered by effective date and then by ledger
position. From it come the worker's status periods, the flows (postings, transfers and
departures, each with its origin and destination *from the timeline*) and the origin shown
in the mobility history.
"""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple
from uuid import UUID

from domain.worker import Worker
from projections.handlers import EventClass, UnhandledEvent, event_classes_of

WORKER_EVENTS: dict[str, EventClass] = {c.__name__: c for c in event_classes_of(Worker)}
"""The Worker's event classes by name, as the ``events`` table's ``event`` column holds them."""

DATE_FIELDS = ("effective_on", "started_on")  # a training's date is when it started


def _date_field(event_class: EventClass) -> str | None:
    names = {f.name for f in dataclasses.fields(event_class)}
    return next((name for name in DATE_FIELDS if name in names), None)


DATE_FIELD: dict[EventClass, str] = {c: name for c in WORKER_EVENTS.values() if (name := _date_field(c)) is not None}
"""The worker events whose effective date places them on the timeline, and the field it is in;
the others (corrections, retractions) are undated."""


@dataclass(slots=True)
class Step:
    """One worker event, reduced to what the timeline needs."""

    position: int
    version: int
    kind: EventClass  # the domain's event class, such as ``Worker.Posted``
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
        """Adds ``step``, an event in force that goes last on the timeline.

        Raises:
            UnhandledEvent: the step's class has no effect on the timeline (``EFFECTS``).
        """
        day = step.effective_on
        assert day is not None, "only dated steps go on the timeline"
        if self.last_day is None or day > self.last_day:
            self.last_day = day
        effect = EFFECTS.get(step.kind)
        if effect is None:
            raise UnhandledEvent(f"{step.kind.__qualname__} has no effect declared on a worker's timeline")
        if not effect(self, step, day):
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


# What each dated worker event does to the state after it (``Derived.push``); True when the state
# changed. ``tests/unit/test_event_handlers.py`` checks that every dated class has one.
Effect = Callable[[Derived, Step, date], bool]


def _hired(d: Derived, step: Step, day: date) -> bool:
    d.hired, d.facility, d.on_leave = True, None, False
    if step.cadre is not None:
        d.cadre = step.cadre
    return True


def _posted(d: Derived, step: Step, day: date) -> bool:
    d.flows.append(Flow(day, step.position, None, step.facility))
    d.facility = step.facility
    return True


def _transferred(d: Derived, step: Step, day: date) -> bool:
    d.origins[step.position] = d.facility
    d.flows.append(Flow(day, step.position, d.facility, step.facility))
    d.facility = step.facility
    return True


def _leave_started(d: Derived, step: Step, day: date) -> bool:
    d.on_leave = True
    return True


def _leave_ended(d: Derived, step: Step, day: date) -> bool:
    d.on_leave = False
    return True


def _requalified(d: Derived, step: Step, day: date) -> bool:
    d.cadre = step.cadre or d.cadre
    return True


def _departed(d: Derived, step: Step, day: date) -> bool:
    d.origins[step.position] = d.facility
    if d.facility is not None:
        d.flows.append(Flow(day, step.position, d.facility, None))
    d.hired, d.facility, d.on_leave = False, None, False
    return True


def _training_recorded(d: Derived, step: Step, day: date) -> bool:
    return False  # dated, so it places later events, but it changes no period


EFFECTS: dict[EventClass, Effect] = {
    Worker.Hired: _hired,
    Worker.Rehired: _hired,
    Worker.Posted: _posted,
    Worker.Transferred: _transferred,
    Worker.LeaveStarted: _leave_started,
    Worker.LeaveEnded: _leave_ended,
    Worker.Requalified: _requalified,
    Worker.Departed: _departed,
    Worker.TrainingRecorded: _training_recorded,
}


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


def step_of(kind: EventClass, position: int, version: int, data: dict[str, Any]) -> Step:
    """A timeline step from a decoded event's class and data."""
    date_field = DATE_FIELD.get(kind)
    return Step(
        position=position,
        version=version,
        kind=kind,
        effective_on=data.get(date_field) if date_field is not None else None,
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
    # Per period, the worker's share of its facility's staffing: (facility, cadre in post or None, from,
    # to, packed vector; ``WorkerProjection._contributions``).
    contributions: list[tuple[str, str | None, date, date | None, int] | None] = field(default_factory=list)
    # The open rectangles of the worker's periods and flows, by what they say.
    period_ids: dict[tuple[Any, ...], int] = field(default_factory=dict)
    change_ids: dict[tuple[Any, ...], int] = field(default_factory=dict)
    flow_ids: dict[Flow, int] = field(default_factory=dict)
    # What the history rows last said, per position: (from, to, retracted).
    shown: dict[int, tuple[str | None, str | None, bool]] = field(default_factory=dict)
