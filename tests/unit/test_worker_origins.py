"""A worker's countries of birth and of first qualification (``Worker.Hired`` version 2): checked
codes, set on hire or by a correction, and receipts of commands from before they existed."""

import hashlib
import json
from dataclasses import asdict, replace
from uuid import UUID

import pytest

from domain import commands as c
from domain.errors import DomainError
from domain.ledger import Ledger, fingerprint
from domain.worker import Worker
from tests.unit.scenario import hire, hire_command, kita_district, record, refused, worker


@pytest.mark.parametrize("code", ["XX", "ml", "MLI", "M", "", " ML", "12"])
def test_a_country_is_an_iso_3166_alpha_2_code_in_capitals(code: str) -> None:
    for field, name in (("country_of_birth", "countryOfBirth"), ("qualification_country", "qualificationCountry")):
        with pytest.raises(DomainError) as caught:
            hire_command(**{field: code})
        assert caught.value.code == "BAD_USER_INPUT"
        assert name in caught.value.message and repr(code) in caught.value.message
        with pytest.raises(DomainError) as caught:
            c.CorrectWorkerDetails(worker_id=UUID(int=1), **{field: code})
        assert caught.value.code == "BAD_USER_INPUT" and repr(code) in caught.value.message


def test_countries_are_set_on_hire_and_unknown_when_not_given(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    abroad = hire(ledger, country_of_birth="BF", qualification_country="SN")
    assert (worker(ledger, abroad).country_of_birth, worker(ledger, abroad).qualification_country) == ("BF", "SN")
    unknown = hire(ledger, given_names="Fatoumata")
    assert (worker(ledger, unknown).country_of_birth, worker(ledger, unknown).qualification_country) == (None, None)


def test_a_correction_sets_a_country_and_records_only_what_changed(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    aminata = hire(ledger, country_of_birth="ML")
    record(ledger, c.CorrectWorkerDetails(worker_id=aminata, country_of_birth="ML", qualification_country="CU"))
    assert (worker(ledger, aminata).country_of_birth, worker(ledger, aminata).qualification_country) == ("ML", "CU")
    (correction,) = [e for e in ledger.events.get(aminata) if isinstance(e, Worker.DetailsCorrected)]
    assert correction.corrections == {"qualification_country": "CU"}  # under its Hired name, the unchanged one left out
    refused(ledger, c.CorrectWorkerDetails(worker_id=aminata, qualification_country="CU"), "BAD_USER_INPUT")


def test_receipts_of_hires_and_corrections_from_before_the_countries_still_match() -> None:
    for sent in (
        hire_command(command_id="h1"),
        c.CorrectWorkerDetails(worker_id=UUID(int=1), family_name="Traoré", command_id="k1"),
    ):
        later = ("command_id", "country_of_birth", "qualification_country")
        body = {k: v for k, v in asdict(sent).items() if k not in later}
        before = hashlib.sha256(json.dumps([type(sent).__name__, "clerk", body], sort_keys=True, default=str).encode())
        assert fingerprint(sent, "clerk") == before.hexdigest()
        assert fingerprint(replace(sent, country_of_birth="SN"), "clerk") != before.hexdigest()


def test_the_upcaster_gives_a_version_1_hire_unknown_countries() -> None:
    state = {"family_name": "Traoré"}
    Worker.Hired.upcast_v1_v2(state)
    assert state == {"family_name": "Traoré", "country_of_birth": None, "qualification_country": None}
    assert Worker.Hired.class_version == 2 and Worker.Hired.TOPIC == "hrh:Worker.Hired.v1"
