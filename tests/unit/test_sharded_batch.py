"""A first load checked by two child processes stores exactly what one process stores.

Each story loads the same rows into two fresh in-memory ledgers, one checked here and one by two
children (``replay/bulk/sharded.py``), and compares the reports and every stored event, position by
position. Workers are picked for one child or the other by ``shard_child.owner``.
"""

import os
from collections.abc import Callable
from datetime import date
from itertools import islice
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain import commands as c
from domain.identity import roster_id
from domain.ledger import Ledger
from domain.values import OrgUnitLevel
from replay import bulk
from replay.bulk import BatchReport, Submission, one_process, shard_child, sharded
from replay.bulk import rows as bulk_rows
from replay.demo import generate
from tests.unit.scenario import (
    CENTRE,
    CLERK,
    HOSPITAL,
    KAYES,
    KITA,
    MALI,
    MIDWIFE,
    NURSE,
    hire_command,
    in_memory_ledger,
    open_unit,
)

Stored = list[tuple[int, UUID, int, str, bytes]]


def tree() -> list[c.Command]:
    """The Kita district scenario's org tree and cadres, as batch rows."""
    return [
        open_unit(MALI, OrgUnitLevel.COUNTRY, None),
        open_unit(KAYES, OrgUnitLevel.REGION, MALI),
        open_unit(KITA, OrgUnitLevel.DISTRICT, KAYES),
        open_unit(HOSPITAL, OrgUnitLevel.FACILITY, KITA, facility_kind="CSREF"),
        open_unit(CENTRE, OrgUnitLevel.FACILITY, KITA),
        c.DefineCadre(code=NURSE, name="Infirmier", isco08="2221", group="NURSE", qualified=True),
        c.DefineCadre(code=MIDWIFE, name="Sage-femme", isco08="2222", group="MIDWIFE", qualified=True),
    ]


def worker_of(shard: int) -> UUID:
    """A new worker id that the child ``shard`` (of two) checks."""
    while True:
        candidate = uuid4()
        if shard_child.owner(c.EndLeave(worker_id=candidate, effective_on=date(2021, 1, 1)), 0, 2) == shard:
            return candidate


def stored(ledger: Ledger) -> Stored:
    return [
        (n.id, n.originator_id, n.originator_version, n.topic, n.state)
        for n in ledger.recorder.select_notifications(1, 10**7)
    ]


def load_both(submissions: list[Submission], **options: Any) -> tuple[BatchReport, Stored]:
    """Loads ``submissions`` with one process and with two children; checks both stored the same."""
    one, two = in_memory_ledger(), in_memory_ledger()
    alone = bulk.load(one, submissions, processes=1, **options)
    split = bulk.load(two, submissions, processes=2, **options)
    assert split == alone
    assert stored(two) == stored(one)
    return split, stored(two)


