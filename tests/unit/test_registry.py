"""The registries behind cross-record rules: one holder per civil-service number, and no
facility closing while someone is in post there."""

from datetime import date

from domain import commands as c
from domain.identity import civil_service_number_id
from domain.ledger import Ledger
from domain.registry import CivilServiceNumber
from domain.values import DepartureReason, Period
from tests.unit.scenario import (
    CENTRE,
    DISPENSARY,
    HOSPITAL,
    hire,
    hire_and_post,
    hire_command,
    kita_district,
    org_unit,
    record,
    refused,
    roster,
    stints,
    worker,
)


def holder(ledger: Ledger, number: str) -> object:
    registration = ledger.repository.get(civil_service_number_id(number))
    assert isinstance(registration, CivilServiceNumber)
    return registration.holder


def test_a_civil_service_number_belongs_to_one_worker(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire(ledger, civil_service_number="MLI-0001")
    assert holder(ledger, "MLI-0001") == aminata

    # Another hire with her number - refused, without naming the holder (the sender may not read her record).
    error = refused(
        ledger, hire_command(given_names="Fatoumata", civil_service_number="MLI-0001"), "DUPLICATE_CIVIL_SERVICE_NUMBER"
    )
    assert "MLI-0001" in error.message and str(aminata) not in error.message

    # Workers without a number do not collide.
    hire(ledger, given_names="Fatoumata")
    hire(ledger, given_names="Kadiatou")


def test_a_number_released_by_a_correction_can_be_reused(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire(ledger, civil_service_number="MLI-0001")
    fatoumata = hire(ledger, given_names="Fatoumata", civil_service_number="MLI-0002")
    kadiatou = hire(ledger, given_names="Kadiatou")

    # Correcting Fatoumata's number to Aminata's - refused.
    correction = c.CorrectWorkerDetails(worker_id=fatoumata, civil_service_number="MLI-0001")
    refused(ledger, correction, "DUPLICATE_CIVIL_SERVICE_NUMBER")

    # Aminata's number was mistyped: correct it to MLI-0010, which frees MLI-0001.
    record(ledger, c.CorrectWorkerDetails(worker_id=aminata, civil_service_number="MLI-0010"))
    assert worker(ledger, aminata).civil_service_number == "MLI-0010"
    assert (holder(ledger, "MLI-0010"), holder(ledger, "MLI-0001")) == (aminata, None)

    # Kadiatou, who had no number, is given the freed one.
    record(ledger, c.CorrectWorkerDetails(worker_id=kadiatou, civil_service_number="MLI-0001"))
    assert holder(ledger, "MLI-0001") == kadiatou

    # Now Aminata cannot take her old number back, and a new hire cannot use it either.
    refused(
        ledger,
        c.CorrectWorkerDetails(worker_id=aminata, civil_service_number="MLI-0001"),
        "DUPLICATE_CIVIL_SERVICE_NUMBER",
    )
    refused(ledger, hire_command(civil_service_number="MLI-0001"), "DUPLICATE_CIVIL_SERVICE_NUMBER")

    # Kadiatou's number moves on too; then a new hire can take MLI-0001.
    record(ledger, c.CorrectWorkerDetails(worker_id=kadiatou, civil_service_number="MLI-0003"))
    newcomer = hire(ledger, given_names="Awa", civil_service_number="MLI-0001")
    assert holder(ledger, "MLI-0001") == newcomer


def test_a_facility_cannot_close_while_someone_is_in_post_on_or_after_that_date(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, CENTRE, on=date(2021, 1, 4))

    # Closing the centre on 1 January 2022 - refused: she is in post with no end.
    error = refused(ledger, c.CloseOrgUnit(code=CENTRE, effective_on=date(2022, 1, 1)), "FACILITY_STAFFED")
    assert str(aminata) in error.message and "with no end" in error.message

    # She is transferred out on 1 March 2022: closing on 1 January is still refused.
    record(ledger, c.TransferWorker(worker_id=aminata, to_facility_code=HOSPITAL, effective_on=date(2022, 3, 1)))
    error = refused(ledger, c.CloseOrgUnit(code=CENTRE, effective_on=date(2022, 1, 1)), "FACILITY_STAFFED")
    assert "until 2022-03-01" in error.message

    # Closing on the day she left is fine: she is at the hospital that day.
    record(ledger, c.CloseOrgUnit(code=CENTRE, effective_on=date(2022, 3, 1)))
    assert org_unit(ledger, CENTRE).closed_on == date(2022, 3, 1)


def test_a_facility_cannot_close_before_a_posting_that_starts_later(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    hire_and_post(ledger, CENTRE, on=date(2023, 1, 2))

    refused(ledger, c.CloseOrgUnit(code=CENTRE, effective_on=date(2022, 6, 1)), "FACILITY_STAFFED")


def test_a_departure_frees_the_facility_and_an_empty_facility_closes(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, CENTRE, on=date(2021, 1, 4))
    record(ledger, c.RecordDeparture(worker_id=aminata, reason=DepartureReason.DEATH, effective_on=date(2022, 5, 1)))

    record(ledger, c.CloseOrgUnit(code=CENTRE, effective_on=date(2022, 5, 1)))
    record(ledger, c.CloseOrgUnit(code=DISPENSARY, effective_on=date(2022, 5, 1)))


def test_a_closed_facility_accepts_a_back_dated_stint_that_ended_before_it_closed(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    record(ledger, c.CloseOrgUnit(code=CENTRE, effective_on=date(2022, 3, 1)))
    aminata = hire_and_post(ledger, HOSPITAL, on=date(2021, 1, 4))
    transfer = c.TransferWorker(worker_id=aminata, to_facility_code=DISPENSARY, effective_on=date(2021, 6, 1))
    out_of_centre = record(ledger, transfer)

    # She was at the centre from March to June 2021, before it closed: accepted.
    record(ledger, c.TransferWorker(worker_id=aminata, to_facility_code=CENTRE, effective_on=date(2021, 3, 1)))
    assert stints(ledger, aminata)[CENTRE] == [Period(date(2021, 3, 1), date(2021, 6, 1))]
    assert roster(ledger, CENTRE) == {aminata: [Period(date(2021, 3, 1), date(2021, 6, 1))]}

    # Retracting her move out of the centre would keep her there past its closing - refused.
    retraction = c.RetractEvent(worker_id=aminata, position=out_of_centre.position, reason="Erreur de saisie")
    error = refused(ledger, retraction, "RETRACTION_BREAKS_TIMELINE")
    assert "closed on 2022-03-01" in error.message
