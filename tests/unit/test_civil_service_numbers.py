"""Civil-service numbers are one number whatever their case or surrounding spaces: ``mli-4786267``
is ``MLI-4786267``. Ledgers recorded before that rule may hold both; they still load, and the
numbers they hold stay taken."""

from datetime import date

import pytest

from domain import commands as c
from domain.identity import civil_service_key, typed_civil_service_number_id
from domain.ledger import Ledger
from domain.registry import CivilServiceNumber
from domain.staging import Staging
from tests.unit.scenario import hire, hire_command, kita_district, record, refused, worker


def test_a_number_in_another_case_or_with_spaces_is_the_same_number(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire(ledger, civil_service_number="MLI-4786267")
    assert worker(ledger, aminata).civil_service_number == "MLI-4786267"

    # The same number in lower case, mixed case, or with spaces around it - refused.
    for typed in ("mli-4786267", "Mli-4786267", "  MLI-4786267 ", "\tmli-4786267"):
        error = refused(ledger, hire_command(civil_service_number=typed), "DUPLICATE_CIVIL_SERVICE_NUMBER")
        assert "MLI-4786267 already belongs to another worker" in error.message

    # A number is stored trimmed, as typed otherwise.
    awa = hire(ledger, given_names="Awa", civil_service_number="  mli-0000001 ")
    assert worker(ledger, awa).civil_service_number == "mli-0000001"
    assert civil_service_key(" MLI-0000001\n") == "mli-0000001"


def test_a_correction_of_the_case_keeps_the_number(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire(ledger, civil_service_number="mli-0001")

    # Writing her own number in capitals is a correction of her record, not a new number.
    record(ledger, c.CorrectWorkerDetails(worker_id=aminata, civil_service_number="MLI-0001"))
    assert worker(ledger, aminata).civil_service_number == "MLI-0001"

    # The number stays hers.
    refused(ledger, hire_command(civil_service_number="mli-0001"), "DUPLICATE_CIVIL_SERVICE_NUMBER")

    # Another worker cannot take it in another case by a correction either.
    fatoumata = hire(ledger, given_names="Fatoumata")
    correction = c.CorrectWorkerDetails(worker_id=fatoumata, civil_service_number="Mli-0001")
    refused(ledger, correction, "DUPLICATE_CIVIL_SERVICE_NUMBER")


def test_a_ledger_from_before_the_rule_loads_and_its_numbers_stay_taken(
    memory_ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = kita_district(memory_ledger)

    # Before the rule, a registration's id came from the number as typed, so both went in.
    with monkeypatch.context() as before:
        before.setattr(CivilServiceNumber, "create_id", staticmethod(lambda number, **_: typed_id(number)))
        before.setattr(Staging, "civil_service_number", lambda s, number: s.find(CivilServiceNumber, typed_id(number)))
        lower = hire(ledger, civil_service_number="mli-0001")
        upper = hire(ledger, given_names="Fatoumata", civil_service_number="MLI-0001")

    # Both workers load as recorded.
    assert (worker(ledger, lower).civil_service_number, worker(ledger, upper).civil_service_number) == (
        "mli-0001",
        "MLI-0001",
    )

    # Each typed form is still held: new hires with either are refused.
    for typed in ("mli-0001", "MLI-0001"):
        refused(ledger, hire_command(civil_service_number=typed), "DUPLICATE_CIVIL_SERVICE_NUMBER")

    # The duplicate is sorted out by correcting one of them; the other form then frees.
    record(ledger, c.CorrectWorkerDetails(worker_id=lower, civil_service_number="MLI-0002"))
    refused(ledger, hire_command(civil_service_number="mli-0002"), "DUPLICATE_CIVIL_SERVICE_NUMBER")
    refused(ledger, hire_command(civil_service_number="mli-0001"), "DUPLICATE_CIVIL_SERVICE_NUMBER")  # upper's
    # ... and a worker hired on a date the rule never saw keeps working.
    record(ledger, c.PostWorker(worker_id=upper, facility_code="KITA-CSREF", effective_on=date(2021, 2, 1)))


def typed_id(number: str) -> object:
    return typed_civil_service_number_id(number)
