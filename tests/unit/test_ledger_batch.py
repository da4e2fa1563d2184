"""The bulk path: many commands from a spreadsheet, saved a chunk per transaction; a refused
row is reported and the others go in."""

from datetime import date
from uuid import UUID, uuid4

from domain import commands as c
from domain.identity import org_unit_id
from domain.ledger import Ledger
from domain.values import DepartureReason, LeaveKind, OrgUnitLevel, Period
from replay import bulk
from replay.bulk import Submission
from tests.unit.scenario import (
    CENTRE,
    CLERK,
    HOSPITAL,
    KITA,
    hire,
    hire_command,
    kita_district,
    open_unit,
    roster,
    stints,
    worker,
)


def rows(*commands: c.Command) -> list[Submission]:
    return [Submission(command, CLERK) for command in commands]


def test_a_refused_row_is_reported_and_the_other_rows_are_recorded(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata, fatoumata = uuid4(), uuid4()
    before = ledger.recorder.max_notification_id() or 0

    report = bulk.load(
        ledger,
        rows(
            hire_command(worker_id=aminata, civil_service_number="MLI-0001"),
            hire_command(worker_id=fatoumata, given_names="Fatoumata", civil_service_number="MLI-0001"),
            c.PostWorker(worker_id=aminata, facility_code=HOSPITAL, effective_on=date(2021, 1, 4)),
            c.PostWorker(worker_id=fatoumata, facility_code=HOSPITAL, effective_on=date(2021, 1, 4)),
        ),
    )

    # Rows 1 and 3 are refused: a taken number, then a worker who was never hired.
    assert [(r.row, r.code) for r in report.refusals] == [(1, "DUPLICATE_CIVIL_SERVICE_NUMBER"), (3, "NOT_FOUND")]
    assert str(fatoumata) in report.refusals[1].message
    assert report.accepted == 2

    # Rows 0 and 2 are recorded, and the refused rows left nothing behind.
    assert stints(ledger, aminata) == {HOSPITAL: [Period(date(2021, 1, 4))]}
    assert ledger.recorder.max_notification_id() == before + report.events == report.last_position
    assert not any(n.originator_id == fatoumata for n in ledger.recorder.select_notifications(1, 1000))


def test_a_batch_whose_rows_depend_on_each_other_goes_in_within_one_chunk(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = uuid4()

    # A new centre, a hire, her posting there, leave, and a transfer, all in one spreadsheet.
    report = bulk.load(
        ledger,
        rows(
            open_unit("KITA-CSCOM-09", OrgUnitLevel.FACILITY, KITA, opened_on=date(2021, 1, 1)),
            hire_command(worker_id=aminata),
            c.PostWorker(worker_id=aminata, facility_code="KITA-CSCOM-09", effective_on=date(2021, 1, 4)),
            c.StartLeave(worker_id=aminata, kind=LeaveKind.STUDY, effective_on=date(2021, 2, 1)),
            c.TransferWorker(worker_id=aminata, to_facility_code=CENTRE, effective_on=date(2021, 6, 1)),
        ),
    )

    assert (report.accepted, report.refusals) == (5, [])
    assert ledger.repository.get(org_unit_id("KITA-CSCOM-09")).code == "KITA-CSCOM-09"
    assert stints(ledger, aminata) == {
        "KITA-CSCOM-09": [Period(date(2021, 1, 4), date(2021, 6, 1))],
        CENTRE: [Period(date(2021, 6, 1))],
    }
    assert roster(ledger, "KITA-CSCOM-09") == {aminata: [Period(date(2021, 1, 4), date(2021, 6, 1))]}


def test_rows_depend_on_rows_of_earlier_chunks(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = uuid4()

    report = bulk.load(
        ledger,
        rows(
            hire_command(worker_id=aminata),
            c.PostWorker(worker_id=aminata, facility_code=HOSPITAL, effective_on=date(2021, 1, 4)),
            c.TransferWorker(worker_id=aminata, to_facility_code=CENTRE, effective_on=date(2021, 6, 1)),
            c.TransferWorker(worker_id=aminata, to_facility_code=CENTRE, effective_on=date(2021, 7, 1)),
            c.RecordDeparture(worker_id=aminata, reason=DepartureReason.RETIREMENT, effective_on=date(2022, 1, 1)),
        ),
        chunk_size=2,
    )

    assert [(r.row, r.code) for r in report.refusals] == [(3, "SAME_FACILITY")]
    assert stints(ledger, aminata) == {
        HOSPITAL: [Period(date(2021, 1, 4), date(2021, 6, 1))],
        CENTRE: [Period(date(2021, 6, 1), date(2022, 1, 1))],
    }


def test_a_refused_row_inside_a_chunk_does_not_disturb_the_rows_after_it(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire(ledger)

    report = bulk.load(
        ledger,
        rows(
            c.PostWorker(worker_id=aminata, facility_code=HOSPITAL, effective_on=date(2021, 1, 4)),
            c.CloseOrgUnit(code=HOSPITAL, effective_on=date(2021, 6, 1)),
            c.TransferWorker(worker_id=aminata, to_facility_code=CENTRE, effective_on=date(2021, 6, 1)),
            c.CloseOrgUnit(code=HOSPITAL, effective_on=date(2021, 6, 1)),
        ),
    )

    # The first closing is refused (she is still there); after her transfer, the second goes in.
    assert [(r.row, r.code) for r in report.refusals] == [(1, "FACILITY_STAFFED")]
    assert report.accepted == 3
    assert ledger.repository.get(org_unit_id(HOSPITAL)).closed_on == date(2021, 6, 1)


def test_a_batch_mixing_rows_with_and_without_command_ids_records_each_row_once(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire(ledger)

    # Row 2 carries a command id, so it goes alone; rows 0, 1 and 3 share the chunk around it.
    report = bulk.load(
        ledger,
        rows(
            hire_command(given_names="Fatoumata"),
            c.PostWorker(worker_id=aminata, facility_code=HOSPITAL, effective_on=date(2021, 2, 1)),
            c.StartLeave(worker_id=aminata, kind=LeaveKind.SICK, effective_on=date(2021, 3, 1), command_id="c-leave"),
            c.RecordTraining(worker_id=aminata, course="PCIME", started_on=date(2021, 4, 1)),
        ),
    )

    # Every row is recorded once and reported accepted: Fatoumata is not hired twice, and
    # Aminata's posting is not re-run and reported as a second posting.
    assert (report.accepted, report.refusals) == (4, [])
    kinds = [e.kind.name for e in worker(ledger, aminata).timeline.in_force()]
    assert kinds == ["HIRED", "POSTED", "LEAVE_STARTED", "TRAINING_RECORDED"]
    hires = [n for n in ledger.recorder.select_notifications(1, 1000) if n.topic == "hrh:Worker.Hired.v1"]
    assert len(hires) == 2
    assert ledger.recorder.max_notification_id() == report.last_position


def test_a_whole_batch_sent_twice_replays_its_rows_with_command_ids(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    ids = [UUID(int=n) for n in range(1, 4)]
    batch = rows(*(hire_command(worker_id=i, command_id=f"c-hire-{i}") for i in ids))

    first = bulk.load(ledger, batch)
    written = ledger.recorder.max_notification_id()
    again = bulk.load(ledger, batch)

    assert (first.accepted, again.accepted, again.refusals, again.events) == (3, 3, [], 0)
    assert ledger.recorder.max_notification_id() == written


def test_a_chunk_that_collides_with_another_writer_is_re_run_row_by_row(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire(ledger)
    saved: list[int] = []

    def another_clerk_writes_between_chunks(rows_saved: int) -> None:
        # Once the first chunk is saved, another clerk records leave for Aminata, behind the batch's back.
        saved.append(rows_saved)
        if len(saved) == 1:
            ledger.execute(c.StartLeave(worker_id=aminata, kind=LeaveKind.SICK, effective_on=date(2021, 5, 1)), "other")

    report = bulk.load(
        ledger,
        rows(
            c.PostWorker(worker_id=aminata, facility_code=HOSPITAL, effective_on=date(2021, 1, 4)),
            c.RecordTraining(worker_id=aminata, course="PCIME", started_on=date(2021, 2, 1)),
            c.RecordTraining(worker_id=aminata, course="SONU", started_on=date(2021, 6, 1)),
            hire_command(given_names="Fatoumata"),
            c.RecordTraining(worker_id=aminata, course="PF", started_on=date(2021, 7, 1)),
            c.EndLeave(worker_id=aminata, effective_on=date(2021, 8, 1)),
        ),
        chunk_size=3,
        progress=another_clerk_writes_between_chunks,
    )

    # The second chunk collided with the colleague's leave, so its rows were checked again one by
    # one: the end of the leave, which the batch had not seen, is accepted.
    assert (report.accepted, report.refusals) == (6, [])
    assert saved == [3, 3]
    kinds = [e.kind.name for e in worker(ledger, aminata).timeline.in_force()]
    assert kinds == [
        "HIRED",
        "POSTED",
        "TRAINING_RECORDED",
        "TRAINING_RECORDED",
        "LEAVE_STARTED",
        "TRAINING_RECORDED",
        "LEAVE_ENDED",
    ]
    hires = [n for n in ledger.recorder.select_notifications(1, 1000) if n.topic == "hrh:Worker.Hired.v1"]
    assert len(hires) == 2
