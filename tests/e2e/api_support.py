"""Helpers for the end-to-end API tests: a live ``hrh serve`` subprocess on a free port, against a scratch
database of its own, driven over HTTP with httpx, plus a small org tree and cadres built through the API itself.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from api.database import scratch_database

HRH = str(Path(sys.executable).with_name("hrh"))
OPENED = "2015-01-01"
NO_TOKEN = ""  # send no Authorization header (None means the admin token)
# Responses must never leak internals.
LEAKS = ("Traceback", "SELECT ", "INSERT ", "psycopg", "asyncpg", "sqlalchemy", 'File "/')

# The org tree: country ML, two regions, three districts, eight facilities (all opened in 2015).
TREE: list[tuple[str, str, str | None]] = [
    ("ML", "COUNTRY", None),
    ("ML-R1", "REGION", "ML"),
    ("ML-R2", "REGION", "ML"),
    ("ML-D11", "DISTRICT", "ML-R1"),
    ("ML-D12", "DISTRICT", "ML-R1"),
    ("ML-D21", "DISTRICT", "ML-R2"),
    ("F-111", "FACILITY", "ML-D11"),
    ("F-112", "FACILITY", "ML-D11"),
    ("F-113", "FACILITY", "ML-D11"),
    ("F-121", "FACILITY", "ML-D12"),
    ("F-122", "FACILITY", "ML-D12"),
    ("F-123", "FACILITY", "ML-D12"),
    ("F-211", "FACILITY", "ML-D21"),
    ("F-212", "FACILITY", "ML-D21"),
]
CADRES = [
    ("NURSE-RN", "Registered nurse", "2221", "NURSE", True),
    ("OTHER-CLEAN", "Cleaner", None, "OTHER", False),
]
# Regional populations for the planners' ten-year series.
POPULATION_YEARS = range(2015, 2025)

OPEN_UNIT = """
mutation Open($input: OpenOrgUnitInput!) {
  openOrgUnit(input: $input) { position orgUnit { code level parent { code } } }
}"""
DEFINE_CADRE = """
mutation Define($input: DefineCadreInput!) { defineCadre(input: $input) { position cadre { code qualified } } }"""
RECORD_POPULATION = """
mutation Pop($input: RecordPopulationInput!) { recordPopulation(input: $input) { position population } }"""
CREATE_USER = """
mutation User($input: CreateUserInput!) { createUser(input: $input) { name role scopeCode token } }"""

WORKER_FIELDS = """
  id status familyName
  facility { code }
  cadre { code }
  history {
    kind effectiveOn recordedAt recordedBy authority reason retracted backdated position
    fromFacility { code } toFacility { code }
  }
  trainings { course kind provider startedOn endedOn outcome }
