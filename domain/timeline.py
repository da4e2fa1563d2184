"""A worker's timeline: the events in force, in effective order, and the rules they must obey.

The check is a pure function over the whole timeline, so a back-dated event or a retraction is
judged by every event it moves, not only by its neighbours (DESIGN, "A worker's timeline").
"""

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from domain.errors import (
    AlreadyOnLeave,
    DateOutOfOrder,
    DomainError,
    FacilityClosed,
    NotAFacility,
    NotOnLeave,
    SameCadre,
    SameFacility,
    WorkerAlreadyPosted,
    WorkerDeparted,
    WorkerNotDeparted,
    WorkerNotHired,
    WorkerNotPosted,
)
from domain.values import OrgUnitLevel, Period


class Kind(enum.Enum):
    HIRED = "hire"
    POSTED = "posting"
    TRANSFERRED = "transfer"
    TRAINING_RECORDED = "training"
    REQUALIFIED = "requalification"
    LEAVE_STARTED = "leave start"
    LEAVE_ENDED = "leave end"
    DEPARTED = "departure"
    REHIRED = "rehire"


@dataclass(frozen=True)
class Entry:
    """One event of a worker's timeline. ``facility_code`` is a posting's or transfer's destination."""

    version: int
    kind: Kind
    effective_on: date
    facility_code: str | None = None
    cadre_code: str | None = None

    def describe(self) -> str:
        return f"the {self.kind.value} of {self.effective_on.isoformat()} (event {self.version})"


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

    def _leave_facility(self, day: date) -> None:
        # Two moves on one day leave an empty stint, which covers no day: drop it.
        if self.facility is not None and self.stint_start is not None and self.stint_start < day:
            self.stints.setdefault(self.facility, []).append(Period(self.stint_start, day))
        self.facility = None
        self.stint_start = None

    def _enter_facility(self, code: str, day: date) -> None:
        self._leave_facility(day)
        self.facility = code
        self.stint_start = day

    def apply(self, entry: Entry) -> None:
        """Applies ``entry``, raising the domain error that forbids it."""
        day = entry.effective_on
        if entry.kind is Kind.HIRED:
            if self.hired or self.departed:
                raise DateOutOfOrder(f"The worker is already hired before {entry.describe()}.")
            self.hired, self.cadre = True, entry.cadre_code
            return
        if not self.hired and not self.departed:
            raise WorkerNotHired(f"{entry.describe().capitalize()} comes before the worker's hire.")
        if entry.kind is Kind.REHIRED:
            if not self.departed:
                raise WorkerNotDeparted(
                    f"{entry.describe().capitalize()} needs a departure before it; the worker is still employed."
                )
            self.hired, self.departed = True, False
            return
        if self.departed:
            raise WorkerDeparted(
                f"The worker departed before {entry.describe()}; record a rehire first, or check the date."
            )
        if entry.kind is Kind.POSTED:
            if self.facility is not None:
                raise WorkerAlreadyPosted(
                    f"The worker is already posted to {self.facility} on {day.isoformat()}; "
                    "record a transfer instead of a posting."
                )
            assert entry.facility_code is not None
            self._enter_facility(entry.facility_code, day)
        elif entry.kind is Kind.TRANSFERRED:
            if self.facility is None:
                raise WorkerNotPosted(
                    f"The worker is not posted anywhere on {day.isoformat()}; record a posting, not a transfer."
                )
            if self.facility == entry.facility_code:
                raise SameFacility(
                    f"{entry.describe().capitalize()} would move the worker from {self.facility} to "
                    f"{entry.facility_code}, the facility they are already at."
                )
            assert entry.facility_code is not None
            self._enter_facility(entry.facility_code, day)
        elif entry.kind is Kind.LEAVE_STARTED:
            if self.facility is None:
                raise WorkerNotPosted(f"The worker is not in post on {day.isoformat()}; leave starts in post.")
            if self.leave_since is not None:
                raise AlreadyOnLeave(
                    f"The worker is already on leave since {self.leave_since.isoformat()} on {day.isoformat()}."
                )
            self.leave_since = day
        elif entry.kind is Kind.LEAVE_ENDED:
            if self.leave_since is None:
                raise NotOnLeave(f"The worker is not on leave on {day.isoformat()}; there is no leave to end.")
            if day <= self.leave_since:
                raise DateOutOfOrder(
                    f"A leave that started on {self.leave_since.isoformat()} must end on a later date, "
                    f"not {day.isoformat()}."
                )
            self.leave_since = None
        elif entry.kind is Kind.REQUALIFIED:
            if entry.cadre_code == self.cadre:
                raise SameCadre(f"The worker is already in cadre {self.cadre} on {day.isoformat()}.")
            self.cadre = entry.cadre_code
        elif entry.kind is Kind.DEPARTED:
            self._leave_facility(day)
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


