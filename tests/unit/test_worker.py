"""Stories of a worker's career: hire, posting, transfers, training, requalification, leave,
departure, rehire and corrections, each with the refusals a clerk can run into."""

from datetime import date
from uuid import uuid4

from domain import commands as c
from domain.ledger import Ledger
from domain.values import DepartureReason, FundingSource, LeaveKind, OrgUnitLevel, Period, Sector, Sex
from domain.worker import Worker
from tests.unit.scenario import (
    CENTRE,
    DISPENSARY,
    HOSPITAL,
    KITA,
    MIDWIFE,
    NURSE,
    hire,
    hire_and_post,
    hire_command,
    kita_district,
    open_unit,
    record,
    refused,
    stints,
    worker,
)


def test_a_hired_worker_keeps_their_identity_cadre_sector_and_funding(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)

    # Hire a nurse paid by the local government.
    outcome = record(
        ledger, hire_command(civil_service_number="MLI-0001", funding_source=FundingSource.LOCAL_GOVERNMENT)
    )
    hired = worker(ledger, outcome.aggregate_id)
    assert (hired.family_name, hired.given_names, hired.sex, hired.birth_date) == (
        "Traoré",
        "Aminata",
        Sex.FEMALE,
        date(1990, 4, 3),
    )
    assert (hired.civil_service_number, hired.cadre_code, hired.sector, hired.funding_source) == (
        "MLI-0001",
        NURSE,
        Sector.PUBLIC,
        FundingSource.LOCAL_GOVERNMENT,
    )
    assert stints(ledger, hired.id) == {}

    # A hire into an unknown cadre - refused.
    error = refused(ledger, hire_command(cadre_code="MEDECIN"), "NOT_FOUND")
    assert "MEDECIN" in error.message

    # A hire that reuses an existing worker's id - refused.
    refused(ledger, hire_command(worker_id=hired.id), "DUPLICATE_CODE")


