"""The Ledger application service: dates against today, safe retries, and what each event carries."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from domain import commands as c
from domain.errors import DomainError
from domain.identity import org_unit_id
from domain.ledger import Ledger
from domain.values import LeaveKind, OrgUnitLevel, Provenance
from tests.unit.scenario import (
    CENTRE,
    CLERK,
    HOSPITAL,
    KITA,
    NOW,
    hire,
    hire_and_post,
    hire_command,
    in_memory_ledger,
    kita_district,
    open_unit,
    record,
    refused,
    worker,
)

LATEST = NOW.date() + timedelta(days=31)
"""The latest effective date the scenario's ledger accepts: today plus the default 31-day margin."""


def test_dates_up_to_a_month_ahead_are_accepted_and_later_ones_refused() -> None:
    ledger = kita_district(in_memory_ledger(NOW))
    aminata = hire_and_post(ledger, HOSPITAL, on=date(2024, 1, 2))

    # A transfer decided for the first day after the margin - refused, naming the latest date accepted.
    transfer = c.TransferWorker(worker_id=aminata, to_facility_code=CENTRE, effective_on=LATEST + timedelta(days=1))
    error = refused(ledger, transfer, "DATE_IN_FUTURE")
    assert f"the latest date accepted today is {LATEST.isoformat()}" in error.message

    # The same transfer on the last day of the margin - accepted.
    record(ledger, replace(transfer, effective_on=LATEST))

    # Every kind of effective date is held against today: an opening, a hire, a training's start.
    later = LATEST + timedelta(days=1)
    refused(ledger, open_unit("KITA-CSCOM-09", OrgUnitLevel.FACILITY, KITA, opened_on=later), "DATE_IN_FUTURE")
    refused(ledger, hire_command(effective_on=later), "DATE_IN_FUTURE")
    refused(ledger, c.RecordTraining(worker_id=aminata, course="PCIME", started_on=later), "DATE_IN_FUTURE")

    # A training that started today may be planned to end next year.
    record(
        ledger,
        c.RecordTraining(
            worker_id=aminata, course="Licence", started_on=NOW.date(), ended_on=NOW.date() + timedelta(days=365)
        ),
    )


def test_the_future_margin_is_configurable() -> None:
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock_=lambda: NOW, future_margin=timedelta(0))
    kita_district(ledger)

    refused(ledger, hire_command(effective_on=NOW.date() + timedelta(days=1)), "DATE_IN_FUTURE")
    record(ledger, hire_command(effective_on=NOW.date()))


