"""A worker's timeline: the events in force, in effective order, replayed through the rules.

The check is a pure function over the whole timeline, so a back-dated event or a retraction is
judged by every event it moves, not only by its neighbours (DESIGN, "A worker's timeline"). The
rules themselves are the named guards of :mod:`domain.worker_rules`.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from domain.errors import N_, DomainError, RetractionBreaksTimeline
from domain.values import Period
from domain.worker_rules import RULES, check_is_facility, check_stints_fit_facility
from domain.worker_state import TRANSITIONS, Entry, FacilityView, State

Stints = dict[str, list[Period]]
"""A worker's periods in post, per facility code."""
Placer = Callable[[int], int | None]
"""The ledger position of the worker's event of a version, when it can be known (refusals name
recorded events by their position, as the history shows them)."""


def no_position(version: int) -> int | None:
    """A placer that knows no position: events are then named by kind and date alone."""
    return None


def invalidated(error: DomainError, entry: Entry, position: int | None) -> DomainError:
    """``error``, broken by the recorded event ``entry`` (at ledger ``position``) that a new event would
    invalidate, as a refusal of the same class that names ``entry`` and gives ``error`` as the reason."""
    if position is None:
        template = N_("This would make the {event} of {event_on} invalid: {reason}")
        return type(error)(template, **entry.params(), reason=error.message).wrapping(error)
    template = N_("This would make the {event} of {event_on} (ledger position {position}) invalid: {reason}")
    return type(error)(template, **entry.params(), position=position, reason=error.message).wrapping(error)


def apply_checked(state: State, entry: Entry, *, new_version: int | None = None, place: Placer = no_position) -> None:
    """Applies ``entry`` once it passes its rules, raising the domain error of the first it breaks.

    When the culprit is an event other than ``new_version``, the refusal says which event (by its
    ledger position, from ``place``) the new one would invalidate.
    """
    try:
        for guard in RULES[entry.kind]:
            guard(state, entry)
    except DomainError as error:
        if new_version is None or entry.version == new_version:
            raise
        raise invalidated(error, entry, place(entry.version)) from None
    TRANSITIONS[entry.kind](state, entry)  # State.apply, inlined: every entry of every replay comes here


@dataclass
class Tally:
    """A whole, consistent timeline tallied, so that an event after its last one can be checked
    alone: the events before it are the same, in the same order, so they apply as before.

    ``last`` is the timeline's last entry in effective order, ``state`` the state after it,
    ``stints`` that state's stints with the current one running on, and ``codes`` the facility
    codes the entries name.
    """

    last: Entry
    state: State
    stints: dict[str, list[Period]]
    codes: set[str]

    @classmethod
    def of(cls, entries: Sequence[Entry]) -> "Tally":
        """Tallies a timeline, raising the domain error of its first broken rule."""
        in_order = ordered(entries)
        state = State()
        for entry in in_order:
            apply_checked(state, entry)
        codes = {e.facility_code for e in in_order if e.facility_code is not None}
        return cls(in_order[-1], state, state.closed_stints(), codes)

    def follows(self, place: tuple[date, int]) -> bool:
        """True when an event at ``place`` (effective date, version) comes after every tallied one."""
        return place > key(self.last)

    def add(self, entry: Entry) -> None:
        """Applies ``entry``, which must follow the tallied timeline, as the tally's new last event."""
        apply_checked(self.state, entry)
        self.last, self.stints = entry, self.state.closed_stints()
        if entry.facility_code is not None:
            self.codes.add(entry.facility_code)

    def after(self, entry: Entry, facilities: Mapping[str, FacilityView]) -> "Tally":
        """The tally with ``entry``, which follows it, added: ``check`` of the timeline with
        ``entry`` as the new event, the tally left as it is.

        The events before ``entry`` apply as they did when tallied, so only ``entry`` can break a
        rule among them; the stints are checked against the facilities as they are now.
        """
        state = self.state.copy()
        apply_checked(state, entry)
        stints = checked_stints(state.closed_stints(), facilities)
        codes = self.codes if entry.facility_code is None else self.codes | {entry.facility_code}
        return Tally(entry, state, stints, set(codes))


def key(entry: Entry) -> tuple[date, int]:
    """An entry's place in effective order: by effective date, then by ledger order."""
    return entry.effective_on, entry.version


def ordered(entries: Iterable[Entry]) -> list[Entry]:
    """Effective order: by effective date, then by ledger order."""
    return sorted(entries, key=key)


def state_before(
    entries: Sequence[Entry], day: date, version: int, *, new_version: int | None = None, place: Placer = no_position
) -> State:
    """The state just before an event at (day, version); raises the error of the first rule ``entries``
    break before it (see ``apply_checked`` for ``new_version`` and ``place``)."""
    state = State()
    for entry in ordered(entries):
        if (entry.effective_on, entry.version) >= (day, version):
            break
        apply_checked(state, entry, new_version=new_version, place=place)
    return state


def check(
    entries: Iterable[Entry],
    facilities: Mapping[str, FacilityView],
    *,
    new_version: int | None = None,
    place: Placer = no_position,
) -> dict[str, list[Period]]:
    """Checks a whole timeline; returns the worker's stints per facility.

    Raises:
        DomainError: the first rule broken. When the culprit is an event other than
            ``new_version``, the message says which event the new one would invalidate.
    """
    state = State()
    for entry in ordered(entries):
        apply_checked(state, entry, new_version=new_version, place=place)
    state.close()
    return checked_stints(state.stints, facilities)