@dataclass
class Tally:
    """A whole, consistent timeline tallied, so that an event after its last one can be checked
    alone: the events before it are the same, in the same order, so they apply as before.

    ``version`` is the worker's version the tally reflects, ``last`` the timeline's last entry in
    effective order, ``state`` the state after it, ``stints`` that state's stints with the current
    one running on, and ``codes`` the facility codes the entries name.
    """

    version: int
    last: Entry
    state: State
    stints: dict[str, list[Period]]
    codes: set[str]

    @classmethod
    def of(cls, entries: Sequence[Entry], version: int) -> "Tally":
        """Tallies a timeline, raising the domain error of its first broken rule."""
        in_order = ordered(entries)
        state = State()
        for entry in in_order:
            state.apply(entry)
        codes = {e.facility_code for e in in_order if e.facility_code is not None}
        return cls(version, in_order[-1], state, state.closed_stints(), codes)

    def follows(self, place: tuple[date, int]) -> bool:
        """True when an event at ``place`` (effective date, version) comes after every tallied one."""
        return place > key(self.last)

    def add(self, entry: Entry) -> None:
        """Applies ``entry``, which must follow the tallied timeline, as the tally's new last event."""
        self.state.apply(entry)
        self.version, self.last, self.stints = entry.version, entry, self.state.closed_stints()
        if entry.facility_code is not None:
            self.codes.add(entry.facility_code)

    def after(self, entry: Entry, facilities: Mapping[str, FacilityView]) -> "Tally":
        """The tally with ``entry``, which follows it, added: ``check`` of the timeline with
        ``entry`` as the new event, the tally left as it is.

        The events before ``entry`` apply as they did when tallied, so only ``entry`` can break a
        rule among them; the stints are checked against the facilities as they are now.
        """
        state = self.state.copy()
        state.apply(entry)
        stints = checked_stints(state.closed_stints(), facilities)
        codes = self.codes if entry.facility_code is None else self.codes | {entry.facility_code}
        return Tally(entry.version, entry, state, stints, set(codes))


def key(entry: Entry) -> tuple[date, int]:
    """An entry's place in effective order: by effective date, then by ledger order."""
    return entry.effective_on, entry.version


def ordered(entries: Iterable[Entry]) -> list[Entry]:
    """Effective order: by effective date, then by ledger order."""
    return sorted(entries, key=key)


def state_before(entries: Sequence[Entry], day: date, version: int) -> State:
    """The state just before an event at (day, version), assuming ``entries`` are consistent."""
    state = State()
    for entry in ordered(entries):
        if (entry.effective_on, entry.version) >= (day, version):
            break
        state.apply(entry)
    return state


def check(
    entries: Iterable[Entry], facilities: Mapping[str, FacilityView], *, new_version: int | None = None
) -> dict[str, list[Period]]:
    """Checks a whole timeline; returns the worker's stints per facility.

    Raises:
        DomainError: the first rule broken. When the culprit is an event other than
            ``new_version``, the message says which event the new one would invalidate.
    """
    state = State()
    for entry in ordered(entries):
        try:
            state.apply(entry)
        except DomainError as error:
            if new_version is None or entry.version == new_version:
                raise
            error.message = f"This would make {entry.describe()} invalid: {error.message}"
            error.args = (error.message,)
            raise
    state.close()
    return checked_stints(state.stints, facilities)


def checked_stints(stints: dict[str, list[Period]], facilities: Mapping[str, FacilityView]) -> dict[str, list[Period]]:
    """Checks each facility's stints against the facility; returns ``stints``."""
    for code, periods in stints.items():
        check_facility_periods(facilities[code], periods)
    return stints


def check_facility_periods(facility: FacilityView, periods: Iterable[Period]) -> None:
    if facility.level is not OrgUnitLevel.FACILITY:
        raise NotAFacility(f"{facility.code} is a {facility.level.name}; workers are posted to facilities only.")
    for period in periods:
        if period.start < facility.opened_on:
            raise FacilityClosed(
                f"{facility.code} opened on {facility.opened_on.isoformat()}; "
                f"no one can be in post there on {period.start.isoformat()}."
            )
        if facility.closed_on is not None and (period.end is None or period.end > facility.closed_on):
            until = "with no end" if period.end is None else f"until {period.end.isoformat()}"
            raise FacilityClosed(
                f"{facility.code} closed on {facility.closed_on.isoformat()}; a stint there from "
                f"{period.start.isoformat()} {until} would outlast it."
            )
