"""An HR manager acts and reads only inside their part of the tree (DESIGN, "Who may do what"), over HTTP.

Each test is a finding of the trust probe. The tree is the small one of ``api_support`` plus a district that
changes region, as Ménaka left Gao in 2016: ML-D13 lies under ML-R1 in 2015 and under ML-R2 from 2016.
``R1`` manages ML-R1; ``D11`` manages ML-D11.
"""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.api_support import (
    HIRE,
    OPEN_UNIT,
    POST,
    RETRACT,
    START_LEAVE,
    TRAINING,
    TRANSFER,
    WORKER,
    Api,
    live_server,
)

pytestmark = pytest.mark.integration

R1 = "Oumar Maiga (HR R1)"
D11 = "Kadia Coulibaly (HR D11)"
MOVE_UNIT = "mutation($i: MoveOrgUnitInput!) { moveOrgUnit(input: $i) { position } }"
PERSONAL = "id restricted familyName givenNames civilServiceNumber birthDate facility { code } history { kind }"
ROSTER = f"""
query Roster($unit: String!, $day: Date!) {{
  workers(orgUnitCode: $unit, asOf: $day, first: 500) {{ totalCount edges {{ node {{ {PERSONAL} }} }} }}
}}"""
TRANSFER_PERSONAL = f"""
mutation($input: TransferWorkerInput!) {{
  transferWorker(input: $input) {{ position caughtUp worker {{ {PERSONAL} }} }}
}}"""


