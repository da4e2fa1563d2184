"""The bulk path checks a chunk while the chunk before it is being inserted."""

import gc
from datetime import date

from domain import commands as c
from domain.ledger import Ledger
from domain.values import LeaveKind
from replay import bulk
from replay.bulk import Submission
from replay.bulk.one_process import YOUNG_THRESHOLD, long_lived
from tests.unit.scenario import CLERK, HOSPITAL, hire, kita_district, worker


def test_a_chunk_checked_while_the_one_before_it_collided_is_checked_again(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire(ledger)
    chunks_done = 0

    def another_clerk_writes_after_the_first_chunk(rows_done: int) -> None:
        nonlocal chunks_done
        chunks_done += 1
        if chunks_done == 1:
            ledger.execute(c.StartLeave(worker_id=aminata, kind=LeaveKind.SICK, effective_on=date(2021, 5, 1)), "other")

    commands = [
        c.PostWorker(worker_id=aminata, facility_code=HOSPITAL, effective_on=date(2021, 1, 4)),
        c.RecordTraining(worker_id=aminata, course="PCIME", started_on=date(2021, 2, 1)),
        # The second chunk collides with the colleague's leave; the third was checked against it.
        c.RecordTraining(worker_id=aminata, course="SONU", started_on=date(2021, 6, 1)),
        c.EndLeave(worker_id=aminata, effective_on=date(2021, 8, 1)),
        c.StartLeave(worker_id=aminata, kind=LeaveKind.STUDY, effective_on=date(2021, 9, 1)),
    ]
    report = bulk.load(
        ledger,
        [Submission(command, CLERK) for command in commands],
        chunk_size=2,
        progress=another_clerk_writes_after_the_first_chunk,
    )

    assert (report.accepted, report.refusals) == (5, [])
    kinds = [e.kind.name for e in worker(ledger, aminata).timeline.in_force()]
    assert kinds == [
        "HIRED",
        "POSTED",
        "TRAINING_RECORDED",
        "LEAVE_STARTED",
        "TRAINING_RECORDED",
        "LEAVE_ENDED",
        "LEAVE_STARTED",
    ]
    assert report.last_position == ledger.recorder.max_notification_id()


def test_a_batch_collects_garbage_less_often_and_leaves_the_collector_as_it_found_it() -> None:
    gc.unfreeze()  # a rebuild run earlier in this process leaves what it kept frozen
    before = gc.get_threshold()
    with long_lived() as freeze:
        assert gc.get_threshold()[0] == max(before[0], YOUNG_THRESHOLD)
        freeze()
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_batch_leaves_the_collector_alone_when_something_else_froze_objects() -> None:
    before = gc.get_threshold()
    gc.freeze()
    try:
        with long_lived():
            assert gc.get_threshold() == before
    finally:
        gc.unfreeze()