@pytest.fixture
def handed_over(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The rows from which a two-children run handed the rest to one process."""
    starts: list[int] = []
    run = sharded.Batch.run

    def recording(self: one_process.Batch, *args: Any, start: int = 0, **options: Any) -> BatchReport:
        starts.append(start)
        return run(self, *args, start=start, **options)

    monkeypatch.setattr(sharded.Batch, "run", recording)
    return starts


def rows(*commands: c.Command) -> list[Submission]:
    return [Submission(command, CLERK) for command in commands]


def test_the_demo_checked_by_two_children_is_stored_event_for_event_as_by_one_process(
    handed_over: list[int],
) -> None:
    submissions = list(islice(generate(seed=7, scale=0.1), 6000))

    report, events = load_both(submissions, chunk_size=500)

    assert handed_over == [0]  # the one-process load only: the children checked every row

    assert report.accepted == len(submissions) - len(report.refusals)
    assert report.events == len(events) > len(submissions)
    assert {topic.split(".")[0] for _, _, _, topic, _ in events} >= {
        "hrh:OrgUnit",
        "hrh:Cadre",
        "hrh:Worker",
        "hrh:FacilityRoster",
        "hrh:CivilServiceNumber",
    }


def test_postings_from_both_children_share_a_roster_numbered_in_row_order() -> None:
    first, second = worker_of(0), worker_of(1)
    _, events = load_both(
        rows(
            *tree(),
            hire_command(worker_id=second),
            hire_command(worker_id=first, civil_service_number="MLI-0001"),
            c.PostWorker(worker_id=second, facility_code=HOSPITAL, effective_on=date(2021, 1, 4)),
            c.PostWorker(worker_id=first, facility_code=HOSPITAL, effective_on=date(2021, 1, 4)),
            c.TransferWorker(worker_id=second, to_facility_code=CENTRE, effective_on=date(2022, 3, 1)),
        )
    )

    rosters: dict[UUID, list[tuple[int, str]]] = {}
    for _, originator, version, topic, _ in events:
        if topic.startswith("hrh:FacilityRoster"):
            rosters.setdefault(originator, []).append((version, topic.split(".")[1]))
    assert rosters == {
        roster_id(HOSPITAL): [(1, "Started"), (2, "StintsChanged"), (3, "StintsChanged"), (4, "StintsChanged")],
        roster_id(CENTRE): [(1, "Started"), (2, "StintsChanged")],
    }


def test_one_civil_service_number_claimed_in_both_children_is_refused_as_one_process_refuses_it(
    handed_over: list[int],
) -> None:
    first, second = worker_of(0), worker_of(1)
    report, _ = load_both(
        rows(
            *tree(),
            hire_command(worker_id=first, civil_service_number="MLI-0001"),
            hire_command(worker_id=second, civil_service_number="MLI-0001"),
            c.RecordTraining(worker_id=first, course="PCIME", started_on=date(2021, 2, 1)),
        ),
        chunk_size=4,
    )

    assert [(r.row, r.code) for r in report.refusals] == [(8, "DUPLICATE_CIVIL_SERVICE_NUMBER")]
    assert report.accepted == 9
    # Both children wrote the number's version 1: the store refused the chunk of rows 8 to 10,
    # which went again through one process.
    assert handed_over == [0, 8]


def test_closing_a_facility_checks_the_postings_of_both_children(handed_over: list[int]) -> None:
    first, second = worker_of(0), worker_of(1)
    report, _ = load_both(
        rows(
            *tree(),
            hire_command(worker_id=first),
            hire_command(worker_id=second),
            c.PostWorker(worker_id=second, facility_code=HOSPITAL, effective_on=date(2021, 1, 4)),
            c.CloseOrgUnit(code=HOSPITAL, effective_on=date(2023, 1, 1)),  # the second child's worker is there
            c.CloseOrgUnit(code=CENTRE, effective_on=date(2023, 1, 1)),  # nobody is
            c.PostWorker(worker_id=first, facility_code=CENTRE, effective_on=date(2023, 6, 1)),
        )
    )

    assert [(r.row, r.code) for r in report.refusals] == [(10, "FACILITY_STAFFED"), (12, "FACILITY_CLOSED")]
    assert handed_over == [0, 10]  # the children disagreed on the closing


def test_rows_a_child_refuses_are_reported_with_their_row_and_the_others_go_in(handed_over: list[int]) -> None:
    first, second = worker_of(0), worker_of(1)
    report, _ = load_both(
        rows(
            *tree(),
            hire_command(worker_id=first),
            c.PostWorker(worker_id=first, facility_code="NOWHERE", effective_on=date(2021, 1, 4)),
            hire_command(worker_id=second),
            c.EndLeave(worker_id=second, effective_on=date(2021, 3, 1)),
            c.RecordTraining(worker_id=first, course="PCIME", started_on=date(2021, 2, 1)),
        ),
        chunk_size=3,
    )

    assert [(r.row, r.code) for r in report.refusals] == [(8, "NOT_FOUND"), (10, "NOT_ON_LEAVE")]
    assert report.accepted == 10
    assert handed_over == [0]


def test_from_a_row_with_a_command_id_the_rest_goes_through_one_process(handed_over: list[int]) -> None:
    first, second = worker_of(0), worker_of(1)
    report, _ = load_both(
        rows(
            *tree(),
            hire_command(worker_id=first),
            hire_command(worker_id=second),
            c.RecordTraining(worker_id=first, course="PCIME", started_on=date(2021, 2, 1), command_id="sheet-1/row-10"),
            c.RecordTraining(worker_id=second, course="SONU", started_on=date(2021, 2, 1)),
        ),
        chunk_size=2,
    )

    assert (report.accepted, report.refusals) == (11, [])
    assert handed_over == [0, 9]


def test_a_child_that_fails_hands_its_row_to_one_process_which_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = worker_of(0), worker_of(1)
    failing = c.RecordTraining(worker_id=second, course="BROKEN", started_on=date(2021, 2, 1))
    handle: Callable[..., Any] = bulk_rows.handle

    def fails_on_the_broken_course(command: c.Command, *args: Any) -> Any:
        if command == failing:
            raise RuntimeError("a bug in a handler")
        return handle(command, *args)

    monkeypatch.setattr(bulk_rows, "handle", fails_on_the_broken_course)
    ledger = in_memory_ledger()
    before = rows(*tree(), hire_command(worker_id=first), hire_command(worker_id=second))

    with pytest.raises(RuntimeError, match="a bug in a handler"):
        bulk.load(ledger, [*before, *rows(failing)], processes=2, chunk_size=100)

    workers = {n.originator_id for n in ledger.recorder.select_notifications(1, 1000, topics=["hrh:Worker.Hired.v1"])}
    assert workers == {first, second}  # the rows before the failing one were recorded


def test_a_first_load_of_enough_rows_uses_two_children_and_a_small_or_later_one_does_not() -> None:
    ledger = in_memory_ledger()
    assert sharded.shards(ledger, None) == (2 if len(os.sched_getaffinity(0)) >= 2 else 0)
    assert sharded.shards(ledger, 1) == 0
    bulk.load(ledger, rows(*tree()))
    assert sharded.shards(ledger, None) == 0
    assert sharded.shards(ledger, 2) == 0


def test_a_first_load_too_large_for_the_memory_available_goes_through_one_process() -> None:
    assert sharded.affordable(100_000)
    assert not sharded.affordable(10**12)  # 2.5 PB


def test_a_chunk_that_collides_with_another_writer_goes_again_through_one_process(handed_over: list[int]) -> None:
    ledger = in_memory_ledger()
    other_country = open_unit("SN", OrgUnitLevel.COUNTRY, None, name="Sénégal")
    saved: list[int] = []

    def another_clerk_opens_the_same_unit_first(rows_saved: int) -> None:
        saved.append(rows_saved)
        if len(saved) == 1:
            ledger.execute(other_country, "other.clerk")

    first = worker_of(0)
    report = bulk.load(
        ledger,
        rows(*tree(), hire_command(worker_id=first), other_country, open_unit("GN", OrgUnitLevel.COUNTRY, None)),
        processes=2,
        chunk_size=8,
        progress=another_clerk_opens_the_same_unit_first,
    )

    assert [(r.row, r.code) for r in report.refusals] == [(8, "DUPLICATE_CODE")]
    assert report.accepted == 9
    assert handed_over == [8]
    assert saved == [8, 2]  # the rows that collided count once, when they went in
    opened = ledger.recorder.select_notifications(1, 100, topics=["hrh:OrgUnit.Opened.v1"])
    assert len(opened) == 7