def test_a_posting_places_a_hired_worker_at_an_open_facility(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire(ledger, effective_on=date(2021, 1, 4))

    # Posting her the day before her hire - refused.
    post = c.PostWorker(worker_id=aminata, facility_code=HOSPITAL, effective_on=date(2021, 1, 3))
    error = refused(ledger, post, "WORKER_NOT_HIRED")
    assert "before the worker's hire" in error.message

    # Posting her to an unknown facility, or to the district office - refused.
    refused(ledger, c.PostWorker(worker_id=aminata, facility_code="NOPE", effective_on=date(2021, 1, 4)), "NOT_FOUND")
    error = refused(
        ledger, c.PostWorker(worker_id=aminata, facility_code=KITA, effective_on=date(2021, 1, 4)), "NOT_A_FACILITY"
    )
    assert "DISTRICT" in error.message

    # Posting someone who was never hired - refused.
    refused(ledger, c.PostWorker(worker_id=uuid4(), facility_code=HOSPITAL, effective_on=date(2021, 1, 4)), "NOT_FOUND")

    # Post her to the hospital on the day of her hire.
    record(
        ledger,
        c.PostWorker(worker_id=aminata, facility_code=HOSPITAL, job_title="Major", effective_on=date(2021, 1, 4)),
    )
    assert stints(ledger, aminata) == {HOSPITAL: [Period(date(2021, 1, 4))]}

    # Posting her again, elsewhere - refused: moving a posted worker is a transfer.
    post = c.PostWorker(worker_id=aminata, facility_code=CENTRE, effective_on=date(2021, 6, 1))
    error = refused(ledger, post, "WORKER_ALREADY_POSTED")
    assert "record a transfer" in error.message


def test_no_one_is_posted_to_a_facility_before_it_opens_or_beyond_its_closing(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    record(ledger, open_unit("KITA-CSCOM-NEW", OrgUnitLevel.FACILITY, KITA, opened_on=date(2021, 3, 1)))
    record(ledger, c.CloseOrgUnit(code=DISPENSARY, effective_on=date(2021, 9, 1)))
    aminata = hire(ledger, effective_on=date(2021, 1, 4))

    # A posting to the new centre before it opened - refused.
    post = c.PostWorker(worker_id=aminata, facility_code="KITA-CSCOM-NEW", effective_on=date(2021, 2, 1))
    error = refused(ledger, post, "FACILITY_CLOSED")
    assert "opened on 2021-03-01" in error.message

    # A posting to the dispensary with no end, though it closes on 1 September - refused.
    post = c.PostWorker(worker_id=aminata, facility_code=DISPENSARY, effective_on=date(2021, 2, 1))
    error = refused(ledger, post, "FACILITY_CLOSED")
    assert "closed on 2021-09-01" in error.message and "would outlast it" in error.message

    # Posted to the hospital, then a transfer to the dispensary after its closing - refused.
    record(ledger, c.PostWorker(worker_id=aminata, facility_code=HOSPITAL, effective_on=date(2021, 2, 1)))
    transfer = c.TransferWorker(worker_id=aminata, to_facility_code=DISPENSARY, effective_on=date(2021, 9, 1))
    refused(ledger, transfer, "FACILITY_CLOSED")


def test_a_transfer_on_a_later_date_moves_the_worker_from_their_facility_on_that_date(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, HOSPITAL, on=date(2021, 1, 4))

    # Transfer to the same facility - refused.
    transfer = c.TransferWorker(worker_id=aminata, to_facility_code=HOSPITAL, effective_on=date(2021, 5, 1))
    error = refused(ledger, transfer, "SAME_FACILITY")
    assert "already at" in error.message

    # Transfer to a district - refused.
    refused(
        ledger,
        c.TransferWorker(worker_id=aminata, to_facility_code=KITA, effective_on=date(2021, 5, 1)),
        "NOT_A_FACILITY",
    )

    # Transfer to the centre on 1 May: from the hospital, and at the centre from that day.
    transfer = c.TransferWorker(
        worker_id=aminata, to_facility_code=CENTRE, effective_on=date(2021, 5, 1), reason="Besoin de service"
    )
    outcome = record(ledger, transfer)
    assert outcome.aggregate_id == aminata
    assert stints(ledger, aminata) == {
        HOSPITAL: [Period(date(2021, 1, 4), date(2021, 5, 1))],
        CENTRE: [Period(date(2021, 5, 1))],
    }
    (event,) = [e for e in ledger.repository.event_store.get(aminata) if type(e).__name__ == "Transferred"]
    assert (event.from_facility_code, event.to_facility_code, event.reason) == (HOSPITAL, CENTRE, "Besoin de service")


def test_a_transfer_needs_a_posting(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire(ledger)

    # Transfer before any posting - refused, saying to record a posting.
    transfer = c.TransferWorker(worker_id=aminata, to_facility_code=CENTRE, effective_on=date(2021, 5, 1))
    error = refused(ledger, transfer, "WORKER_NOT_POSTED")
    assert "record a posting" in error.message


def test_a_transfer_after_a_departure_is_refused_with_a_way_forward(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, HOSPITAL)
    record(
        ledger, c.RecordDeparture(worker_id=aminata, reason=DepartureReason.RESIGNATION, effective_on=date(2022, 1, 1))
    )

    # A transfer after she left - refused, and the clerk is told what to do.
    transfer = c.TransferWorker(worker_id=aminata, to_facility_code=CENTRE, effective_on=date(2022, 3, 1))
    error = refused(ledger, transfer, "WORKER_DEPARTED")
    assert "departed before the transfer of 2022-03-01" in error.message
    assert "record a rehire first, or check the date" in error.message


def test_a_worker_on_leave_can_be_transferred_and_the_leave_ends_on_a_later_day(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire(ledger)

    # Leave before she is posted - refused: leave starts in post.
    refused(
        ledger,
        c.StartLeave(worker_id=aminata, kind=LeaveKind.STUDY, effective_on=date(2021, 2, 1)),
        "WORKER_NOT_POSTED",
    )

    # Ending a leave that never started - refused.
    error = refused(ledger, c.EndLeave(worker_id=aminata, effective_on=date(2021, 2, 1)), "NOT_ON_LEAVE")
    assert "no leave to end" in error.message

    # Posted, she goes on maternity leave on 1 March.
    record(ledger, c.PostWorker(worker_id=aminata, facility_code=HOSPITAL, effective_on=date(2021, 1, 4)))
    record(ledger, c.StartLeave(worker_id=aminata, kind=LeaveKind.MATERNITY, effective_on=date(2021, 3, 1)))

    # A second leave while on leave - refused.
    error = refused(
        ledger, c.StartLeave(worker_id=aminata, kind=LeaveKind.SICK, effective_on=date(2021, 4, 1)), "ALREADY_ON_LEAVE"
    )
    assert "since 2021-03-01" in error.message

    # Ending the leave on the day it started - refused: a leave ends on a later date.
    error = refused(ledger, c.EndLeave(worker_id=aminata, effective_on=date(2021, 3, 1)), "DATE_OUT_OF_ORDER")
    assert "must end on a later date" in error.message

    # On leave, she is transferred to the centre.
    record(ledger, c.TransferWorker(worker_id=aminata, to_facility_code=CENTRE, effective_on=date(2021, 4, 1)))

    # The leave ends on 1 June; ending it again - refused.
    record(ledger, c.EndLeave(worker_id=aminata, effective_on=date(2021, 6, 1)))
    refused(ledger, c.EndLeave(worker_id=aminata, effective_on=date(2021, 7, 1)), "NOT_ON_LEAVE")

    # The leave never moved her stints.
    assert stints(ledger, aminata) == {
        HOSPITAL: [Period(date(2021, 1, 4), date(2021, 4, 1))],
        CENTRE: [Period(date(2021, 4, 1))],
    }


def test_a_departure_ends_the_stint_and_any_leave(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, HOSPITAL, on=date(2021, 1, 4))
    record(ledger, c.StartLeave(worker_id=aminata, kind=LeaveKind.STUDY, effective_on=date(2021, 9, 1)))

    # She departs on 1 January 2022 while on study leave.
    record(
        ledger, c.RecordDeparture(worker_id=aminata, reason=DepartureReason.EMIGRATION, effective_on=date(2022, 1, 1))
    )
    assert stints(ledger, aminata) == {HOSPITAL: [Period(date(2021, 1, 4), date(2022, 1, 1))]}

    # A second departure - refused.
    departure = c.RecordDeparture(worker_id=aminata, reason=DepartureReason.DEATH, effective_on=date(2022, 2, 1))
    refused(ledger, departure, "WORKER_DEPARTED")

    # Training, leave or a requalification after she left - refused.
    training = c.RecordTraining(worker_id=aminata, course="PCIME", started_on=date(2022, 2, 1))
    refused(ledger, training, "WORKER_DEPARTED")
    refused(ledger, c.EndLeave(worker_id=aminata, effective_on=date(2022, 2, 1)), "WORKER_DEPARTED")
    refused(
        ledger,
        c.RequalifyWorker(worker_id=aminata, cadre_code=MIDWIFE, effective_on=date(2022, 2, 1)),
        "WORKER_DEPARTED",
    )

    # Rehired and posted again, she has no leave left to end.
    record(ledger, c.RehireWorker(worker_id=aminata, effective_on=date(2023, 1, 2)))
    record(ledger, c.PostWorker(worker_id=aminata, facility_code=CENTRE, effective_on=date(2023, 1, 2)))
    refused(ledger, c.EndLeave(worker_id=aminata, effective_on=date(2023, 2, 1)), "NOT_ON_LEAVE")


def test_a_rehire_needs_a_departure_and_a_rehired_worker_is_posted_afresh(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, HOSPITAL, on=date(2021, 1, 4))

    # Rehiring someone still employed - refused.
    error = refused(ledger, c.RehireWorker(worker_id=aminata, effective_on=date(2021, 6, 1)), "WORKER_NOT_DEPARTED")
    assert "still employed" in error.message

    # She resigns, then is rehired a year later.
    record(
        ledger, c.RecordDeparture(worker_id=aminata, reason=DepartureReason.RESIGNATION, effective_on=date(2022, 1, 1))
    )
    record(ledger, c.RehireWorker(worker_id=aminata, effective_on=date(2023, 1, 2), authority="Décision 2023-7"))

    # Rehired, she is not posted anywhere: a transfer - refused; a posting - accepted.
    transfer = c.TransferWorker(worker_id=aminata, to_facility_code=CENTRE, effective_on=date(2023, 1, 2))
    refused(ledger, transfer, "WORKER_NOT_POSTED")
    record(ledger, c.PostWorker(worker_id=aminata, facility_code=HOSPITAL, effective_on=date(2023, 1, 2)))
    assert stints(ledger, aminata) == {
        HOSPITAL: [Period(date(2021, 1, 4), date(2022, 1, 1)), Period(date(2023, 1, 2))],
    }


def test_training_is_recorded_between_hire_and_departure(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire(ledger, effective_on=date(2021, 1, 4))

    # A course that started before the hire - refused.
    early = c.RecordTraining(worker_id=aminata, course="PCIME", started_on=date(2020, 12, 1))
    refused(ledger, early, "WORKER_NOT_HIRED")

    # An unknown worker - refused.
    refused(ledger, c.RecordTraining(worker_id=uuid4(), course="PCIME", started_on=date(2021, 2, 1)), "NOT_FOUND")

    # A course taken before any posting is fine; it does not post her.
    training = c.RecordTraining(
        worker_id=aminata,
        course="Soins obstétricaux et néonatals d'urgence",
        kind="IN_SERVICE",
        provider="INFSS",
        started_on=date(2021, 2, 1),
        ended_on=date(2021, 2, 12),
        outcome="PASSED",
    )
    record(ledger, training)
    (entry,) = [e for e in worker(ledger, aminata).timeline.in_force() if e.kind.name == "TRAINING_RECORDED"]
    assert entry.effective_on == date(2021, 2, 1)
    assert stints(ledger, aminata) == {}


def test_a_requalified_worker_changes_cadre_from_the_date_given(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, HOSPITAL, on=date(2021, 1, 4))

    # Requalify into her own cadre - refused.
    error = refused(
        ledger, c.RequalifyWorker(worker_id=aminata, cadre_code=NURSE, effective_on=date(2022, 1, 1)), "SAME_CADRE"
    )
    assert NURSE in error.message

    # Requalify into an unknown cadre - refused.
    refused(
        ledger, c.RequalifyWorker(worker_id=aminata, cadre_code="MEDECIN", effective_on=date(2022, 1, 1)), "NOT_FOUND"
    )

    # She becomes a midwife on 1 January 2022; a second requalification to midwife - refused.
    record(ledger, c.RequalifyWorker(worker_id=aminata, cadre_code=MIDWIFE, effective_on=date(2022, 1, 1)))
    refused(
        ledger, c.RequalifyWorker(worker_id=aminata, cadre_code=MIDWIFE, effective_on=date(2022, 6, 1)), "SAME_CADRE"
    )

    # Back to nursing later on is fine.
    record(ledger, c.RequalifyWorker(worker_id=aminata, cadre_code=NURSE, effective_on=date(2023, 1, 1)))

    # A back-dated requalification to midwife in 2021 - refused: it names the 2022 one it would void.
    backdated = c.RequalifyWorker(worker_id=aminata, cadre_code=MIDWIFE, effective_on=date(2021, 6, 1))
    error = refused(ledger, backdated, "SAME_CADRE")
    assert "the requalification of 2022-01-01" in error.message
    cadres = [(e.effective_on, e.cadre_code) for e in worker(ledger, aminata).timeline.in_force() if e.cadre_code]
    assert cadres == [(date(2021, 1, 4), NURSE), (date(2022, 1, 1), MIDWIFE), (date(2023, 1, 1), NURSE)]


def test_a_correction_changes_only_the_fields_given(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire(ledger, effective_on=date(2021, 1, 4))

    # Correct her given names and birth date.
    correction = c.CorrectWorkerDetails(
        worker_id=aminata, given_names="Aminata Fanta", birth_date=date(1990, 4, 30), authority="Arrêté 2021-9"
    )
    record(ledger, correction)
    corrected: Worker = worker(ledger, aminata)
    assert (corrected.family_name, corrected.given_names, corrected.birth_date) == (
        "Traoré",
        "Aminata Fanta",
        date(1990, 4, 30),
    )

    # The same correction again - refused: nothing would change.
    error = refused(ledger, correction, "BAD_USER_INPUT")
    assert "nothing to correct" in error.message

    # A birth date on or after the hire - refused.
    refused(ledger, c.CorrectWorkerDetails(worker_id=aminata, birth_date=date(2021, 1, 4)), "DATE_OUT_OF_ORDER")

    # A correction for an unknown worker - refused.
    refused(ledger, c.CorrectWorkerDetails(worker_id=uuid4(), sex=Sex.MALE), "NOT_FOUND")

    # Sector and funding source can be corrected too.
    record(
        ledger,
        c.CorrectWorkerDetails(worker_id=aminata, sector=Sector.PARAPUBLIC, funding_source=FundingSource.PARTNER),
    )
    assert (worker(ledger, aminata).sector, worker(ledger, aminata).funding_source) == (
        Sector.PARAPUBLIC,
        FundingSource.PARTNER,
    )
