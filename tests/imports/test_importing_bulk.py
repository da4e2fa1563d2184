"""The bulk path as the import uses it: a guard per submission run as ``Ledger.execute`` runs it, and command ids
staged with their receipts, so that the ledger answers a retry of one of them exactly as if ``execute`` had
recorded it; against PostgreSQL (its one-query probe of a chunk's receipts) and in memory."""

from collections.abc import Callable
from datetime import date
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from domain import commands as c
from domain.errors import N_, DomainError
from domain.ledger import Ledger, no_later_check
from domain.staging import Staging
from replay import bulk
from replay.bulk import Submission, one_process
from replay.bulk.held import HeldBatch
from tests.unit.scenario import CENTRE, CLERK, HOSPITAL, hire_command, kita_district


class NotHere(DomainError):
    code = "NOT_HERE"


def refusing(facility: str) -> Callable[[c.Command, Staging], Callable[[], None]]:
    """A guard that refuses postings to ``facility`` before the rules, and counts its later checks."""

    def guard(command: c.Command, staging: Staging) -> Callable[[], None]:
        if isinstance(command, c.PostWorker) and command.facility_code == facility:
            raise NotHere(N_("Not {facility}."), facility=facility)
        return no_later_check

    return guard


@pytest.fixture(params=["memory", "postgres"])
def ledger(request: pytest.FixtureRequest) -> Ledger:
    made: Ledger = request.getfixturevalue("memory_ledger" if request.param == "memory" else "pg_ledger")
    return kita_district(made)


@pytest.mark.integration
def test_each_submissions_guard_refuses_its_row_and_the_others_go_in(ledger: Ledger) -> None:
    first, second = uuid4(), uuid4()
    guard = refusing(CENTRE)
    day = date(2021, 1, 4)
    report = bulk.load(
        ledger,
        [
            Submission(hire_command(worker_id=first), CLERK, guard=guard),
            Submission(hire_command(worker_id=second, given_names="Fanta"), CLERK, guard=guard),
            Submission(c.PostWorker(worker_id=first, facility_code=HOSPITAL, effective_on=day), CLERK, guard=guard),
            Submission(c.PostWorker(worker_id=second, facility_code=CENTRE, effective_on=day), CLERK, guard=guard),
        ],
    )

    assert [(r.row, r.code) for r in report.refusals] == [(3, "NOT_HERE")]
    assert report.refusals[0].error is not None and report.refusals[0].error.params == {"facility": CENTRE}
    assert report.accepted == 3


@pytest.mark.integration
def test_a_command_id_recorded_in_bulk_answers_a_retry_through_execute_with_its_first_position(
    ledger: Ledger,
) -> None:
    worker = uuid4()
    hire = hire_command(worker_id=worker, command_id="sheet/3")
    post = c.PostWorker(worker_id=worker, facility_code=HOSPITAL, effective_on=date(2021, 1, 4), command_id="sheet/4")

    report = bulk.load(ledger, [Submission(hire, CLERK), Submission(post, CLERK), Submission(post, CLERK)])

    assert (report.accepted, report.replayed, report.refusals) == (3, [2], [])
    retried = ledger.execute(post, CLERK)
    assert retried.replayed and retried.aggregate_id == worker
    # The position a retry answers is the worker's event the posting recorded.
    located = ledger.locate(retried.position)
    assert located is not None and located[0] == worker
    assert [n.topic for n in ledger.recorder.select_notifications(retried.position, 2)][1].startswith(
        "hrh:CommandReceipt"
    )


@pytest.mark.integration
def test_a_command_id_reused_for_other_content_is_refused_in_bulk_as_execute_refuses_it(ledger: Ledger) -> None:
    ledger.execute(hire_command(worker_id=uuid4(), command_id="sheet/3"), CLERK)
    other = hire_command(worker_id=uuid4(), given_names="Fanta", command_id="sheet/3")

    report = bulk.load(ledger, [Submission(other, CLERK)])

    assert [(r.row, r.code) for r in report.refusals] == [(0, "DUPLICATE_COMMAND_ID")]
    assert report.events == 0


@pytest.mark.integration
def test_a_collision_sends_the_chunks_rows_through_execute_with_their_guards(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = uuid4()
    guard = refusing(CENTRE)
    day = date(2021, 1, 4)

    def collides(*_: object) -> list[int]:
        raise IntegrityError("another writer came first")

    monkeypatch.setattr(one_process, "insert", collides)
    report = bulk.load(
        ledger,
        [
            Submission(hire_command(worker_id=worker, command_id="h"), CLERK, guard=guard),
            Submission(c.PostWorker(worker_id=worker, facility_code=CENTRE, effective_on=day), CLERK, guard=guard),
        ],
    )

    assert [(r.row, r.code) for r in report.refusals] == [(1, "NOT_HERE")]
    assert report.accepted == 1 and ledger.execute(hire_command(worker_id=worker, command_id="h"), CLERK).replayed


@pytest.mark.integration
def test_a_held_batch_writes_nothing_until_asked_then_everything_at_once(ledger: Ledger) -> None:
    worker = uuid4()
    before = ledger.recorder.max_notification_id()
    batch = HeldBatch(ledger)
    rows = [
        Submission(hire_command(worker_id=worker), CLERK),
        Submission(c.PostWorker(worker_id=worker, facility_code=HOSPITAL, effective_on=date(2021, 1, 4)), CLERK),
    ]

    checked = batch.run(rows, 1, None)

    assert (checked.accepted, checked.refusals, ledger.recorder.max_notification_id()) == (2, [], before)
    written = batch.write()
    assert written.last_position == ledger.recorder.max_notification_id() == (before or 0) + written.events
