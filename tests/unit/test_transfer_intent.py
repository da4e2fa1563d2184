"""A transfer may name the facility its recorder saw the worker at: when the worker is elsewhere on
the effective date (someone recorded a change meanwhile), it is refused with CONFLICT, so that
one clerk's intent never silently overwrites another's."""

import hashlib
import json
from dataclasses import asdict, replace
from datetime import date
from uuid import UUID

import pytest

from domain import commands as c
from domain.errors import Conflict, DomainError, OriginChanged
from domain.ledger import Ledger, fingerprint
from tests.unit.scenario import (
    CENTRE,
    DISPENSARY,
    HOSPITAL,
    hire,
    hire_and_post,
    kita_district,
    record,
    refused,
    worker,
)


def transfer(worker_id: UUID, to: str, on: date, expected: str | None) -> c.TransferWorker:
    return c.TransferWorker(
        worker_id=worker_id, to_facility_code=to, effective_on=on, expected_from_facility_code=expected
    )


def test_a_transfer_from_where_the_recorder_saw_the_worker_goes_in(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, HOSPITAL, on=date(2021, 1, 4))

    record(ledger, transfer(aminata, CENTRE, date(2022, 1, 3), expected=HOSPITAL))
    assert worker(ledger, aminata).facility_on(date(2022, 6, 1)) == CENTRE


def test_a_transfer_from_a_facility_the_worker_has_left_is_a_conflict(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, HOSPITAL, on=date(2021, 1, 4))

    # Two clerks saw her at the hospital. The first moves her to the centre.
    record(ledger, transfer(aminata, CENTRE, date(2022, 1, 3), expected=HOSPITAL))

    # The second, still thinking she is at the hospital, moves her to the dispensary - refused.
    error = refused(ledger, transfer(aminata, DISPENSARY, date(2022, 1, 3), expected=HOSPITAL), "CONFLICT")
    assert isinstance(error, OriginChanged) and isinstance(error, Conflict)
    assert HOSPITAL in error.message and f"at {CENTRE}" in error.message and "2022-01-03" in error.message

    # Without the field, the same transfer goes in: the field is how a client asks for the check.
    record(ledger, transfer(aminata, DISPENSARY, date(2022, 1, 3), expected=None))


def test_the_expected_facility_is_the_one_on_the_effective_date(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire_and_post(ledger, HOSPITAL, on=date(2021, 1, 4))
    record(ledger, transfer(aminata, CENTRE, date(2022, 1, 3), expected=None))

    # A back-dated transfer from the hospital, where she was in mid-2021 - recorded.
    record(ledger, transfer(aminata, DISPENSARY, date(2021, 7, 1), expected=HOSPITAL))

    # One that expects her at the centre on a day she was at the dispensary - refused.
    refused(ledger, transfer(aminata, HOSPITAL, date(2021, 9, 1), expected=CENTRE), "CONFLICT")


def test_a_worker_at_no_facility_is_not_where_the_recorder_expected(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    unposted = hire(ledger)

    error = refused(ledger, transfer(unposted, CENTRE, date(2022, 1, 3), expected=HOSPITAL), "CONFLICT")
    assert "at no facility" in error.message


def test_a_malformed_expected_facility_is_bad_input() -> None:
    with pytest.raises(DomainError) as caught:
        transfer(UUID(int=1), CENTRE, date(2022, 1, 3), expected="not a code")
    assert caught.value.code == "BAD_USER_INPUT" and "expectedFromFacilityCode" in caught.value.message


def test_a_transfer_retried_across_the_upgrade_matches_its_receipt() -> None:
    # A transfer recorded before expectedFromFacilityCode existed was fingerprinted without it.
    sent = c.TransferWorker(
        worker_id=UUID(int=1), to_facility_code=CENTRE, effective_on=date(2022, 1, 3), command_id="t1"
    )
    body = {k: v for k, v in asdict(sent).items() if k not in ("command_id", "expected_from_facility_code")}
    before = hashlib.sha256(json.dumps(["TransferWorker", "clerk", body], sort_keys=True, default=str).encode())
    assert fingerprint(sent, "clerk") == before.hexdigest()

    # Naming the expected facility makes it another command.
    assert fingerprint(replace(sent, expected_from_facility_code=HOSPITAL), "clerk") != before.hexdigest()
