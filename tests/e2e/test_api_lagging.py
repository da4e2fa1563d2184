"""A recorded command is never reported as a failure, even when the read tables lag behind it."""

import os
import secrets
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from api.database import scratch_database
from tests.e2e.api_support import HRH, OPEN_UNIT, Api, free_port, stop

pytestmark = pytest.mark.integration

UP = "query Up($p: Int!) { caughtUp(position: $p, timeoutMs: 0) }"
HIRE = """
mutation Hire($input: HireWorkerInput!) {
  hireWorker(input: $input) { position caughtUp warning worker { id familyName status } }
}"""
DEFINE_CADRE = """
mutation Define($input: DefineCadreInput!) {
  defineCadre(input: $input) { position caughtUp warning cadre { code } }
}"""


@contextmanager
def serving(url: str, token: str, log_path: Path, *options: str) -> Iterator[Api]:
    env = {**os.environ, "DATABASE_URL": url, "HRH_ADMIN_TOKEN": token}
    port = free_port()
    with log_path.open("a") as log:
        process = subprocess.Popen(
            [HRH, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1", *options],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            with httpx.Client(timeout=60) as client:
                live = Api(f"http://127.0.0.1:{port}", url, token, env, client)
                deadline = time.monotonic() + 60
                while True:
                    assert process.poll() is None, log_path.read_text()
                    try:
                        live.raw("{ thresholds { name } }")
                        break
                    except httpx.TransportError:
                        assert time.monotonic() < deadline, log_path.read_text()
                        time.sleep(0.2)
                yield live
        finally:
            stop(process)


@pytest.fixture(scope="module")
def api(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A ledger with a country and a cadre, projected; then ``hrh serve --no-projections``: the ledger
    records, and no runner brings the read tables up to date."""
    log_path = Path(tmp_path_factory.mktemp("api_lagging")) / "serve.log"
    with scratch_database(server_url, f"hrh_lag_{uuid.uuid4().hex[:10]}") as url:
        token = f"e2e-admin-{secrets.token_hex(16)}"
        with serving(url, token, log_path) as first:
            unit = {"code": "ML", "name": "Mali", "level": "COUNTRY", "openedOn": "2015-01-01"}
            first.data(OPEN_UNIT, {"input": unit})
        with serving(url, token, log_path, "--no-projections") as live:
            yield live


def test_a_command_recorded_while_the_read_tables_lag_is_answered_as_recorded(api: Api) -> None:
    cadre = {"code": "MID", "name": "Sage-femme", "isco08": "2222", "group": "MIDWIFE", "qualified": True}
    defined = api.data(DEFINE_CADRE, {"input": cadre})["defineCadre"]
    assert defined["cadre"] == {"code": "MID"}
    assert defined["caughtUp"] is False and str(defined["position"]) in defined["warning"]

    region = {"code": "ML-R1", "name": "Kayes", "level": "REGION", "parentCode": "ML", "openedOn": "2015-01-01"}
    opened = api.data(OPEN_UNIT.replace("position", "position caughtUp warning"), {"input": region})["openOrgUnit"]
    assert (opened["orgUnit"]["code"], opened["orgUnit"]["level"]) == ("ML-R1", "REGION")
    assert opened["caughtUp"] is False

    fields = {
        "familyName": "Diallo",
        "givenNames": "Aminata",
        "sex": "FEMALE",
        "birthDate": "1990-05-17",
        "cadreCode": "MID",
        "sector": "PUBLIC",
        "fundingSource": "STATE",
        "effectiveOn": "2016-01-04",
        "commandId": "lagging-hire-1",
    }
    hired = api.data(HIRE, {"input": fields})["hireWorker"]
    # Recorded, said so, with its position and a warning; the worker read from the ledger itself.
    assert hired["caughtUp"] is False
    assert f"position {hired['position']}" in hired["warning"]
    assert hired["worker"]["familyName"] == "Diallo" and hired["worker"]["status"] == "HIRED"
    assert api.data(UP, {"p": hired["position"]})["caughtUp"] is False
    # The retry finds it recorded, once.
    assert api.data(HIRE, {"input": fields})["hireWorker"]["position"] == hired["position"]
