"""Effective dates and back-dated events: a worker's timeline is judged as a whole.

DESIGN, "Definitions": an event effective on D takes effect at the start of D; a worker's
timeline is their events in force, ordered by effective date, then by ledger position.
"""

from datetime import date, timedelta
from uuid import UUID

from domain import commands as c
from domain import timeline
from domain.ledger import Ledger
from domain.values import DepartureReason, LeaveKind, Period
from tests.unit.scenario import (
    CENTRE,
    DISPENSARY,
    HOSPITAL,
    hire,
    hire_and_post,
    kita_district,
    record,
    refused,
    roster,
    stints,
    worker,
)

DAY = timedelta(days=1)


def on_leave(ledger: Ledger, worker_id: UUID, day: date) -> bool:
    """Whether the worker is on leave on ``day``, after every event effective that day."""
    loaded = worker(ledger, worker_id)
    return timeline.state_before(loaded.timeline.in_force(), day, loaded.version + 1).leave_since is not None


def test_a_worker_transferred_on_a_day_is_at_the_new_facility_that_day(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, HOSPITAL, on=date(2021, 1, 4))
    moving_day = date(2021, 5, 1)

    record(ledger, c.TransferWorker(worker_id=aminata, to_facility_code=CENTRE, effective_on=moving_day))

    periods = stints(ledger, aminata)
    assert periods[HOSPITAL] == [Period(date(2021, 1, 4), moving_day)]
    assert periods[CENTRE] == [Period(moving_day)]
    assert periods[HOSPITAL][0].covers(moving_day - DAY) and not periods[HOSPITAL][0].covers(moving_day)
    assert periods[CENTRE][0].covers(moving_day)
    assert worker(ledger, aminata).facility_on(moving_day - DAY) == HOSPITAL
    assert worker(ledger, aminata).facility_on(moving_day) == CENTRE


def test_a_worker_who_departs_on_a_day_is_not_in_post_that_day(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, HOSPITAL, on=date(2021, 1, 4))
    leaving_day = date(2022, 1, 1)

    departure = c.RecordDeparture(worker_id=aminata, reason=DepartureReason.RETIREMENT, effective_on=leaving_day)
    record(ledger, departure)

    (stint,) = stints(ledger, aminata)[HOSPITAL]
    assert stint == Period(date(2021, 1, 4), leaving_day)
    assert stint.covers(leaving_day - DAY) and not stint.covers(leaving_day)
    assert worker(ledger, aminata).facility_on(leaving_day) is None


def test_a_leave_covers_its_first_day_and_not_its_last(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, HOSPITAL, on=date(2021, 1, 4))
    first, end = date(2021, 3, 1), date(2021, 6, 1)

    record(ledger, c.StartLeave(worker_id=aminata, kind=LeaveKind.MATERNITY, effective_on=first))
    record(ledger, c.EndLeave(worker_id=aminata, effective_on=end))

    assert not on_leave(ledger, aminata, first - DAY)
    assert on_leave(ledger, aminata, first)
    assert on_leave(ledger, aminata, end - DAY)
    assert not on_leave(ledger, aminata, end)


def test_events_on_the_same_day_take_effect_in_the_order_they_were_recorded(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, HOSPITAL, on=date(2021, 1, 4))
    day = date(2021, 5, 1)

    # Two transfers on 1 May: to the centre, then to the dispensary.
    record(ledger, c.TransferWorker(worker_id=aminata, to_facility_code=CENTRE, effective_on=day))
    record(ledger, c.TransferWorker(worker_id=aminata, to_facility_code=DISPENSARY, effective_on=day))

    periods = stints(ledger, aminata)
    assert periods[HOSPITAL] == [Period(date(2021, 1, 4), day)]
    assert periods[DISPENSARY] == [Period(day)]
    assert CENTRE not in periods  # an empty stint [D, D) covers no day and is not kept
    assert worker(ledger, aminata).facility_on(day) == DISPENSARY


