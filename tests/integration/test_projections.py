"""The read tables against a reference computation, on a real PostgreSQL.

Random histories (hypothesis) are recorded through the ledger, many of them back-dated, with
retractions and a boundary change. They are projected the way a live runner would, in batches
cut at random places, each batch from a fresh process state. Every figure must then equal the
reference recomputed from the exported log (``tests/reference.py``), for any date and any
``knownAt``; and a rebuild from zero must equal the live tables row for row.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import commands as c
from domain.errors import DomainError
from domain.ledger import Ledger
from domain.values import CadreGroup, DepartureReason, FundingSource, LeaveKind, OrgUnitLevel, Sector, Sex
from tests.integration.projection_support import (
    catch_up,
    completeness_of,
    differences,
    establishment_of,
    expected_staffing,
    fresh_ledger,
    history_of,
    in_post_against_periods,
    reference,
    series_of,
    staffing_of,
    sums_against_pairs,
)

pytestmark = pytest.mark.integration

START = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)
FACILITIES = {"F1": "D1", "F2": "D1", "F3": "D2", "F4": "D3"}
DISTRICTS = {"D1": "R1", "D2": "R1", "D3": "R2"}
AREAS = ["ML", "R1", "R2", *DISTRICTS, *FACILITIES]
CADRES = {"NURSE": (CadreGroup.NURSE, True), "MIDWIFE": (CadreGroup.MIDWIFE, True), "AIDE": (CadreGroup.OTHER, False)}


class Recorder:
    """Records commands at a recording time that advances by an hour a command."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.now = START
        self.workers: list[Any] = []
        self.latest: dict[Any, date] = {}  # each worker's latest effective date
        self.positions: dict[Any, list[int]] = {}  # each worker's event positions

    def __call__(self, command: c.Command) -> bool:
        self.now += timedelta(hours=1)
        try:
            outcome = self.ledger.execute(command, "clerk", recorded_at=self.now)
        except DomainError:
            return False
        if isinstance(command, c.HireWorker):
            self.workers.append(outcome.aggregate_id)
        day = getattr(command, "effective_on", None)
        if isinstance(command, c.WorkerCommand | c.HireWorker):
            self.positions.setdefault(outcome.aggregate_id, []).append(outcome.position)
            if day is not None:
                self.latest[outcome.aggregate_id] = max(day, self.latest.get(outcome.aggregate_id, day))
        return True

    def day_for(self, worker_id: Any, when: tuple[bool, int, date]) -> date:
        """Mostly after the worker's latest event; sometimes any date (a back-dated event)."""
        forward, offset, anywhere = when
        latest = self.latest.get(worker_id)
        return latest + timedelta(days=offset) if forward and latest is not None else anywhere


def org_tree(record: Recorder) -> None:
    opened = date(2015, 1, 1)
    record(c.OpenOrgUnit(code="ML", name="Mali", level=OrgUnitLevel.COUNTRY, opened_on=opened))
    for region in ("R1", "R2"):
        record(c.OpenOrgUnit(code=region, name=region, level=OrgUnitLevel.REGION, parent_code="ML", opened_on=opened))
    for district, region in DISTRICTS.items():
        record(
            c.OpenOrgUnit(
                code=district, name=district, level=OrgUnitLevel.DISTRICT, parent_code=region, opened_on=opened
            )
        )
    for facility, district in FACILITIES.items():
        record(
            c.OpenOrgUnit(
                code=facility,
                name=facility,
                level=OrgUnitLevel.FACILITY,
                parent_code=district,
                sector=Sector.PUBLIC,
                facility_kind="CSCOM",
                opened_on=opened,
            )
        )
    for code, (group, qualified) in CADRES.items():
        record(c.DefineCadre(code=code, name=code, group=group, qualified=qualified))


days = st.integers(min_value=0, max_value=4 * 365).map(lambda n: date(2020, 1, 1) + timedelta(days=n))
facilities = st.sampled_from(sorted(FACILITIES))
pick = st.integers(min_value=0, max_value=10_000)
when = st.tuples(st.booleans() | st.just(True), st.integers(min_value=0, max_value=200), days)