"""
HIRE = f"""
mutation Hire($input: HireWorkerInput!) {{ hireWorker(input: $input) {{ position worker {{ {WORKER_FIELDS} }} }} }}"""
POST = f"""
mutation Post($input: PostWorkerInput!) {{ postWorker(input: $input) {{ position worker {{ {WORKER_FIELDS} }} }} }}"""
TRANSFER = """
mutation Transfer($input: TransferWorkerInput!) { transferWorker(input: $input) { position worker { id } } }"""
TRAINING = f"""
mutation Train($input: RecordTrainingInput!) {{
  recordTraining(input: $input) {{ position worker {{ {WORKER_FIELDS} }} }}
}}"""
START_LEAVE = """
mutation Leave($input: StartLeaveInput!) { startLeave(input: $input) { position worker { id status } } }"""
END_LEAVE = """
mutation Back($input: EndLeaveInput!) { endLeave(input: $input) { position worker { id status } } }"""
DEPART = f"""
mutation Depart($input: RecordDepartureInput!) {{
  recordDeparture(input: $input) {{ position worker {{ {WORKER_FIELDS} }} }}
}}"""
RETRACT = """
mutation Retract($input: RetractEventInput!) { retractEvent(input: $input) { position worker { id } } }"""
WORKER = f"query Worker($id: ID!) {{ worker(id: $id) {{ {WORKER_FIELDS} }} }}"
AUDIT = """
query Audit($workerId: ID, $recordedBy: String, $first: Int, $after: String) {
  auditTrail(workerId: $workerId, recordedBy: $recordedBy, first: $first, after: $after) {
    edges { cursor node { position aggregateId kind effectiveOn recordedAt recordedBy backdated retracted } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def hrh(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HRH, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False)


def errors_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    return list(body.get("errors") or [])


def codes_of(body: dict[str, Any]) -> list[str]:
    return [str((e.get("extensions") or {}).get("code")) for e in errors_of(body)]


@dataclass
class Api:
    """A live server, and the tokens of the users the tests created."""

    base: str
    database_url: str
    admin_token: str
    env: dict[str, str]
    client: httpx.Client
    tokens: dict[str, str] = field(default_factory=dict)

    def raw(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """POSTs to /graphql as ``token`` (None: the admin; NO_TOKEN: nobody), or with exactly ``headers``."""
        if headers is None:
            token = self.admin_token if token is None else token
            headers = {"Authorization": f"Bearer {token}"} if token != NO_TOKEN else {}
        response = self.client.post(
            f"{self.base}/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code < 500, response.text[:2000]
        for leak in LEAKS:
            assert leak not in response.text, f"{leak!r} leaked: {response.text[:2000]}"
        return response

    def post(self, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> dict[str, Any]:
        body = self.raw(query, variables, token).json()
        assert isinstance(body, dict), body
        for error in errors_of(body):
            code = (error.get("extensions") or {}).get("code")
            assert isinstance(code, str) and code.isupper() and code != "INTERNAL_SERVER_ERROR", body
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> dict[str, Any]:
        body = self.post(query, variables, token)
        assert not errors_of(body), body
        assert isinstance(body["data"], dict)
        return body["data"]

    def refused(self, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> str:
        """Sends a request that must be refused; returns the error code (all errors share it)."""
        body = self.post(query, variables, token)
        codes = codes_of(body)
        assert codes, f"expected an error: {body}"
        assert len(set(codes)) == 1, body
        assert all(e.get("message") for e in errors_of(body)), body
        return codes[0]

    def health(self) -> dict[str, Any]:
        response = self.client.get(f"{self.base}/healthz")
        assert response.status_code == 200, response.text
        body = response.json()
        assert isinstance(body, dict)
        return body

    def ledger_position(self) -> int:
        return int(self.health()["ledger_position"])

    def caught_up(self, position: int, token: str | None = None) -> None:
        query = "query Up($p: Int!) { caughtUp(position: $p, timeoutMs: 20000) }"
        assert self.data(query, {"p": position}, token)["caughtUp"] is True

    def create_user(self, name: str, role: str, scope: str | None = None) -> str:
        payload = self.data(CREATE_USER, {"input": {"name": name, "role": role, "scopeCode": scope}})["createUser"]
        assert (payload["name"], payload["role"], payload["scopeCode"]) == (name, role, scope)
        token = str(payload["token"])
        self.tokens[name] = token
        return token

    def hire(self, family_name: str, token: str | None = None, on: str = "2016-01-04", **extra: Any) -> dict[str, Any]:
        fields = {
            "familyName": family_name,
            "givenNames": "Awa",
            "sex": "FEMALE",
            "birthDate": "1990-05-17",
            "cadreCode": "NURSE-RN",
            "sector": "PUBLIC",
            "fundingSource": "STATE",
            "effectiveOn": on,
            **extra,
        }
        payload = self.data(HIRE, {"input": fields}, token)["hireWorker"]
        assert payload["worker"]["status"] == "HIRED"
        return dict(payload)

    def post_worker(self, worker_id: str, facility: str, on: str, token: str | None = None) -> dict[str, Any]:
        variables = {"input": {"workerId": worker_id, "facilityCode": facility, "effectiveOn": on}}
        return dict(self.data(POST, variables, token)["postWorker"])

    def transfer(self, worker_id: str, facility: str, on: str, token: str | None = None) -> int:
        variables = {"input": {"workerId": worker_id, "toFacilityCode": facility, "effectiveOn": on}}
        return int(self.data(TRANSFER, variables, token)["transferWorker"]["position"])

    def worker(self, worker_id: str, token: str | None = None) -> dict[str, Any]:
        found = self.data(WORKER, {"id": worker_id}, token)["worker"]
        assert found is not None
        return dict(found)

    def audit(self, token: str | None = None, **variables: Any) -> list[dict[str, Any]]:
        """Every audit entry matching ``variables``, paging through with keyset cursors."""
        entries: list[dict[str, Any]] = []
        after = None
        for _ in range(1000):
            page = self.data(AUDIT, {**variables, "after": after}, token)["auditTrail"]
            entries.extend(edge["node"] for edge in page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                return entries
            after = page["pageInfo"]["endCursor"]
        raise AssertionError("the audit trail never ended")


def build_tree(api: Api) -> None:
    """The org tree, cadres and populations, recorded through the API as ADMIN."""
    for code, level, parent in TREE:
        unit = {"code": code, "name": f"Unit {code}", "level": level, "parentCode": parent, "openedOn": OPENED}
        if level == "FACILITY":
            unit |= {"sector": "PUBLIC", "facilityKind": "CSCOM"}
        opened = api.data(OPEN_UNIT, {"input": unit})["openOrgUnit"]
        assert opened["orgUnit"]["code"] == code and opened["orgUnit"]["level"] == level
        assert (opened["orgUnit"]["parent"] or {}).get("code") == parent
    for code, name, isco08, group, qualified in CADRES:
        cadre = {"code": code, "name": name, "isco08": isco08, "group": group, "qualified": qualified}
        assert api.data(DEFINE_CADRE, {"input": cadre})["defineCadre"]["cadre"]["qualified"] is qualified
    for year in POPULATION_YEARS:
        for region, base in (("ML-R1", 100_000), ("ML-R2", 50_000)):
            population = {"orgUnitCode": region, "year": year, "population": base + 1_000 * (year - 2015)}
            api.data(RECORD_POPULATION, {"input": population})


@contextmanager
def live_server(server_url: str, tmp_path: Path, *, tree: bool = True) -> Iterator[Api]:
    """``hrh serve`` on a free port against a scratch database, with the tree built (unless not ``tree``); stopped
    afterwards."""
    with (
        scratch_database(server_url, f"hrh_api_{uuid.uuid4().hex[:10]}") as url,
        serving(url, tmp_path / "serve.log") as api,
    ):
        if tree:
            build_tree(api)
        yield api


@contextmanager
def serving(url: str, log: Path, *options: str, degraded: bool = False) -> Iterator[Api]:
    """``hrh serve`` (with ``options``) on a free port against ``url``, with an admin token of its own, until the
    block ends; its output goes to ``log``. It is ready once /healthz says ok, or, with ``degraded`` (a server
    without its runner), once it answers with the database up."""
    token = f"e2e-admin-{secrets.token_hex(16)}"
    env = {**os.environ, "DATABASE_URL": url, "HRH_ADMIN_TOKEN": token}
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [HRH, "serve", "--host", "127.0.0.1", "--port", str(port), *options],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            with httpx.Client(timeout=60) as client:
                api = Api(f"http://127.0.0.1:{port}", url, token, env, client)
                wait_until_healthy(api, process, log, degraded=degraded)
                yield api
        finally:
            stop(process)


def wait_until_healthy(api: Api, process: subprocess.Popen[bytes], log: Path, *, degraded: bool = False) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"hrh serve exited with {process.returncode}: {log.read_text()[-3000:]}")
        try:
            answer = api.client.get(f"{api.base}/healthz", timeout=2)
            if answer.status_code == 200 or (degraded and answer.json().get("database") == "ok"):
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"hrh serve did not become healthy: {log.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
