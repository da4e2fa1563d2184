"""A worker's timeline, and what the read models derive from it (DESIGN, "Definitions").

The timeline is the worker's events in force, ordered by effective date and then by ledger
position. From it come the worker's status periods, the flows (postings, transfers and
departures, each with its origin and destination *from the timeline*) and the origin shown
in the mobility history.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any
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


@dataclass(frozen=True, slots=True)
class Period:
    """The worker's state over [start, end)."""

    start: date
    end: date | None
    status: str  # HIRED, POSTED, ON_LEAVE, DEPARTED
    facility: str | None
    cadre: str


@dataclass(frozen=True, slots=True)
class Flow:
    """A posting, transfer or departure, with its origin and destination from the timeline."""

    day: date
    position: int
    origin: str | None
    destination: str | None


@dataclass(slots=True)
class Derived:
    periods: list[Period] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    origins: dict[int, str | None] = field(default_factory=dict)  # position → origin


def in_force(steps: list[Step]) -> list[Step]:
    """The timeline: dated events not retracted, by effective date then position."""
    retracted = {s.retracts for s in steps if s.retracts is not None}
    dated = [s for s in steps if s.effective_on is not None and s.version not in retracted]
    return sorted(dated, key=lambda s: (s.effective_on, s.position))


def derive(steps: list[Step]) -> Derived:
    """Periods, flows and origins of a worker whose events (in ledger order) are ``steps``."""
    out = Derived()
    hired = False
    facility: str | None = None
    on_leave = False
    cadre = ""
    changes: list[tuple[date, str, str | None, str]] = []
    for step in in_force(steps):
        day = step.effective_on
        assert day is not None
        kind = step.kind
        if kind == "Hired" or kind == "Rehired":
            hired, facility, on_leave = True, None, False
            if step.cadre is not None:
                cadre = step.cadre
        elif kind == "Posted":
            out.flows.append(Flow(day, step.position, None, step.facility))
            facility = step.facility
        elif kind == "Transferred":
            out.origins[step.position] = facility
            out.flows.append(Flow(day, step.position, facility, step.facility))
            facility = step.facility
        elif kind == "LeaveStarted":
            on_leave = True
        elif kind == "LeaveEnded":
            on_leave = False
        elif kind == "Requalified":
            cadre = step.cadre or cadre
        elif kind == "Departed":
            out.origins[step.position] = facility
            if facility is not None:
                out.flows.append(Flow(day, step.position, facility, None))
            hired, facility, on_leave = False, None, False
        else:
            continue
        status = "DEPARTED" if not hired else "HIRED" if facility is None else "ON_LEAVE" if on_leave else "POSTED"
        state = (day, status, facility, cadre)
        if changes and changes[-1][0] == day:
            changes[-1] = state
        else:
            changes.append(state)
    for i, (day, status, where, cadre_code) in enumerate(changes):
        end = changes[i + 1][0] if i + 1 < len(changes) else None
        previous = out.periods[-1] if out.periods else None
        if previous is not None and (previous.status, previous.facility, previous.cadre) == (status, where, cadre_code):
            out.periods[-1] = Period(previous.start, end, status, where, cadre_code)
        else:
            out.periods.append(Period(day, end, status, where, cadre_code))
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
    steps: list[Step] = field(default_factory=list)
    identity: dict[str, Any] = field(default_factory=dict)
    traits: tuple[Any, ...] = (None, None, None, 0)  # projections.vectors.traits(identity)
    derived: Derived = field(default_factory=Derived)
    # The worker's share of each facility's staffing: (facility, from, to, vector).
    contributions: list[tuple[str, date, date | None, tuple[int, ...]]] = field(default_factory=list)
    # The open rectangles of the worker's periods and flows, by what they say.
    period_ids: dict[tuple[Any, ...], int] = field(default_factory=dict)
    flow_ids: dict[Flow, int] = field(default_factory=dict)
    # What the history rows last said, per position: (from, to, retracted).
    shown: dict[int, tuple[str | None, str | None, bool]] = field(default_factory=dict)
