"""``hrh export dhis2`` from the command line, through typer's runner against a scratch database: the
document on standard output or in a file, the position on standard error, and errors with their code."""

import json
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner, Result

from api.cli import app
from api.database import ledger_env, scratch_database
from domain import commands as c
from domain.ledger import Ledger
from domain.values import Sex
from tests.integration.projection_support import catch_up
from tests.integration.test_projections import Recorder, hire_command, org_tree

pytestmark = pytest.mark.integration

SCHEMA = json.loads((Path(__file__).parents[1] / "exports" / "dhis2.schema.json").read_text(encoding="utf-8"))
MAPPING = """
idScheme: CODE
orgUnits: {ML: MLI, R1: MLI_R1}
dataValues:
  - figure: active
    dataElement: HRH_ACTIVE
  - figure: active
    dataElement: HRH_ACTIVE_SEX
    disaggregate: [sex]
    categoryOptionCombos: {FEMALE: F, MALE: M}
"""


@pytest.fixture(scope="module")
def url(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, f"hrh_dhis2_cli_{uuid.uuid4().hex[:10]}") as made:
        ledger = Ledger(env=ledger_env(made, POSTGRES_POOL_SIZE="2"))
        try:
            record = Recorder(ledger)
            org_tree(record)
            for n, facility in enumerate(("F1", "F3", "F4")):
                assert record(hire_command(date(2017, 3, 1 + n), "NURSE", Sex.FEMALE if n else Sex.MALE))
                worker = record.workers[-1]
                assert record(c.PostWorker(worker_id=worker, facility_code=facility, effective_on=date(2017, 3, 1 + n)))
            catch_up(made, ledger)
        finally:
            ledger.close()
        yield made


def hrh(url: str, *args: str) -> Result:
    return CliRunner().invoke(app, ["export", "dhis2", *args], env={"DATABASE_URL": url})


def test_the_document_goes_to_standard_output_and_the_position_to_standard_error(url: str, tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    done = hrh(url, "--period", "2017Q4", "--mapping", str(mapping))
    assert done.exit_code == 0, done.stderr
    document = json.loads(done.stdout)
    jsonschema.validate(document, SCHEMA)
    values = {
        (v["dataElement"], v["orgUnit"], v.get("categoryOptionCombo")): v["value"] for v in document["dataValues"]
    }
    assert values == {
        ("HRH_ACTIVE", "MLI", None): "3",
        ("HRH_ACTIVE", "MLI_R1", None): "2",
        ("HRH_ACTIVE_SEX", "MLI", "F"): "2",
        ("HRH_ACTIVE_SEX", "MLI", "M"): "1",
        ("HRH_ACTIVE_SEX", "MLI_R1", "F"): "1",
        ("HRH_ACTIVE_SEX", "MLI_R1", "M"): "1",
    }
    assert "reflects ledger position" in done.stderr and "hrh-dhis2-2017Q4-position-" in done.stderr


def test_the_document_goes_to_a_file(url: str, tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    out = tmp_path / "values.json"
    done = hrh(url, "--period", "201712", "--mapping", str(mapping), "-o", str(out), "--unit", "R1")
    assert done.exit_code == 0, done.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert {v["orgUnit"] for v in document["dataValues"]} == {"MLI_R1"}
    assert {v["period"] for v in document["dataValues"]} == {"201712"}


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--period", "2017-12"], "PERIOD_INVALID"),
        (["--period", "2017", "--mapping-text", "orgUnits: {ML: MLI}\ndataValues: [{figure: density, dataElement: E}]"],
         "MAPPING_UNKNOWN_FIGURE"),
        (["--period", "2017", "--user", "nobody"], "UNKNOWN_USER"),
        (["--period", "2017", "-o", "values.csv"], "FORMAT_UNSUPPORTED"),
        (["--period", "2017", "--changed-since", "yesterday"], "BAD_USER_INPUT"),
        (["--period", "2017", "--unit", "NOWHERE"], "NOT_FOUND"),
    ],
)  # fmt: skip
def test_errors_are_named_and_write_nothing(url: str, tmp_path: Path, args: list[str], code: str) -> None:
    mapping = tmp_path / "mapping.yaml"
    if "--mapping-text" in args:
        at = args.index("--mapping-text")
        mapping.write_text(args[at + 1], encoding="utf-8")
        args = args[:at] + args[at + 2 :]
    else:
        mapping.write_text(MAPPING, encoding="utf-8")
    args = [str(tmp_path / a) if a.endswith(".csv") else a for a in args]
    done = hrh(url, *args, "--mapping", str(mapping))
    assert done.exit_code == 1 and code in done.stderr, done.stderr
    assert done.stdout == ""
    assert not (tmp_path / "values.csv").exists()
