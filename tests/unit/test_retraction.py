"""Retractions: a wrong event is named by its ledger position and counts as never recorded,
unless removing it would leave the worker's timeline inconsistent."""

from datetime import date
from uuid import UUID, uuid4

from domain import commands as c
from domain.ledger import Ledger
from domain.values import DepartureReason, Period, Sex
from tests.unit.scenario import (
    CENTRE,
    DISPENSARY,
    HOSPITAL,
    hire,
    hire_and_post,
    hire_command,
    kita_district,
    record,
    refused,
    roster,
    stints,
    worker,
)


def retraction(worker_id: UUID, position: int, reason: str = "Saisie en double") -> c.RetractEvent:
    return c.RetractEvent(worker_id=worker_id, position=position, reason=reason)


def version_at(ledger: Ledger, worker_id: UUID, position: int) -> int:
    located = ledger.locate(position)
    assert located is not None and located[0] == worker_id
    return located[1]


def test_a_retracted_posting_counts_as_if_it_had_never_been_recorded(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire(ledger, effective_on=date(2021, 1, 4))

    # Posted to the hospital by mistake: she went to the centre.
    wrong = record(ledger, c.PostWorker(worker_id=aminata, facility_code=HOSPITAL, effective_on=date(2021, 1, 4)))
    assert roster(ledger, HOSPITAL) == {aminata: [Period(date(2021, 1, 4))]}

    # Retract the posting: she is posted nowhere, and the hospital's roster forgets her.
    outcome = record(ledger, retraction(aminata, wrong.position, "Affectée au CSCom, pas au CSRéf"))
    assert outcome.aggregate_id == aminata
    assert stints(ledger, aminata) == {}
    assert roster(ledger, HOSPITAL) == {}
    assert worker(ledger, aminata).timeline.retracted == {version_at(ledger, aminata, wrong.position)}

    # Now she can be posted to the centre on that same day.
    record(ledger, c.PostWorker(worker_id=aminata, facility_code=CENTRE, effective_on=date(2021, 1, 4)))
    assert stints(ledger, aminata) == {CENTRE: [Period(date(2021, 1, 4))]}


def test_the_hire_cannot_be_retracted_but_the_details_can_be_corrected(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    hired = record(ledger, hire_command())

    error = refused(ledger, retraction(hired.aggregate_id, hired.position), "NOT_RETRACTABLE")
    assert "correct the worker's details instead" in error.message


def test_an_event_is_retracted_only_once_and_retractions_and_corrections_stay(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire(ledger, effective_on=date(2021, 1, 4))
    training = record(ledger, c.RecordTraining(worker_id=aminata, course="PCIME", started_on=date(2021, 2, 1)))

    # Retract the training.
    retracted = record(ledger, retraction(aminata, training.position))

    # Retract it again - refused.
    error = refused(ledger, retraction(aminata, training.position), "NOT_RETRACTABLE")
    assert "already retracted" in error.message

    # Retract the retraction - refused.
    refused(ledger, retraction(aminata, retracted.position), "NOT_RETRACTABLE")

    # Retract a correction of her details - refused.
    corrected = record(ledger, c.CorrectWorkerDetails(worker_id=aminata, sex=Sex.MALE))
    refused(ledger, retraction(aminata, corrected.position), "NOT_RETRACTABLE")


def test_a_retraction_names_a_ledger_position_of_that_workers_own_events(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, HOSPITAL)
    other = hire(ledger, given_names="Fatoumata")
    others_training = record(ledger, c.RecordTraining(worker_id=other, course="PCIME", started_on=date(2021, 2, 1)))

    # Another worker's event - refused as not found.
    error = refused(ledger, retraction(aminata, others_training.position), "NOT_FOUND")
    assert f"position {others_training.position} holds no event of worker {aminata}" in error.message

    # The opening of the country (position 1), and a position past the end of the ledger - refused.
    refused(ledger, retraction(aminata, 1), "NOT_FOUND")
    refused(ledger, retraction(aminata, others_training.position + 100), "NOT_FOUND")

    # A worker who does not exist - refused.
    refused(ledger, retraction(uuid4(), others_training.position), "NOT_FOUND")


def test_retracting_a_posting_that_a_later_transfer_depends_on_is_refused(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire(ledger, effective_on=date(2021, 1, 4))
    posting = record(ledger, c.PostWorker(worker_id=aminata, facility_code=HOSPITAL, effective_on=date(2021, 1, 4)))
    record(ledger, c.TransferWorker(worker_id=aminata, to_facility_code=CENTRE, effective_on=date(2021, 5, 1)))

    error = refused(ledger, retraction(aminata, posting.position), "RETRACTION_BREAKS_TIMELINE")
    assert "Retracting the posting of 2021-01-04" in error.message
    assert "not posted anywhere on 2021-05-01" in error.message


def test_retracting_a_departure_that_a_rehire_depends_on_is_refused(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, HOSPITAL, on=date(2021, 1, 4))
    departure = record(
        ledger, c.RecordDeparture(worker_id=aminata, reason=DepartureReason.DISMISSAL, effective_on=date(2022, 1, 1))
    )
    record(ledger, c.RehireWorker(worker_id=aminata, effective_on=date(2022, 6, 1)))

    error = refused(ledger, retraction(aminata, departure.position), "RETRACTION_BREAKS_TIMELINE")
    assert "still employed" in error.message


def test_retracting_a_transfer_out_of_a_facility_that_has_since_closed_is_refused(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, DISPENSARY, on=date(2021, 1, 4))
    transfer = record(
        ledger, c.TransferWorker(worker_id=aminata, to_facility_code=HOSPITAL, effective_on=date(2021, 5, 1))
    )
    record(ledger, c.CloseOrgUnit(code=DISPENSARY, effective_on=date(2021, 7, 1)))

    error = refused(ledger, retraction(aminata, transfer.position), "RETRACTION_BREAKS_TIMELINE")
    assert "closed on 2021-07-01" in error.message


def test_retracting_a_back_dated_transfer_restores_the_stints(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, HOSPITAL, on=date(2021, 1, 4))
    record(ledger, c.TransferWorker(worker_id=aminata, to_facility_code=CENTRE, effective_on=date(2021, 5, 1)))
    backdated = record(
        ledger, c.TransferWorker(worker_id=aminata, to_facility_code=DISPENSARY, effective_on=date(2021, 3, 1))
    )

    record(ledger, retraction(aminata, backdated.position))

    assert stints(ledger, aminata) == {
        HOSPITAL: [Period(date(2021, 1, 4), date(2021, 5, 1))],
        CENTRE: [Period(date(2021, 5, 1))],
    }
    assert roster(ledger, DISPENSARY) == {}
    assert roster(ledger, HOSPITAL) == {aminata: [Period(date(2021, 1, 4), date(2021, 5, 1))]}
