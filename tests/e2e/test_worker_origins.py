"""A worker's countries of birth and of first qualification over HTTP: set on hire, corrected by
``correctWorkerDetails``, checked, and personal data (DESIGN, "Who may do what")."""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.api_support import HIRE, Api, codes_of, live_server

pytestmark = pytest.mark.integration

D11 = "Kadia Coulibaly (HR D11)"
PLANNER = "Fanta Camara (planner)"
ORIGINS = "id familyName civilServiceNumber countryOfBirth qualificationCountry"
HIRE_ORIGINS = f"""
mutation Hire($input: HireWorkerInput!) {{ hireWorker(input: $input) {{ position worker {{ {ORIGINS} }} }} }}"""
CORRECT = f"""
mutation Correct($input: CorrectWorkerDetailsInput!) {{
  correctWorkerDetails(input: $input) {{ position worker {{ {ORIGINS} }} }}
}}"""
WORKER_ORIGINS = f"query Worker($id: ID!) {{ worker(id: $id) {{ {ORIGINS} }} }}"


@pytest.fixture(scope="module")
def api(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with live_server(server_url, tmp_path_factory.mktemp("worker_origins")) as live:
        live.create_user(D11, "HR_MANAGER", "ML-D11")
        live.create_user(PLANNER, "PLANNER")
        yield live


def hired(api: Api, name: str, token: str | None = None, **extra: Any) -> dict[str, Any]:
    fields = {
        "familyName": name,
        "givenNames": "Issa",
        "sex": "MALE",
        "cadreCode": "NURSE-RN",
        "sector": "PUBLIC",
        "fundingSource": "STATE",
        "effectiveOn": "2016-01-04",
        **extra,
    }
    return dict(api.data(HIRE_ORIGINS, {"input": fields}, token)["hireWorker"])


def refused_writing_nothing(api: Api, query: str, variables: dict[str, Any], token: str | None = None) -> str:
    before = api.ledger_position()
    body = api.post(query, variables, token)
    codes = set(codes_of(body))
    assert len(codes) == 1 and body["data"] is None, body
    assert api.ledger_position() == before
    return codes.pop()


def test_a_hire_records_the_countries_and_a_correction_changes_them(api: Api) -> None:
    hire = hired(api, "Ouédraogo", countryOfBirth="BF", qualificationCountry="SN")
    worker = hire["worker"]
    assert (worker["countryOfBirth"], worker["qualificationCountry"]) == ("BF", "SN")
    unknown = hired(api, "Keita")["worker"]
    assert (unknown["countryOfBirth"], unknown["qualificationCountry"]) == (None, None)

    correction = {"workerId": worker["id"], "qualificationCountry": "MA", "note": "Diplôme vérifié"}
    corrected = api.data(CORRECT, {"input": correction})["correctWorkerDetails"]
    assert corrected["position"] > hire["position"]
    assert (corrected["worker"]["countryOfBirth"], corrected["worker"]["qualificationCountry"]) == ("BF", "MA")
    api.caught_up(corrected["position"])
    read = api.data(WORKER_ORIGINS, {"id": worker["id"]})["worker"]
    assert (read["countryOfBirth"], read["qualificationCountry"]) == ("BF", "MA")

    # The other identity fields of the contract's input correct too; the same values again change nothing.
    renamed = {"workerId": unknown["id"], "familyName": "Keïta", "civilServiceNumber": "CSN-ORIGIN-1"}
    assert api.data(CORRECT, {"input": renamed})["correctWorkerDetails"]["worker"]["familyName"] == "Keïta"
    assert refused_writing_nothing(api, CORRECT, {"input": renamed}) == "BAD_USER_INPUT"


def test_a_country_that_is_not_an_iso_code_is_refused_and_nothing_is_written(api: Api) -> None:
    fields = {"familyName": "Diallo", "givenNames": "Awa", "sex": "FEMALE", "cadreCode": "NURSE-RN"}
    fields |= {"sector": "PUBLIC", "fundingSource": "STATE", "effectiveOn": "2016-01-04", "countryOfBirth": "XX"}
    assert refused_writing_nothing(api, HIRE, {"input": fields}) == "BAD_USER_INPUT"
    body = api.post(HIRE, {"input": fields | {"countryOfBirth": "ML", "qualificationCountry": "sn"}})
    assert codes_of(body) == ["BAD_USER_INPUT"] and "'sn'" in body["errors"][0]["message"]
    worker = hired(api, "Sangaré")["worker"]
    bad = {"workerId": worker["id"], "countryOfBirth": "Mali"}
    assert refused_writing_nothing(api, CORRECT, {"input": bad}) == "BAD_USER_INPUT"


def test_planners_never_see_the_countries(api: Api) -> None:
    worker = hired(api, "Coulibaly", countryOfBirth="CI")
    planner = api.tokens[PLANNER]
    api.caught_up(worker["position"])
    for query, variables in [
        (WORKER_ORIGINS, {"id": worker["worker"]["id"]}),
        ('query { workers(orgUnitCode: "ML") { edges { node { countryOfBirth qualificationCountry } } } }', None),
    ]:
        body = api.post(query, variables, planner)
        assert set(codes_of(body)) == {"FORBIDDEN"}, body
        assert "CI" not in str(body.get("data"))
    correction = {"workerId": worker["worker"]["id"], "countryOfBirth": "ML"}
    assert refused_writing_nothing(api, CORRECT, {"input": correction}, planner) == "FORBIDDEN"


def test_an_hr_manager_corrects_workers_in_scope_only(api: Api) -> None:
    d11 = api.tokens[D11]
    inside = hired(api, "Traoré", d11)["worker"]["id"]
    api.post_worker(inside, "F-111", "2016-01-04", d11)
    outside = hired(api, "Dembélé")["worker"]["id"]
    api.caught_up(api.post_worker(outside, "F-211", "2016-01-04")["position"])

    correction = {"workerId": outside, "countryOfBirth": "SN"}
    assert refused_writing_nothing(api, CORRECT, {"input": correction}, d11) == "FORBIDDEN"
    assert api.data(WORKER_ORIGINS, {"id": outside})["worker"]["countryOfBirth"] is None

    done = api.data(CORRECT, {"input": {"workerId": inside, "countryOfBirth": "GN"}}, d11)["correctWorkerDetails"]
    assert done["worker"]["countryOfBirth"] == "GN"