career_steps = st.lists(
    st.tuples(st.sampled_from(["transfer", "transfer", "leave", "return", "depart", "rehire"]), facilities, pick),
    max_size=5,
)
careers = st.tuples(st.just("career"), days, st.sampled_from(sorted(CADRES)), facilities, career_steps)
actions = st.one_of(
    careers,
    careers,
    careers,
    st.tuples(st.just("hire"), days, st.sampled_from(sorted(CADRES)), st.sampled_from([Sex.FEMALE, Sex.MALE])),
    st.tuples(st.just("post"), pick, facilities, when),
    st.tuples(st.just("transfer"), pick, facilities, when),
    st.tuples(st.just("transfer"), pick, facilities, when),
    st.tuples(st.just("leave"), pick, when),
    st.tuples(st.just("return"), pick, when),
    st.tuples(st.just("depart"), pick, when),
    st.tuples(st.just("rehire"), pick, when),
    st.tuples(st.just("requalify"), pick, st.sampled_from(sorted(CADRES)), when),
    st.tuples(st.just("train"), pick, when),
    st.tuples(st.just("correct"), pick, st.sampled_from([FundingSource.PARTNER, FundingSource.COMMUNITY])),
    st.tuples(st.just("retract"), pick, pick),
    st.tuples(st.just("move"), st.sampled_from(["R1", "R2"]), days),
    st.tuples(st.just("population"), st.sampled_from(["ML", "R1", "R2", *DISTRICTS]), st.sampled_from([2020, 2022])),
    st.tuples(st.just("establish"), facilities, st.sampled_from(sorted(CADRES)), st.integers(0, 4), days),
    st.tuples(st.just("establish"), facilities, st.sampled_from(sorted(CADRES)), st.integers(0, 4), days),
)


def career(record: Recorder, day: date, cadre: str, facility: str, steps: list[Any]) -> None:
    """A hire and posting, then forward-dated moves, leaves and departures, recorded in order."""
    if not record(hire_command(day, cadre, Sex.MALE if day.day % 2 else Sex.FEMALE)):
        return
    worker_id = record.workers[-1]
    record(c.PostWorker(worker_id=worker_id, facility_code=facility, effective_on=day + timedelta(days=3)))
    for kind, where, offset in steps:
        when = (True, 1 + offset % 300, day)
        command = command_for(
            (kind, len(record.workers) - 1, where, when)
            if kind == "transfer"
            else (kind, len(record.workers) - 1, when),
            record,
        )
        if command is not None:
            record(command)
        if kind == "rehire":
            record(c.PostWorker(worker_id=worker_id, facility_code=where, effective_on=record.day_for(worker_id, when)))


def hire_command(day: date, cadre: str, sex: Sex) -> c.HireWorker:
    return c.HireWorker(
        family_name="Diarra",
        given_names="Awa",
        sex=sex,
        birth_date=None if day.day % 3 == 0 else date(1990, 1, 1),
        cadre_code=cadre,
        sector=Sector.PUBLIC,
        funding_source=FundingSource.STATE,
        effective_on=day,
    )


def command_for(action: tuple[Any, ...], record: Recorder) -> c.Command | None:
    kind, *args = action
    if kind == "career":
        career(record, *args)
        return None
    if kind == "hire":
        return hire_command(*args)
    if kind == "move":
        region, day = args
        return c.MoveOrgUnit(code="D2", new_parent_code=region, effective_on=day)
    if kind == "establish":
        facility, cadre, posts, day = args
        return c.SetEstablishment(facility_code=facility, cadre_code=cadre, posts=posts, effective_on=day)
    if kind == "population":
        code, year = args
        return c.RecordPopulation(org_unit_code=code, year=year, population=1000 + 37 * len(record.workers))
    if not record.workers:
        return None
    worker_id = record.workers[args[0] % len(record.workers)]
    day = record.day_for(worker_id, args[-1]) if isinstance(args[-1], tuple) else None
    if kind == "post":
        return c.PostWorker(worker_id=worker_id, facility_code=args[1], effective_on=day)
    if kind == "transfer":
        return c.TransferWorker(worker_id=worker_id, to_facility_code=args[1], effective_on=day)
    if kind == "leave":
        return c.StartLeave(worker_id=worker_id, kind=LeaveKind.STUDY, effective_on=day)
    if kind == "return":
        return c.EndLeave(worker_id=worker_id, effective_on=day)
    if kind == "depart":
        return c.RecordDeparture(worker_id=worker_id, reason=DepartureReason.RESIGNATION, effective_on=day)
    if kind == "rehire":
        return c.RehireWorker(worker_id=worker_id, effective_on=day)
    if kind == "requalify":
        return c.RequalifyWorker(worker_id=worker_id, cadre_code=args[1], effective_on=day)
    if kind == "train":
        return c.RecordTraining(worker_id=worker_id, course="SONU", started_on=day)
    if kind == "correct":
        return c.CorrectWorkerDetails(worker_id=worker_id, funding_source=args[1], civil_service_number="CS-1")
    positions = record.positions.get(worker_id, [1])
    return c.RetractEvent(worker_id=worker_id, position=positions[args[1] % len(positions)], reason="a mistake")


