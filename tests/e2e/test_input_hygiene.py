"""Input hygiene over HTTP against a live ``hrh serve``: civil-service numbers unique whatever their
case, names that show what they hold, plausible dates, and transfers that name where the clerk saw
the worker, so that twenty clerks moving one worker at once give one transfer, not seventeen."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.e2e.api_support import HIRE, TRAINING, TRANSFER, TREE, Api, codes_of, errors_of, live_server

pytestmark = pytest.mark.integration
FACILITIES = [code for code, level, _ in TREE if level == "FACILITY"]


@pytest.fixture(scope="module")
def api(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with live_server(server_url, tmp_path_factory.mktemp("input_hygiene")) as live:
        yield live


def hire_input(**changes: Any) -> dict[str, Any]:
    fields = {
        "familyName": "Konate",
        "givenNames": "Aminata",
        "sex": "FEMALE",
        "birthDate": "1990-05-17",
        "cadreCode": "NURSE-RN",
        "sector": "PUBLIC",
        "fundingSource": "STATE",
        "effectiveOn": "2017-01-02",
    }
    return {"input": fields | changes}


def refused_writing_nothing(api: Api, query: str, variables: dict[str, Any]) -> tuple[str, str]:
    """Sends a command that must be refused; checks the ledger did not move; returns code and message."""
    before = api.ledger_position()
    body = api.post(query, variables)
    codes = codes_of(body)
    assert len(codes) == 1, body
    assert api.ledger_position() == before
    return codes[0], str(errors_of(body)[0]["message"])


def test_a_civil_service_number_in_another_case_is_taken(api: Api) -> None:
    api.data(HIRE, hire_input(civilServiceNumber="MLI-4786267"))
    for typed in ("mli-4786267", " MLI-4786267 ", "Mli-4786267"):
        code, message = refused_writing_nothing(api, HIRE, hire_input(civilServiceNumber=typed))
        assert code == "DUPLICATE_CIVIL_SERVICE_NUMBER", message


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("familyName", "\u200b\u200b\u200b", "invisible"),
        ("familyName", "\u3164", "invisible"),
        ("givenNames", "\u2800 \u2800", "invisible"),
        ("familyName", "Kon\u202eetan", "bidirectional"),
        ("givenNames", "\u2067Aminata\u2069", "bidirectional"),
    ],
)
def test_an_invisible_or_bidi_controlled_name_is_refused(api: Api, field: str, value: str, words: str) -> None:
    code, message = refused_writing_nothing(api, HIRE, hire_input(**{field: value}))
    assert code == "BAD_USER_INPUT" and words in message and field in message


def test_implausible_dates_are_refused(api: Api) -> None:
    # An effective date before 1950.
    code, message = refused_writing_nothing(api, HIRE, hire_input(effectiveOn="1949-12-31", birthDate="1920-01-01"))
    assert code == "DATE_TOO_EARLY" and "1950-01-01" in message

    # A birth less than 14 years before the hire.
    code, message = refused_writing_nothing(api, HIRE, hire_input(birthDate="2003-01-03", effectiveOn="2017-01-02"))
    assert code == "DATE_OUT_OF_ORDER" and "14 years" in message

    # A training that ends more than 5 years after it starts.
    worker_id = str(api.hire("Trainee")["worker"]["id"])
    training = {"workerId": worker_id, "course": "Médecine", "startedOn": "2017-09-01", "endedOn": "2022-09-02"}
    code, message = refused_writing_nothing(api, TRAINING, {"input": training})
    assert code == "DATE_OUT_OF_ORDER" and "5 years" in message
    api.data(TRAINING, {"input": training | {"endedOn": "2022-09-01"}})


def test_a_transfer_from_a_facility_the_worker_has_left_is_a_conflict(api: Api) -> None:
    worker_id = str(api.hire("Moved")["worker"]["id"])
    api.post_worker(worker_id, "F-111", "2016-02-01")
    moved = {"workerId": worker_id, "toFacilityCode": "F-112", "effectiveOn": "2018-01-08"}
    api.data(TRANSFER, {"input": moved | {"expectedFromFacilityCode": "F-111"}})

    # A second clerk, who also saw her at F-111 - CONFLICT, and nothing written.
    again = moved | {"toFacilityCode": "F-113", "expectedFromFacilityCode": "F-111"}
    code, message = refused_writing_nothing(api, TRANSFER, {"input": again})
    assert code == "CONFLICT" and "F-111" in message and "F-112" in message

    # From where she is now, it goes in.
    api.data(TRANSFER, {"input": again | {"expectedFromFacilityCode": "F-112"}})


def test_twenty_concurrent_transfers_of_one_worker_give_one_transfer(api: Api) -> None:
    worker_id = str(api.hire("Contested")["worker"]["id"])
    api.post_worker(worker_id, "F-111", "2016-02-01")
    destinations = [code for code in FACILITIES if code != "F-111"]
    inputs = [
        {
            "workerId": worker_id,
            "toFacilityCode": destinations[i % len(destinations)],
            "effectiveOn": "2019-03-04",
            "expectedFromFacilityCode": "F-111",
        }
        for i in range(20)
    ]

    with ThreadPoolExecutor(max_workers=20) as pool:
        bodies = list(pool.map(lambda i: api.post(TRANSFER, {"input": i}), inputs))

    accepted = [body for body in bodies if not errors_of(body)]
    conflicts = [body for body in bodies if codes_of(body) == ["CONFLICT"]]
    assert (len(accepted), len(conflicts)) == (1, 19), [codes_of(body) for body in bodies]

    # The worker's history holds one transfer on that day, from F-111.
    history = api.worker(worker_id)["history"]
    transfers = [event for event in history if event["kind"] == "TRANSFERRED" and event["effectiveOn"] == "2019-03-04"]
    assert len(transfers) == 1 and transfers[0]["fromFacility"]["code"] == "F-111"
