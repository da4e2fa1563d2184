"""``/fhir/<Type>`` and ``/fhir/_history?_since=`` on a live ``hrh serve``: the same resources as ``hrh export
fhir``, as searchset and history Bundles that parse with fhir.resources' R4B models, behind the token rules of
/graphql (no token: 401; a planner: 403), refusals as OperationOutcomes carrying our codes."""

import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

from tests.e2e.api_support import HRH, Api, live_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def api(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with live_server(server_url, tmp_path_factory.mktemp("fhir_endpoint")) as live:
        awa = live.hire("Traoré", on="2016-01-04")["worker"]["id"]
        live.post_worker(awa, "F-111", "2016-01-05")
        live.caught_up(live.ledger_position())
        yield live


def get(api: Api, path: str, token: str | None = "admin", **params: str) -> Any:
    headers = {} if token is None else {"Authorization": f"Bearer {api.admin_token if token == 'admin' else token}"}
    return api.client.get(api.base + path, params=params, headers=headers)


def test_each_type_is_a_searchset_of_the_exported_resources(api: Api) -> None:
    exported = subprocess.run([HRH, "export", "fhir"], env=api.env, capture_output=True, timeout=300)
    assert exported.returncode == 0, exported.stderr
    everything = json.loads(exported.stdout)
    for kind in ("Location", "Organization", "Practitioner", "PractitionerRole"):
        answer = get(api, f"/fhir/{kind}")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/fhir+json")
        bundle = answer.json()
        Bundle.model_validate(bundle)
        wanted = [e["resource"] for e in everything["entry"] if e["resource"]["resourceType"] == kind]
        assert bundle["type"] == "searchset" and bundle["total"] == len(wanted) > 0
        assert [e["resource"] for e in bundle["entry"]] == wanted
        assert answer.headers["x-ledger-position"] == everything["identifier"]["value"]


def test_the_history_gives_what_changed_since(api: Api) -> None:
    since = datetime.now(UTC).isoformat()
    bina = api.hire("Diallo", on="2016-02-01")["worker"]["id"]
    api.post_worker(bina, "F-121", "2016-02-02")
    api.caught_up(api.ledger_position())
    answer = get(api, "/fhir/_history", _since=since)
    assert answer.status_code == 200, answer.text
    feed = answer.json()
    Bundle.model_validate(feed)
    assert feed["type"] == "history"
    puts = {e["request"]["url"] for e in feed["entry"]}
    assert f"Practitioner/{bina}" in puts and sum(u.startswith("Practitioner/") for u in puts) == 1


def test_refusals_are_operation_outcomes_with_our_codes(api: Api) -> None:
    planner = api.create_user("planif.fhir", "PLANNER")
    for path, token, params, status, code in (
        ("/fhir/Practitioner", None, {}, 401, "UNAUTHENTICATED"),
        ("/fhir/Practitioner", planner, {}, 403, "FORBIDDEN"),
        ("/fhir/Patient", "admin", {}, 404, "NOT_FOUND"),
        ("/fhir/_history", "admin", {"_since": "yesterday"}, 400, "BAD_USER_INPUT"),
    ):
        answer = get(api, path, token, **params)
        assert answer.status_code == status, (path, answer.text)
        found = OperationOutcome.model_validate(answer.json())
        assert found.issue[0].details.coding[0].code == code