def checked_stints(stints: dict[str, list[Period]], facilities: Mapping[str, FacilityView]) -> dict[str, list[Period]]:
    """Checks each facility's stints against the facility; returns ``stints``."""
    for code, periods in stints.items():
        facility = facilities[code]
        check_is_facility(facility)
        check_stints_fit_facility(facility, periods)
    return stints


@dataclass
class Timeline:
    """A worker's timeline: every entry recorded, the versions retracted, and the tally of the
    entries in force, kept current as entries come so that the usual event (dated last) is checked
    alone. ``proposed`` is the tally after the entry being recorded, once checked; ``replayed`` the
    state last replayed up to a place before the tally's end, which the check of a back-dated entry
    at that place goes on from. ``place`` gives a recorded event's ledger position, for refusals."""

    entries: dict[int, Entry]
    retracted: set[int] = field(default_factory=set)
    tally: Tally | None = None
    proposed: Tally | None = None
    replayed: tuple[tuple[date, int], State] | None = None
    place: Placer = no_position

    @classmethod
    def of_hire(cls, hire: Entry) -> "Timeline":
        return cls({hire.version: hire}, tally=Tally.of([hire]))

    def in_force(self) -> list[Entry]:
        return [e for v, e in self.entries.items() if v not in self.retracted]

    def before(self, entry: Entry) -> State:
        """Where the worker stands just before ``entry``, the event being recorded now."""
        return self.state_before(entry.effective_on, entry.version, new_version=entry.version)

    def hired_on(self) -> date:
        """The effective date of the first hire."""
        return self.entries[1].effective_on

    def current(self) -> Tally | None:
        """The tally of the entries in force, or None when they break a rule."""
        if self.tally is None:
            try:
                self.tally = Tally.of(self.in_force())
            except DomainError:
                return None
        return self.tally

    def facility_codes(self) -> set[str]:
        tally = self.current()
        if tally is not None:
            return set(tally.codes)
        return {e.facility_code for e in self.in_force() if e.facility_code is not None}

    def stints(self, facilities: Mapping[str, FacilityView]) -> Stints:
        tally = self.current()
        if tally is None:
            return check(self.in_force(), facilities)
        return checked_stints({code: list(periods) for code, periods in tally.stints.items()}, facilities)

    def state_before(self, day: date, version: int, *, new_version: int | None = None) -> State:
        """The state just before an event at (day, version); see ``apply_checked`` for ``new_version``."""
        tally = self.current()
        if tally is not None and tally.follows((day, version)):
            return tally.state
        if self.replayed is None or self.replayed[0] != (day, version):
            before = state_before(self.in_force(), day, version, new_version=new_version, place=self.place)
            self.replayed = (day, version), before
        return self.replayed[1]

    def home_facility(self, day: date) -> str | None:
        """The destination of the latest posting or transfer in force effective on or before ``day``,
        or failing that of the first one after it; None when there is none."""
        placed = [e for e in ordered(self.in_force()) if e.facility_code is not None]
        before = [e for e in placed if e.effective_on <= day]
        if before:
            return before[-1].facility_code
        return placed[0].facility_code if placed else None

    def check_consistent_with(self, entry: Entry, facilities: Mapping[str, FacilityView]) -> Stints:
        """Raises the error of the first rule the timeline with ``entry`` breaks, naming the later event
        it would invalidate, or of a stint that would not fit its facility; returns the stints with it."""
        tally = self.current()
        if tally is not None and tally.follows(key(entry)):
            self.proposed = tally.after(entry, facilities)
            return self.proposed.stints
        replayed, self.replayed = self.replayed, None
        if replayed is None or replayed[0] != key(entry):
            return check([*self.in_force(), entry], facilities, new_version=entry.version, place=self.place)
        state = replayed[1]  # the entries before ``entry`` applied, in order: go on from there
        for later in [entry, *(e for e in ordered(self.in_force()) if key(e) > key(entry))]:
            apply_checked(state, later, new_version=entry.version, place=self.place)
        state.close()
        return checked_stints(state.stints, facilities)

    def check_consistent_without(
        self, version: int, facilities: Mapping[str, FacilityView], position: int | None = None
    ) -> Stints:
        """Raises RetractionBreaksTimeline when the timeline without entry ``version`` (at ledger
        ``position``) breaks a rule, naming the entry and the rule; returns the stints without it."""
        try:
            return check([e for e in self.in_force() if e.version != version], facilities)
        except DomainError as error:
            position = self.place(version) if position is None else position
            retracted = self.entries[version].params()
            if position is None:
                template = N_("Retracting the {event} of {event_on} would leave the timeline inconsistent: {reason}")
                raise RetractionBreaksTimeline(template, **retracted, reason=error.message).wrapping(error) from None
            template = N_(
                "Retracting the {event} of {event_on} (ledger position {position}) would leave the timeline "
                "inconsistent: {reason}"
            )
            refusal = RetractionBreaksTimeline(template, **retracted, position=position, reason=error.message)
            raise refusal.wrapping(error) from None

    def add(self, entry: Entry) -> None:
        """Adds a recorded entry; the tally follows when the entry comes last, else it is tallied again
        when next needed."""
        self.entries[entry.version] = entry
        self.replayed = None
        tally, self.tally = self.tally, None
        proposed, self.proposed = self.proposed, None
        if tally is None:
            return
        if proposed is not None and proposed.last == entry:
            self.tally = proposed  # the checked tally after this very entry
            return
        if tally.follows(key(entry)):
            try:
                tally.add(entry)
            except DomainError:
                return
            self.tally = tally

    def retract(self, version: int) -> None:
        self.retracted.add(version)
        self.tally = self.replayed = None
