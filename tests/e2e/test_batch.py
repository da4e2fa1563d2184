"""Offline district batches over HTTP (issue 18 §2): ``submitBatch`` and ``POST /api/batch`` against a live server.

Each command is answered in order: ACCEPTED with its position, DUPLICATE with the first result, REFUSED with a
code and a message, CONFLICT with the worker as they are now. A batch cut off halfway and sent again gives each
command the same answer as the first time.
"""

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.api_support import Api, codes_of, live_server

pytestmark = pytest.mark.integration

D11 = "Aminata Diallo (HR D11)"
PLANNER = "Oumar Sow (planner)"
RESULT = """index mutation commandId status position code message
  worker { id status facility { code } cadre { code } } orgUnit { code }"""
SUBMIT = f"""
mutation Batch($input: SubmitBatchInput!) {{ submitBatch(input: $input) {{ position results {{ {RESULT} }} }} }}"""


@pytest.fixture(scope="module")
def api(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with live_server(server_url, tmp_path_factory.mktemp("batch")) as live:
        live.create_user(D11, "HR_MANAGER", "ML-D11")
        live.create_user(PLANNER, "PLANNER")
        yield live


def posted(api: Api, name: str, facility: str = "F-111") -> str:
    """A worker hired and posted at ``facility`` (as ADMIN); their id."""
    worker_id = str(api.hire(name)["worker"]["id"])
    api.post_worker(worker_id, facility, "2016-02-01")
    return worker_id


def cid() -> str:
    return f"laptop-d11-{uuid.uuid4().hex[:12]}"


def transfer(worker_id: str, to: str, on: str, **extra: Any) -> dict[str, Any]:
    return {
        "transferWorker": {"workerId": worker_id, "toFacilityCode": to, "effectiveOn": on, "commandId": cid()} | extra
    }


def submit(api: Api, commands: list[dict[str, Any]], token: str | None = None) -> dict[str, Any]:
    return dict(api.data(SUBMIT, {"input": {"commands": commands}}, token)["submitBatch"])


def test_each_command_is_answered_in_order_and_a_refused_one_does_not_stop_the_batch(api: Api) -> None:
    token = api.tokens[D11]
    moving, leaving, gone = posted(api, "Traoré"), posted(api, "Keïta"), posted(api, "Sangaré")
    outside = posted(api, "Sidibé", "F-211")
    depart = {"workerId": gone, "reason": "RESIGNATION", "effectiveOn": "2016-06-01", "commandId": cid()}
    api.data(
        "mutation D($input: RecordDepartureInput!) { recordDeparture(input: $input) { position } }",
        {"input": depart},
    )
    commands = [
        transfer(moving, "F-112", "2016-03-01", expectedFromFacilityCode="F-111"),
        {"startLeave": {"workerId": leaving, "kind": "STUDY", "effectiveOn": "2016-04-01"}},  # no commandId
        transfer(gone, "F-113", "2016-07-01"),  # departed
        transfer(outside, "F-111", "2016-08-01"),  # a worker outside the manager's scope
        {
            "openOrgUnit": {
                "code": "F-119",
                "name": "CSCom",
                "level": "FACILITY",
                "parentCode": "ML-D11",
                "openedOn": "2016-01-01",
                "commandId": cid(),
            }
        },  # an ADMIN's mutation
        transfer(moving, "F-113", "2016-09-01", expectedFromFacilityCode="F-111"),  # moved to F-112 meanwhile
        {"startLeave": {"workerId": leaving, "kind": "STUDY", "effectiveOn": "2016-04-01", "commandId": cid()}},
    ]
    before = api.ledger_position()
    answer = submit(api, commands, token)
    results = answer["results"]
    assert [r["index"] for r in results] == list(range(len(commands)))
    assert [r["status"] for r in results] == [
        "ACCEPTED",
        "REFUSED",
        "REFUSED",
        "REFUSED",
        "REFUSED",
        "CONFLICT",
        "ACCEPTED",
    ]
    assert [r["code"] for r in results] == [
        None,
        "BAD_USER_INPUT",
        "WORKER_DEPARTED",
        "FORBIDDEN",
        "FORBIDDEN",
        "CONFLICT",
        None,
    ]
    assert all(r["message"] for r in results if r["status"] in ("REFUSED", "CONFLICT"))
    assert "commandId" in results[1]["message"]
    assert [r["mutation"] for r in results][:2] == ["transferWorker", "startLeave"]
    assert [r["commandId"] for r in results] == [next(iter(c.values())).get("commandId") for c in commands]
    accepted, conflict, leave = results[0], results[5], results[6]
    assert accepted["worker"] == {
        "id": moving,
        "status": "POSTED",
        "facility": {"code": "F-112"},
        "cadre": {"code": "NURSE-RN"},
    }
    assert before < accepted["position"] < leave["position"] <= answer["position"]
    assert (leave["worker"]["id"], leave["worker"]["status"]) == (leaving, "ON_LEAVE")
    # The conflict shows the worker as they are now, and records nothing.
    assert conflict["position"] is None and conflict["worker"]["facility"] == {"code": "F-112"}
    assert api.worker(moving)["facility"] == {"code": "F-112"}
    # Only the accepted transfer is in the worker's history; the refused and conflicting commands wrote nothing.
    history = [e for e in api.audit(workerId=moving) if e["position"] > before]
    assert [e["kind"] for e in history] == ["TRANSFERRED"]
    assert answer["position"] == api.ledger_position()


def district_batch(workers: list[str]) -> list[dict[str, Any]]:
    """Four transfers, one that conflicts with the first of them, and one without a commandId."""
    commands = [transfer(w, "F-113", "2016-05-02", expectedFromFacilityCode="F-111") for w in workers]
    commands.append(transfer(workers[0], "F-112", "2016-06-01", expectedFromFacilityCode="F-111"))
    commands.append({"startLeave": {"workerId": workers[1], "kind": "STUDY", "effectiveOn": "2016-03-01"}})
    return commands


def test_a_batch_cut_off_halfway_and_sent_again_gives_each_command_the_same_answer(api: Api) -> None:
    token = api.tokens[D11]
    uncut = submit(api, district_batch([posted(api, f"Coulibaly {n}") for n in range(4)]), token)["results"]
    statuses = ["ACCEPTED"] * 4 + ["CONFLICT", "REFUSED"]
    assert [r["status"] for r in uncut] == statuses
    # The same batch on other workers, cut off after three commands, then sent again whole.
    commands = district_batch([posted(api, f"Dembélé {n}") for n in range(4)])
    half = submit(api, commands[:3], token)["results"]
    resent = submit(api, commands, token)["results"]
    assert [r["status"] for r in half] == ["ACCEPTED"] * 3
    assert [r["status"] for r in resent] == ["DUPLICATE"] * 3 + statuses[3:]
    for first, second in zip(half, resent[:3], strict=True):
        assert second == {**first, "status": "DUPLICATE"}  # the first result, position and worker included
    assert [r["code"] for r in resent] == [r["code"] for r in uncut] == [None] * 4 + ["CONFLICT", "BAD_USER_INPUT"]
    assert resent[3]["position"] > resent[2]["position"]
    assert resent[4]["worker"]["facility"] == {"code": "F-113"}
    # Sent once more: every recorded command is a duplicate with its first position; the rest answer as before.
    twice = submit(api, commands, token)["results"]
    assert [r["status"] for r in twice] == ["DUPLICATE"] * 4 + statuses[4:]
    assert [r["position"] for r in twice] == [r["position"] for r in resent]


def test_a_batch_over_the_limit_is_refused_whole_and_records_nothing(api: Api) -> None:
    worker_id = posted(api, "Diarra")
    commands = [
        {"endLeave": {"workerId": worker_id, "effectiveOn": "2016-03-01", "commandId": cid()}} for _ in range(1001)
    ]
    commands[0] = {
        "startLeave": {"workerId": worker_id, "kind": "STUDY", "effectiveOn": "2016-02-15", "commandId": cid()}
    }
    before = api.ledger_position()
    body = api.post(SUBMIT, {"input": {"commands": commands}})
    assert codes_of(body) == ["BATCH_TOO_LARGE"] and body["data"] is None
    assert "1001" in body["errors"][0]["message"] and "1000" in body["errors"][0]["message"]
    assert api.ledger_position() == before
    assert submit(api, commands[:1000])["results"][1]["status"] == "ACCEPTED"


def test_a_planner_may_not_send_a_batch_and_a_command_must_name_one_mutation(api: Api) -> None:
    worker_id = posted(api, "Touré")
    command = transfer(worker_id, "F-112", "2016-03-01")
    assert api.refused(SUBMIT, {"input": {"commands": [command]}}, api.tokens[PLANNER]) == "FORBIDDEN"
    both = {**command, "endLeave": {"workerId": worker_id, "effectiveOn": "2016-03-01", "commandId": cid()}}
    before = api.ledger_position()
    # GraphQL's own check of a one-of input: the whole request is refused, nothing runs.
    body = api.post(SUBMIT, {"input": {"commands": [command, both]}})
    assert codes_of(body) == ["GRAPHQL_VALIDATION_FAILED"] and "exactly one key" in body["errors"][0]["message"]
    assert api.ledger_position() == before


def post_json(api: Api, body: Any, token: str | None = None, *, raw: bytes | None = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {api.admin_token if token is None else token}"} if token != "" else {}
    if raw is not None:
        response = api.client.post(f"{api.base}/api/batch", content=raw, headers=headers)
    else:
        response = api.client.post(f"{api.base}/api/batch", json=body, headers=headers)
    assert "Traceback" not in response.text
    return response.status_code, response.json()


def test_the_json_endpoint_gives_the_same_answers_and_the_ledger_position(api: Api) -> None:
    token = api.tokens[D11]
    worker_id = posted(api, "Konaté")
    command_id = cid()
    batch = {
        "commands": [
            {
                "mutation": "transferWorker",
                "input": {
                    "workerId": worker_id,
                    "toFacilityCode": "F-112",
                    "effectiveOn": "2016-03-01",
                    "commandId": command_id,
                },
            },
            {
                "mutation": "transferWorker",
                "input": {
                    "workerId": worker_id,
                    "toFacilityCode": "F-113",
                    "effectiveOn": "2016-04-01",
                    "expectedFromFacilityCode": "F-111",
                    "commandId": cid(),
                },
            },
        ]
    }
    status, answer = post_json(api, batch, token)
    assert status == 200, answer
    first, conflict = answer["results"]
    assert (first["status"], first["worker"]["facility"]) == ("ACCEPTED", {"code": "F-112"})
    assert (conflict["status"], conflict["code"], conflict["worker"]["facility"]) == (
        "CONFLICT",
        "CONFLICT",
        {"code": "F-112"},
    )
    assert answer["position"] >= first["position"] and answer["position"] == api.ledger_position()
    # The same command over GraphQL is the same command: a duplicate, with the first position.
    graphql = submit(api, [transfer(worker_id, "F-112", "2016-03-01") | {}], token)  # a new id: refused
    assert graphql["results"][0]["code"] == "SAME_FACILITY"
    again = {
        "transferWorker": {
            "workerId": worker_id,
            "toFacilityCode": "F-112",
            "effectiveOn": "2016-03-01",
            "commandId": command_id,
        }
    }
    duplicate = submit(api, [again], token)["results"][0]
    assert (duplicate["status"], duplicate["position"]) == ("DUPLICATE", first["position"])


@pytest.mark.parametrize(
    ("raw", "code", "status"),
    [
        (b"{not json", "BAD_USER_INPUT", 400),
        (b'"commands"', "BAD_USER_INPUT", 400),
        (b'{"commands": [{"mutation": "dropTables", "input": {}}]}', "BAD_USER_INPUT", 400),
        (b'{"commands": [{"mutation": "transferWorker"}]}', "BAD_USER_INPUT", 400),
        (b'{"commands": [{"mutation": "transferWorker", "input": {"workerId": 3}}]}', "BAD_USER_INPUT", 400),
    ],
)
def test_the_json_endpoint_refuses_a_body_that_is_not_a_batch(api: Api, raw: bytes, code: str, status: int) -> None:
    before = api.ledger_position()
    got, body = post_json(api, None, raw=raw)
    assert got == status and [e["extensions"]["code"] for e in body["errors"]] == [code], body
    assert body["errors"][0]["message"]
    assert api.ledger_position() == before


def test_the_json_endpoint_needs_a_writer_s_token(api: Api) -> None:
    batch = {"commands": []}
    assert post_json(api, batch, "")[0] == 401
    assert post_json(api, batch, "not-a-token")[0] == 401
    status, body = post_json(api, batch, api.tokens[PLANNER])
    assert status == 403 and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert post_json(api, batch)[1]["results"] == []


DOCS = Path(__file__).resolve().parents[2] / "docs" / "import.md"


def blocks(language: str) -> list[str]:
    """The ``language`` code blocks of the "Offline batches" section of docs/import.md, in order."""
    section = DOCS.read_text(encoding="utf-8").split("## Offline batches", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.DOTALL)


def test_the_examples_of_the_docs_run_as_written(api: Api) -> None:
    worker_id = posted(api, "Maïga")
    batch, shown = (json.loads(block.replace("<worker id>", worker_id)) for block in blocks("json"))
    status, answer = post_json(api, batch, api.tokens[D11])
    assert status == 200, answer
    results = answer["results"]
    for got, expected in zip(results, shown["results"], strict=True):
        assert {k: v for k, v in got.items() if k != "position"} == {
            k: v for k, v in expected.items() if k != "position"
        }
    (document,) = blocks("graphql")
    again = api.data(document.replace("<worker id>", worker_id), token=api.tokens[D11])["submitBatch"]["results"]
    assert [r["status"] for r in again] == ["DUPLICATE", "ACCEPTED", "CONFLICT"]
    assert again[0]["position"] == results[0]["position"]
    assert again[2]["code"] == "CONFLICT" and again[2]["worker"]["facility"] == {"code": "F-112"}
    assert "F-111" in again[2]["message"] and "F-112" in again[2]["message"]