def test_the_same_command_id_twice_records_once_and_returns_the_same_outcome(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    hiring = hire_command(civil_service_number="MLI-0001", command_id="c-hire-0001")

    # The first attempt hires her.
    first = ledger.execute(hiring, CLERK)
    assert not first.replayed
    written = ledger.recorder.max_notification_id()

    # The retry over a flaky link gets the same worker and position, and writes nothing.
    retry = ledger.execute(hiring, CLERK)
    assert (retry.aggregate_id, retry.position, retry.replayed) == (first.aggregate_id, first.position, True)
    assert ledger.recorder.max_notification_id() == written

    # Still the same after other commands went in.
    posting = c.PostWorker(
        worker_id=first.aggregate_id, facility_code=HOSPITAL, effective_on=date(2021, 1, 4), command_id="c-post-0001"
    )
    posted = ledger.execute(posting, CLERK)
    later = ledger.execute(hiring, CLERK)
    assert (later.aggregate_id, later.position, later.replayed) == (first.aggregate_id, first.position, True)
    again = ledger.execute(posting, CLERK)
    assert (again.aggregate_id, again.position, again.replayed) == (posted.aggregate_id, posted.position, True)

    # The position returned is the command's own event, even when other records were written with it.
    assert ledger.locate(posted.position) == (first.aggregate_id, 2)


def test_a_command_id_reused_for_another_command_is_refused(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, HOSPITAL)
    leave = c.StartLeave(worker_id=aminata, kind=LeaveKind.SICK, effective_on=date(2021, 3, 1), command_id="c-42")
    record(ledger, leave)

    # The same id with another date - refused, naming the command it was used for.
    error = refused(ledger, replace(leave, effective_on=date(2021, 3, 2)), "DUPLICATE_COMMAND_ID")
    assert "'c-42'" in error.message and "StartLeave" in error.message

    # The same id for another kind of command - refused.
    refused(
        ledger, c.EndLeave(worker_id=aminata, effective_on=date(2021, 4, 1), command_id="c-42"), "DUPLICATE_COMMAND_ID"
    )
    # A command id belongs to its sender: another clerk's "c-42" is another command, judged on its own.
    refused(ledger, leave, "ALREADY_ON_LEAVE", recorded_by="someone.else")
    assert ledger.execute(leave, CLERK).replayed  # while the first clerk's retry still finds their own


def test_a_refused_command_leaves_its_command_id_free(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire(ledger)

    # A transfer before any posting - refused; the clerk fixes it and resends with the same id as a posting.
    transfer = c.TransferWorker(
        worker_id=aminata, to_facility_code=CENTRE, effective_on=date(2021, 3, 1), command_id="c-7"
    )
    refused(ledger, transfer, "WORKER_NOT_POSTED")
    posting = c.PostWorker(worker_id=aminata, facility_code=CENTRE, effective_on=date(2021, 3, 1), command_id="c-7")
    assert not record(ledger, posting).replayed


def test_every_event_carries_its_provenance_and_recording_time() -> None:
    ledger = kita_district(in_memory_ledger(NOW))
    aminata = hire(ledger)

    # A posting on the authority of a decision, with a note and a command id.
    posting = c.PostWorker(
        worker_id=aminata,
        facility_code=HOSPITAL,
        job_title="Infirmière major",
        effective_on=date(2021, 1, 4),
        authority="Décision 2021-114",
        note="Prise de service le 4 janvier",
        command_id="c-post-1",
    )
    record(ledger, posting)

    posted = ledger.repository.event_store.get(aminata, gt=1)
    (event,) = list(posted)
    assert event.meta == Provenance(CLERK, "Décision 2021-114", "Prise de service le 4 janvier", "c-post-1")
    assert (event.facility_code, event.job_title, event.effective_on) == (
        HOSPITAL,
        "Infirmière major",
        date(2021, 1, 4),
    )
    assert event.timestamp == NOW


def test_a_replay_of_history_records_each_command_at_its_historical_moment() -> None:
    ledger = kita_district(in_memory_ledger(NOW))
    then = datetime(2021, 1, 5, 8, 30, tzinfo=UTC)

    outcome = ledger.execute(hire_command(), CLERK, recorded_at=then)

    (hired,) = list(ledger.repository.event_store.get(outcome.aggregate_id))
    assert hired.timestamp == then
    assert worker(ledger, outcome.aggregate_id).created_on == then


def test_a_replayed_command_is_checked_against_its_own_recording_day() -> None:
    ledger = kita_district(in_memory_ledger())
    worker_id = hire(ledger)
    posting = c.PostWorker(worker_id=worker_id, facility_code=HOSPITAL, effective_on=date(2022, 3, 1))
    # Recorded on 1 January 2022, a posting two months ahead lies too far in the future.
    before = ledger.recorder.max_notification_id()
    with pytest.raises(DomainError) as error:
        ledger.execute(posting, CLERK, recorded_at=datetime(2022, 1, 1, tzinfo=UTC))
    assert error.value.code == "DATE_IN_FUTURE"
    assert ledger.recorder.max_notification_id() == before


def test_a_hire_with_an_id_taken_by_another_record_is_refused() -> None:
    ledger = kita_district(in_memory_ledger())
    refused(ledger, hire_command(worker_id=org_unit_id(HOSPITAL)), "DUPLICATE_CODE")


def test_a_command_method_records_through_the_ledger() -> None:
    ledger = kita_district(in_memory_ledger())
    outcome = ledger.execute(hire_command(), CLERK)
    assert worker(ledger, outcome.aggregate_id).family_name == hire_command().family_name
    assert ledger.recorder.max_notification_id() == outcome.position
