"""Random careers against the ledger: whatever clerks send, in whatever order, what is stored obeys
the rules.

Dates come from a short grid of weeks, so same-day events and back-dated events are frequent. The
org tree is fixed: one facility opens late and one has closed. After every step:

(a) a refused command has written nothing (checked as each command runs);
(b) every worker's stored timeline passes ``domain.timeline.check``;
(c) every facility roster holds exactly the stints recomputed from the workers' timelines;
(d) no one is in post at a facility on a day it is not open, by a reference walk over the
    accepted events written here from the DESIGN's definition of "in post", independent of the
    domain's timeline code; and that walk agrees with the stints the domain computes;
(e) a civil-service number has at most one holder, and the registry agrees with the workers.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from domain import commands as c
from domain import timeline
from domain.errors import DomainError
from domain.identity import civil_service_number_id, org_unit_id, roster_id
from domain.ledger import Ledger, Outcome
from domain.org_unit import OrgUnit
from domain.registry import CivilServiceNumber, FacilityRoster
from domain.values import (
    CadreGroup,
    DepartureReason,
    FundingSource,
    LeaveKind,
    OrgUnitLevel,
    Period,
    Sector,
    Sex,
)
from domain.worker import Worker

START = date(2020, 1, 1)
WEEKS = [START + timedelta(weeks=k) for k in range(42)]
"""Wednesdays from 1 January to 13 October 2020: the only effective dates the machine uses."""
TODAY = datetime(2020, 9, 1, 10, 0, tzinfo=UTC)
"""With the 31-day margin, dates after 2 October 2020 are refused as being in the future."""
LATE_OPENING = START + timedelta(weeks=6)
CLOSING = START + timedelta(weeks=18)

COUNTRY, REGION, DISTRICT = "ML", "ML-R", "ML-R-D"
OPEN, OTHER, CLOSED, LATE = "F-OPEN", "F-OTHER", "F-CLOSED", "F-LATE"
FACILITIES = (OPEN, OTHER, CLOSED, LATE)
CADRES = ("NURSE", "MIDWIFE", "UNKNOWN")
NUMBERS = ("CSN-1", "CSN-2", "CSN-3")
MAX_WORKERS = 4

HIRE, POST, TRANSFER, DEPART, REHIRE, OTHER_EVENT = "hire", "post", "transfer", "depart", "rehire", "other"


@dataclass(frozen=True)
class Fact:
    """An accepted worker event, as this test saw it go in."""

    position: int
    kind: str
    day: date
    facility: str | None = None


def in_post(facts: Iterable[Fact], day: date) -> str | None:
    """Where the worker is in post on ``day``, straight from DESIGN, "Definitions", "In post"."""
    employed, facility = False, None
    for fact in sorted(facts, key=lambda f: (f.day, f.position)):
        if fact.day > day:
            break
        if fact.kind in (HIRE, REHIRE):
            employed, facility = True, None
        elif fact.kind == DEPART:
            employed, facility = False, None
        elif fact.kind in (POST, TRANSFER):
            facility = fact.facility
    return facility if employed else None


workers = st.integers(min_value=0, max_value=MAX_WORKERS - 1)
days = st.sampled_from(WEEKS)
hiring_days = st.sampled_from(WEEKS[:16]) | st.sampled_from(WEEKS[-2:])
"""Mostly early, so that careers have room to unfold; now and then in the future."""
closing_days = st.sampled_from(WEEKS[20:])
"""Late enough that closings do not empty the tree before anyone is posted."""
destinations = st.sampled_from((OPEN, OPEN, OTHER, OTHER, LATE, CLOSED, DISTRICT, "F-UNKNOWN"))


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock_=lambda: TODAY)
        self.open_periods: dict[str, tuple[date, date | None]] = {}
        self.workers: list[UUID] = []
        self.facts: dict[UUID, list[Fact]] = {}
        self.positions: list[int] = []
        self._stints_at: tuple[int | None, dict[UUID, dict[str, list[Period]]]] | None = None
        self._open_org_tree()

    def _open_org_tree(self) -> None:
        def opening(code: str, level: OrgUnitLevel, parent: str | None, on: date = START) -> c.OpenOrgUnit:
            return c.OpenOrgUnit(code=code, name=code, level=level, parent_code=parent, opened_on=on)

        setup: list[c.Command] = [
            opening(COUNTRY, OrgUnitLevel.COUNTRY, None),
            opening(REGION, OrgUnitLevel.REGION, COUNTRY),
            opening(DISTRICT, OrgUnitLevel.DISTRICT, REGION),
            opening(OPEN, OrgUnitLevel.FACILITY, DISTRICT),
            opening(OTHER, OrgUnitLevel.FACILITY, DISTRICT),
            opening(CLOSED, OrgUnitLevel.FACILITY, DISTRICT),
            opening(LATE, OrgUnitLevel.FACILITY, DISTRICT, LATE_OPENING),
            c.CloseOrgUnit(code=CLOSED, effective_on=CLOSING),
            c.DefineCadre(code="NURSE", name="Nurse", group=CadreGroup.NURSE, qualified=True),
            c.DefineCadre(code="MIDWIFE", name="Midwife", group=CadreGroup.MIDWIFE, qualified=True),
        ]
        for command in setup:
            outcome = self.ledger.execute(command, "setup")
            self.positions.append(outcome.position)  # never a worker's: retracting them is refused
        self.open_periods = {OPEN: (START, None), OTHER: (START, None), CLOSED: (START, CLOSING)}
        self.open_periods[LATE] = (LATE_OPENING, None)

    # Running commands.

    def _execute(self, command: c.Command) -> Outcome | None:
        """Runs ``command``; a refusal must leave the ledger as it was (invariant a)."""
        before = self.ledger.recorder.max_notification_id()
        try:
            outcome = self.ledger.execute(command, "clerk")
        except DomainError as error:
            assert self.ledger.recorder.max_notification_id() == before, f"{error.code} wrote events"
            event(f"{type(command).__name__} refused: {error.code}")
            return None
        assert outcome.position > (before or 0)
        event(f"{type(command).__name__} accepted")
        self.positions.append(outcome.position)
        return outcome

    def _worker(self, index: int) -> UUID:
        return self.workers[index % len(self.workers)]

    def _change(self, command: c.WorkerCommand, kind: str, day: date, facility: str | None = None) -> None:
        outcome = self._execute(command)
        if outcome is not None:
            self.facts[command.worker_id].append(Fact(outcome.position, kind, day, facility))

    # Rules.

    @initialize(day=st.sampled_from(WEEKS[:8]), facility=st.sampled_from((OPEN, OTHER, LATE)))
    def a_worker_is_hired_and_posted(self, day: date, facility: str) -> None:
        self.hire(day, "NURSE", None)
        self.post(0, facility, day)

    @precondition(lambda self: len(self.workers) < MAX_WORKERS)
    @rule(day=hiring_days, cadre=st.sampled_from(CADRES), number=st.none() | st.sampled_from(NUMBERS))
    def hire(self, day: date, cadre: str, number: str | None) -> None:
        command = c.HireWorker(
            civil_service_number=number,
            family_name="Diarra",
            given_names="Awa",
            sex=Sex.FEMALE,
            cadre_code=cadre,
            sector=Sector.PUBLIC,
            funding_source=FundingSource.STATE,
            effective_on=day,
        )
        outcome = self._execute(command)
        if outcome is not None:
            self.workers.append(outcome.aggregate_id)
            self.facts[outcome.aggregate_id] = [Fact(outcome.position, HIRE, day)]

    @precondition(lambda self: self.workers)
    @rule(index=workers, facility=destinations, day=days)
    def post(self, index: int, facility: str, day: date) -> None:
        self._change(
            c.PostWorker(worker_id=self._worker(index), facility_code=facility, effective_on=day), POST, day, facility
        )

    @precondition(lambda self: self.workers)
    @rule(index=workers, facility=destinations, day=days)
    def transfer(self, index: int, facility: str, day: date) -> None:
        command = c.TransferWorker(worker_id=self._worker(index), to_facility_code=facility, effective_on=day)
        self._change(command, TRANSFER, day, facility)

    @precondition(lambda self: self.workers)
    @rule(index=workers, day=days)
    def start_leave(self, index: int, day: date) -> None:
        self._change(
            c.StartLeave(worker_id=self._worker(index), kind=LeaveKind.STUDY, effective_on=day), OTHER_EVENT, day
        )

    @precondition(lambda self: self.workers)
    @rule(index=workers, day=days)
    def end_leave(self, index: int, day: date) -> None:
        self._change(c.EndLeave(worker_id=self._worker(index), effective_on=day), OTHER_EVENT, day)

    @precondition(lambda self: self.workers)
    @rule(index=workers, day=days)
    def depart(self, index: int, day: date) -> None:
        command = c.RecordDeparture(worker_id=self._worker(index), reason=DepartureReason.RESIGNATION, effective_on=day)
        self._change(command, DEPART, day)

    @precondition(lambda self: self.workers)
    @rule(index=workers, day=days)
    def rehire(self, index: int, day: date) -> None:
        self._change(c.RehireWorker(worker_id=self._worker(index), effective_on=day), REHIRE, day)

    @precondition(lambda self: self.workers)
    @rule(index=workers, day=days, weeks=st.none() | st.integers(min_value=0, max_value=8))
    def train(self, index: int, day: date, weeks: int | None) -> None:
        ended_on = None if weeks is None else day + timedelta(weeks=weeks)
        command = c.RecordTraining(worker_id=self._worker(index), course="PCIME", started_on=day, ended_on=ended_on)
        self._change(command, OTHER_EVENT, day)

    @precondition(lambda self: self.workers)
    @rule(index=workers, cadre=st.sampled_from(CADRES), day=days)
    def requalify(self, index: int, cadre: str, day: date) -> None:
        self._change(
            c.RequalifyWorker(worker_id=self._worker(index), cadre_code=cadre, effective_on=day), OTHER_EVENT, day
        )

    @precondition(lambda self: self.workers)
    @rule(index=workers, number=st.sampled_from(NUMBERS))
    def correct_number(self, index: int, number: str) -> None:
        self._execute(c.CorrectWorkerDetails(worker_id=self._worker(index), civil_service_number=number))

    @precondition(lambda self: self.workers)
    @rule(index=workers, own=st.booleans(), pick=st.integers(min_value=0))
    def retract(self, index: int, own: bool, pick: int) -> None:
        worker_id = self._worker(index)
        candidates = [f.position for f in self.facts[worker_id]] if own else self.positions
        position = candidates[pick % len(candidates)]
        if self._execute(c.RetractEvent(worker_id=worker_id, position=position, reason="wrong entry")) is not None:
            # Only a fact of this worker can have been retracted; it counts as never recorded.
            (retracted,) = [f for f in self.facts[worker_id] if f.position == position]
            self.facts[worker_id].remove(retracted)

    @precondition(lambda self: self.workers)
    @rule(facility=st.sampled_from((OTHER, LATE)), day=closing_days)
    def close_facility(self, facility: str, day: date) -> None:
        if self._execute(c.CloseOrgUnit(code=facility, effective_on=day)) is not None:
            self.open_periods[facility] = (self.open_periods[facility][0], day)

    # Invariants.

    def _stored_stints(self) -> dict[UUID, dict[str, list[Period]]]:
        """Each worker's stints from their stored timeline, checked; recomputed when the ledger grew."""
        position = self.ledger.recorder.max_notification_id()
        if self._stints_at is not None and self._stints_at[0] == position:
            return self._stints_at[1]
        stints = {}
        for worker_id in self.workers:
            stored = self.ledger.repository.get(worker_id)
            assert isinstance(stored, Worker)
            facilities: dict[str, OrgUnit] = {}
            for code in stored.timeline.facility_codes():
                unit = self.ledger.repository.get(org_unit_id(code))
                assert isinstance(unit, OrgUnit)
                facilities[code] = unit
            stints[worker_id] = timeline.check(stored.timeline.in_force(), facilities)  # (b): never raises
        self._stints_at = (position, stints)
        return stints

    @invariant()
    def every_stored_timeline_obeys_the_rules(self) -> None:
        self._stored_stints()

    @invariant()
    def rosters_match_the_stored_timelines(self) -> None:
        stints = self._stored_stints()
        for code in FACILITIES:
            expected = {w: periods[code] for w, periods in stints.items() if code in periods}
            try:
                roster = self.ledger.repository.get(roster_id(code))
            except AggregateNotFoundError:
                assert expected == {}, f"{code} has no roster"
                continue
            assert isinstance(roster, FacilityRoster)
            assert roster.stints == expected, code

    @invariant()
    def no_one_is_in_post_at_a_facility_that_is_not_open(self) -> None:
        stints = self._stored_stints()
        for worker_id in self.workers:
            for day in WEEKS:
                facility = in_post(self.facts[worker_id], day)
                covering = {code for code, periods in stints[worker_id].items() for p in periods if p.covers(day)}
                assert covering == ({facility} if facility else set()), (worker_id, day)
                if facility is not None:
                    opened, closed = self.open_periods[facility]
                    assert opened <= day and (closed is None or day < closed), (facility, day)

    @invariant()
    def a_civil_service_number_has_one_holder(self) -> None:
        holders: dict[str, UUID] = {}
        for worker_id in self.workers:
            stored = self.ledger.repository.get(worker_id)
            assert isinstance(stored, Worker)
            if stored.civil_service_number is not None:
                assert stored.civil_service_number not in holders
                holders[stored.civil_service_number] = worker_id
        for number in NUMBERS:
            try:
                registration = self.ledger.repository.get(civil_service_number_id(number))
            except AggregateNotFoundError:
                assert number not in holders
                continue
            assert isinstance(registration, CivilServiceNumber)
            assert registration.holder == holders.get(number), number


LedgerMachine.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLedgerStateMachine = LedgerMachine.TestCase