recorded_events: list[int] = []


def rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    steps=st.lists(actions, min_size=30, max_size=90),
    cuts=st.lists(st.integers(min_value=1, max_value=200), max_size=4),
    probes=st.lists(st.tuples(st.sampled_from(AREAS), days, st.integers(0, 120)), min_size=3, max_size=6),
)
def test_every_figure_equals_the_reference_and_a_rebuild(
    database_url: str, steps: list[Any], cuts: list[int], probes: list[Any]
) -> None:
    with fresh_ledger(database_url) as ledger:
        check_history(database_url, ledger, steps, cuts, probes)


def record_history(ledger: Ledger, steps: list[Any]) -> Recorder:
    """The org tree, then the command of each step that makes one, recorded."""
    record = Recorder(ledger)
    org_tree(record)
    for action in steps:
        command = command_for(action, record)
        if command is not None:
            record(command)
    return record


def check_history(database_url: str, ledger: Ledger, steps: list[Any], cuts: list[int], probes: list[Any]) -> None:
    record = Recorder(ledger)
    org_tree(record)
    checkpoints: list[int] = []
    for i, action in enumerate(steps):
        command = command_for(action, record)
        if command is not None:
            record(command)
        if i in cuts:
            checkpoints.append(ledger.recorder.max_notification_id() or 0)
    # Project live: a fresh runner state at each checkpoint, in small batches.
    for position in sorted(set(checkpoints)):
        catch_up(database_url, ledger, until=position, batch=7)
    catch_up(database_url, ledger, batch=11)
    ref = reference(ledger)
    recorded_events.append(len(ref.events))

    for code, day, hours in probes:
        known_at = None if hours == 0 else START + timedelta(hours=hours)
        assert rounded(staffing_of(database_url, ledger, code, day, known_at)) == rounded(
            expected_staffing(ref, code, day, known_at)
        ), (code, day, known_at)
        assert rounded(establishment_of(database_url, ledger, code, day, known_at)) == rounded(
            ref.establishment(code, day, known_at)
        ), ("establishment", code, day, known_at)
    # The workers in post per facility and cadre as known now, against their periods counted: the probes' days
    # and the day before each, and every month's first day over the histories' span.
    monthly = {date(2020 + n // 12, 1 + n % 12, 1) for n in range(-1, 12 * 5)}
    probed = {day - timedelta(days=k) for _, day, _ in probes for k in (0, 1)}
    assert in_post_against_periods(database_url, ledger, sorted(monthly | probed)) == []
    assert sums_against_pairs(database_url, ledger, sorted(probed)) == []
    for known_at in (None, START + timedelta(hours=len(steps) // 2 + 20)):
        got = series_of(database_url, ledger, "R1", date(2020, 1, 1), date(2023, 12, 31), "QUARTER", known_at)
        want = ref.density_series("R1", date(2020, 1, 1), date(2023, 12, 31), "QUARTER", known_at)
        assert rounded(got) == rounded(want), known_at
    for worker_id in record.workers:
        assert history_of(database_url, ledger, worker_id) == ref.history(str(worker_id))
    today = date(2022, 6, 30)
    assert rounded(completeness_of(database_url, ledger, "ML", today)) == rounded(ref.completeness("ML", today))
    assert differences(database_url, ledger) == []


def test_the_random_histories_were_substantial() -> None:
    """Guards the property test above against generating mostly refused commands."""
    if recorded_events:
        assert sum(recorded_events) / len(recorded_events) > 30 and max(recorded_events) > 60, recorded_events