@pytest.fixture(scope="module")
def api(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with live_server(server_url, tmp_path_factory.mktemp("api_scope")) as live:
        district = {
            "code": "ML-D13",
            "name": "Ménaka",
            "level": "DISTRICT",
            "parentCode": "ML-R1",
            "openedOn": "2015-01-01",
        }
        facility = {
            "code": "F-131",
            "name": "CSRéf Ménaka",
            "level": "FACILITY",
            "parentCode": "ML-D13",
            "openedOn": "2015-01-01",
            "sector": "PUBLIC",
            "facilityKind": "CSREF",
        }
        live.data(OPEN_UNIT, {"input": district})
        live.data(OPEN_UNIT, {"input": facility})
        live.data(MOVE_UNIT, {"i": {"code": "ML-D13", "newParentCode": "ML-R2", "effectiveOn": "2016-01-01"}})
        live.create_user(R1, "HR_MANAGER", "ML-R1")
        live.create_user(D11, "HR_MANAGER", "ML-D11")
        yield live


def hire_at(api: Api, name: str, facility: str, on: str, token: str | None = None, **extra: Any) -> str:
    worker_id = str(api.hire(name, token, on=on, **extra)["worker"]["id"])
    api.post_worker(worker_id, facility, on, token)
    return worker_id


def refused_writing_nothing(api: Api, query: str, variables: dict[str, Any], token: str) -> tuple[str, str]:
    """Sends a command that must be refused; checks the ledger did not move; returns (code, response text)."""
    before = api.ledger_position()
    response = api.raw(query, variables, token)
    body = response.json()
    codes = {e["extensions"]["code"] for e in body["errors"]}
    assert len(codes) == 1, body
    assert api.ledger_position() == before
    return codes.pop(), response.text


def test_a_backdated_transfer_cannot_bring_a_worker_from_outside_the_scope(api: Api) -> None:
    # Hired in Ménaka in 2015, when Ménaka lay inside R1; Ménaka has been in R2 since 2016.
    worker = hire_at(api, "Ag Ahmed", "F-131", "2015-02-02")
    r1 = api.tokens[R1]
    assert api.refused(WORKER, {"id": worker}, r1) == "FORBIDDEN"

    # The facility on the effective date was R1's, but the worker is not R1's now.
    transfer = {"input": {"workerId": worker, "toFacilityCode": "F-111", "effectiveOn": "2015-06-01"}}
    code, text = refused_writing_nothing(api, TRANSFER, transfer, r1)
    assert code == "FORBIDDEN"
    assert "F-131" not in text and "Ag Ahmed" not in text
    assert api.refused(WORKER, {"id": worker}, r1) == "FORBIDDEN"
    assert api.worker(worker)["facility"] == {"code": "F-131"}


def test_a_backdated_leave_cannot_reach_a_worker_now_outside_the_scope(api: Api) -> None:
    worker = hire_at(api, "Walet Mohamed", "F-131", "2015-02-02")
    leave = {"input": {"workerId": worker, "kind": "SICK", "effectiveOn": "2015-03-02"}}
    code, _ = refused_writing_nothing(api, START_LEAVE, leave, api.tokens[R1])
    assert code == "FORBIDDEN"
    assert api.worker(worker)["status"] == "POSTED"


def test_a_backdated_training_neither_records_nor_reveals_a_worker_outside_the_scope(api: Api) -> None:
    worker = hire_at(api, "Haidara", "F-131", "2015-02-02", civilServiceNumber="CSN-SCOPE-9001")
    course = {"input": {"workerId": worker, "course": "PCIME", "startedOn": "2015-04-01"}}
    code, text = refused_writing_nothing(api, TRAINING, course, api.tokens[R1])
    assert code == "FORBIDDEN"
    assert "Haidara" not in text and "CSN-SCOPE-9001" not in text


def test_a_retraction_must_leave_the_worker_inside_the_scope(api: Api) -> None:
    d11 = api.tokens[D11]
    # Brought from D12 into D11 by the ministry; D11's manager may not send them back out by a retraction.
    worker = hire_at(api, "Traore", "F-121", "2016-01-04")
    brought = api.transfer(worker, "F-111", "2017-01-02")
    api.caught_up(brought)
    assert api.worker(worker, d11)["facility"] == {"code": "F-111"}
    retraction = {"input": {"workerId": worker, "position": brought, "reason": "wrong worker"}}
    code, _ = refused_writing_nothing(api, RETRACT, retraction, d11)
    assert code == "FORBIDDEN"
    assert api.worker(worker, d11)["facility"] == {"code": "F-111"}

    # A move inside D11 may be retracted by them: the worker stays in their scope.
    inside = api.transfer(worker, "F-112", "2018-01-02", d11)
    undone = api.data(RETRACT, {"input": {"workerId": worker, "position": inside, "reason": "typo"}}, d11)
    api.caught_up(undone["retractEvent"]["position"])
    assert api.worker(worker, d11)["facility"] == {"code": "F-111"}


def test_a_past_roster_lists_everyone_but_shows_personal_data_only_for_workers_in_scope_now(api: Api) -> None:
    r1 = api.tokens[R1]
    left = hire_at(api, "Ag Assarid", "F-131", "2015-02-02", civilServiceNumber="CSN-SCOPE-9002")
    stayed = hire_at(api, "Maiga", "F-131", "2015-02-02")
    api.caught_up(api.transfer(stayed, "F-112", "2015-09-01"))  # back into R1 before the split

    day = "2015-06-01"
    roster = api.data(ROSTER, {"unit": "ML-D13", "day": day}, r1)["workers"]
    nodes = {edge["node"]["id"]: edge["node"] for edge in roster["edges"]}
    assert {left, stayed} <= nodes.keys()
    headcount = api.data('query($d: Date!) { staffing(orgUnitCode: "ML-D13", asOf: $d) { headcount } }', {"d": day})
    assert roster["totalCount"] == len(nodes) == headcount["staffing"]["headcount"]

    # Now outside R1: listed, nothing personal.
    assert nodes[left] == {
        "id": left,
        "restricted": True,
        "familyName": "",
        "givenNames": "",
        "civilServiceNumber": None,
        "birthDate": None,
        "facility": None,
        "history": [],
    }
    # Now inside R1: all of it (the facility as of the roster's date).
    assert nodes[stayed]["restricted"] is False
    assert nodes[stayed]["familyName"] == "Maiga" and nodes[stayed]["facility"] == {"code": "F-131"}
    # The same roster read by the ministry shows everyone.
    everyone = api.data(ROSTER, {"unit": "ML-D13", "day": day})["workers"]["edges"]
    assert {e["node"]["id"]: e["node"]["familyName"] for e in everyone}[left] == "Ag Assarid"


def test_a_payload_shows_personal_data_only_where_the_caller_may_read_it(api: Api) -> None:
    d11 = api.tokens[D11]
    worker = hire_at(api, "Konate", "F-111", "2016-01-04", d11, civilServiceNumber="CSN-SCOPE-9003")
    # Sent away to another region: the transfer is D11's to make, the worker is no longer theirs to read.
    away = {"input": {"workerId": worker, "toFacilityCode": "F-211", "effectiveOn": "2019-01-02"}}
    payload = api.data(TRANSFER_PERSONAL, away, d11)["transferWorker"]
    assert payload["caughtUp"] is True
    assert payload["worker"]["restricted"] is True
    assert payload["worker"]["familyName"] == "" and payload["worker"]["civilServiceNumber"] is None
    assert api.refused(WORKER, {"id": worker}, d11) == "FORBIDDEN"


def test_a_taken_civil_service_number_is_refused_without_naming_its_holder(api: Api) -> None:
    holder = hire_at(api, "Sangare", "F-211", "2016-01-04", civilServiceNumber="CSN-SCOPE-9004")
    fields = {
        "familyName": "Doumbia",
        "givenNames": "Ami",
        "sex": "FEMALE",
        "birthDate": "1991-02-03",
        "cadreCode": "NURSE-RN",
        "sector": "PUBLIC",
        "fundingSource": "STATE",
        "effectiveOn": "2016-02-01",
        "civilServiceNumber": "CSN-SCOPE-9004",
    }
    code, text = refused_writing_nothing(api, HIRE, {"input": fields}, api.tokens[D11])
    assert code == "DUPLICATE_CIVIL_SERVICE_NUMBER"
    assert holder not in text and "Sangare" not in text


def test_refusals_give_the_real_reason_in_design_order(api: Api) -> None:
    d11 = api.tokens[D11]
    mine = hire_at(api, "Keita", "F-111", "2016-01-04", d11)
    theirs = hire_at(api, "Dembele", "F-211", "2016-01-04")

    # An unknown facility is NOT_FOUND for everyone, in scope or not.
    for worker in (mine, theirs):
        unknown = {"input": {"workerId": worker, "toFacilityCode": "F-NOPE", "effectiveOn": "2017-01-02"}}
        assert refused_writing_nothing(api, TRANSFER, unknown, d11)[0] == "NOT_FOUND"
    hired = str(api.hire("Cisse", d11, on="2016-01-04")["worker"]["id"])
    nowhere = {"input": {"workerId": hired, "facilityCode": "F-NOPE", "effectiveOn": "2016-02-01"}}
    assert refused_writing_nothing(api, POST, nowhere, d11)[0] == "NOT_FOUND"

    # A departed worker in scope gets the domain's reason; one outside the scope learns nothing.
    for worker in (mine, theirs):
        departure = {"workerId": worker, "reason": "RESIGNATION", "effectiveOn": "2018-01-02"}
        api.data("mutation($i: RecordDepartureInput!) { recordDeparture(input: $i) { position } }", {"i": departure})
    mine_again = {"input": {"workerId": mine, "toFacilityCode": "F-112", "effectiveOn": "2019-01-02"}}
    assert refused_writing_nothing(api, TRANSFER, mine_again, d11)[0] == "WORKER_DEPARTED"
    theirs_again = {"input": {"workerId": theirs, "toFacilityCode": "F-112", "effectiveOn": "2019-01-02"}}
    assert refused_writing_nothing(api, TRANSFER, theirs_again, d11)[0] == "FORBIDDEN"


def test_a_command_id_belongs_to_the_user_who_sent_it(api: Api) -> None:
    d11 = api.tokens[D11]
    fields = {
        "givenNames": "Awa",
        "sex": "FEMALE",
        "birthDate": "1990-05-17",
        "cadreCode": "NURSE-RN",
        "sector": "PUBLIC",
        "fundingSource": "STATE",
        "effectiveOn": "2016-01-04",
        "commandId": "hire-2016-001",
    }
    query = "mutation($input: HireWorkerInput!) { hireWorker(input: $input) { position worker { id familyName } } }"
    theirs = api.data(query, {"input": {**fields, "familyName": "Toure"}})["hireWorker"]
    # The same id from another user is another command: not refused, not answered with the first user's worker.
    mine = api.data(query, {"input": {**fields, "familyName": "Fofana"}}, d11)["hireWorker"]
    assert mine["worker"]["id"] != theirs["worker"]["id"] and mine["position"] > theirs["position"]
    # Each user's retry still returns their own first result, and each id still means one command per user.
    assert api.data(query, {"input": {**fields, "familyName": "Toure"}})["hireWorker"] == theirs
    assert api.data(query, {"input": {**fields, "familyName": "Fofana"}}, d11)["hireWorker"] == mine
    assert api.refused(query, {"input": {**fields, "familyName": "Toure"}}, d11) == "DUPLICATE_COMMAND_ID"