def test_a_back_dated_transfer_that_would_make_a_later_transfer_a_same_facility_move_is_refused(
    memory_ledger: Ledger,
) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, HOSPITAL, on=date(2021, 1, 4))
    later = record(ledger, c.TransferWorker(worker_id=aminata, to_facility_code=CENTRE, effective_on=date(2021, 5, 1)))

    # A transfer to the centre back-dated to 1 March - refused: the May transfer would go nowhere. The
    # refusal names the May transfer by its ledger position, as the history shows it.
    backdated = c.TransferWorker(worker_id=aminata, to_facility_code=CENTRE, effective_on=date(2021, 3, 1))
    error = refused(ledger, backdated, "SAME_FACILITY")
    assert f"This would make the transfer of 2021-05-01 (ledger position {later.position}) invalid" in error.message
    assert error.params["position"] == later.position and error.params["event"] == "transfer"
    assert error.inner is not None and error.inner.code == "SAME_FACILITY"

    # The timeline is as it was.
    assert stints(ledger, aminata) == {
        HOSPITAL: [Period(date(2021, 1, 4), date(2021, 5, 1))],
        CENTRE: [Period(date(2021, 5, 1))],
    }


def test_a_back_dated_departure_before_later_events_is_refused(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, HOSPITAL, on=date(2021, 1, 4))
    record(ledger, c.TransferWorker(worker_id=aminata, to_facility_code=CENTRE, effective_on=date(2021, 5, 1)))

    # A departure back-dated to 1 March, before the May transfer - refused, naming the transfer.
    departure = c.RecordDeparture(worker_id=aminata, reason=DepartureReason.RESIGNATION, effective_on=date(2021, 3, 1))
    error = refused(ledger, departure, "WORKER_DEPARTED")
    assert "This would make the transfer of 2021-05-01" in error.message

    # After the transfer, it is accepted.
    departure = c.RecordDeparture(worker_id=aminata, reason=DepartureReason.RESIGNATION, effective_on=date(2021, 6, 1))
    record(ledger, departure)


def test_a_back_dated_posting_before_an_existing_posting_is_refused(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire(ledger, effective_on=date(2021, 1, 4))
    record(ledger, c.PostWorker(worker_id=aminata, facility_code=HOSPITAL, effective_on=date(2021, 3, 1)))

    # A posting to the centre back-dated to February - refused: the March posting would be a second one.
    post = c.PostWorker(worker_id=aminata, facility_code=CENTRE, effective_on=date(2021, 2, 1))
    error = refused(ledger, post, "WORKER_ALREADY_POSTED")
    assert "the posting of 2021-03-01" in error.message


def test_a_back_dated_leave_that_would_overlap_a_later_leave_is_refused(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, HOSPITAL, on=date(2021, 1, 4))
    record(ledger, c.StartLeave(worker_id=aminata, kind=LeaveKind.SICK, effective_on=date(2021, 6, 1)))

    leave = c.StartLeave(worker_id=aminata, kind=LeaveKind.STUDY, effective_on=date(2021, 5, 1))
    error = refused(ledger, leave, "ALREADY_ON_LEAVE")
    assert "the leave start of 2021-06-01" in error.message


def test_a_back_dated_transfer_inserts_a_stint_and_moves_the_later_transfers_origin(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, HOSPITAL, on=date(2021, 1, 4))
    record(ledger, c.TransferWorker(worker_id=aminata, to_facility_code=CENTRE, effective_on=date(2021, 5, 1)))

    # A transfer to the dispensary, back-dated to 1 March, is accepted.
    record(ledger, c.TransferWorker(worker_id=aminata, to_facility_code=DISPENSARY, effective_on=date(2021, 3, 1)))

    # She was at the dispensary from March to May, and the May transfer now starts from there.
    assert stints(ledger, aminata) == {
        HOSPITAL: [Period(date(2021, 1, 4), date(2021, 3, 1))],
        DISPENSARY: [Period(date(2021, 3, 1), date(2021, 5, 1))],
        CENTRE: [Period(date(2021, 5, 1))],
    }
    assert worker(ledger, aminata).facility_on(date(2021, 4, 30)) == DISPENSARY
    assert worker(ledger, aminata).facility_on(date(2021, 5, 1)) == CENTRE

    # The rosters of all three facilities agree.
    assert roster(ledger, HOSPITAL) == {aminata: [Period(date(2021, 1, 4), date(2021, 3, 1))]}
    assert roster(ledger, DISPENSARY) == {aminata: [Period(date(2021, 3, 1), date(2021, 5, 1))]}
    assert roster(ledger, CENTRE) == {aminata: [Period(date(2021, 5, 1))]}

    # The May transfer still stores what its recorder saw: a move from the hospital.
    transfers = [e for e in ledger.repository.event_store.get(aminata) if type(e).__name__ == "Transferred"]
    assert [(e.effective_on, e.from_facility_code, e.to_facility_code) for e in transfers] == [
        (date(2021, 5, 1), HOSPITAL, CENTRE),
        (date(2021, 3, 1), HOSPITAL, DISPENSARY),
    ]
