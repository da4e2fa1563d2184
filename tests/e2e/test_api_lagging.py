"""A recorded command is never reported as a failure, even when the read tables lag behind it."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.database import scratch_database
from tests.e2e.api_support import OPEN_UNIT, Api, serving

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


@pytest.fixture(scope="module")
def api(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A ledger with a country, projected; then ``hrh serve --no-projections``: the ledger records, and no
    runner brings the read tables up to date."""
    logs = Path(tmp_path_factory.mktemp("api_lagging"))
    with scratch_database(server_url, f"hrh_lag_{uuid.uuid4().hex[:10]}") as url:
        with serving(url, logs / "first.log", "--workers", "1") as first:
            unit = {"code": "ML", "name": "Mali", "level": "COUNTRY", "openedOn": "2015-01-01"}
            first.data(OPEN_UNIT, {"input": unit})
        with serving(url, logs / "serve.log", "--workers", "1", "--no-projections", degraded=True) as live:
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
