"""``hrh import`` end to end: a workbook generated here with openpyxl, read by the reader, checked and recorded
by the engine, through typer's runner against a scratch database; the summary, every error in the chosen
language, the errors file (CSV, or the workbook annotated), the exit status, and the figures GraphQL then gives."""

import asyncio
import csv
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import openpyxl
import pytest
from typer.testing import CliRunner, Result

from api.access import Role, User
from api.cli import app
from api.database import ledger_env, scratch_database
from api.graphql.context import Services
from api.operations import execute
from api.projecting import Projected
from domain.ledger import Ledger
from projections.store import Target
from tests.integration.projection_support import catch_up
from tests.integration.test_projections import Recorder, org_tree

pytestmark = pytest.mark.integration

HIRES = ["civilServiceNumber", "familyName", "givenNames", "sex", "cadreCode", "sector", "fundingSource", "effectiveOn"]
POSTINGS = ["civilServiceNumber", "facilityCode", "effectiveOn"]
STAFFING = """
query Figures($code: String!, $asOf: Date) {
  staffing(orgUnitCode: $code, asOf: $asOf) { headcount }
  workers(orgUnitCode: $code, asOf: $asOf, first: 100) { edges { node { familyName } } }
}"""


@pytest.fixture
def url(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, f"hrh_import_cli_{uuid.uuid4().hex[:10]}") as made:
        ledger = Ledger(env=ledger_env(made, POSTGRES_POOL_SIZE="2"))
        try:
            org_tree(Recorder(ledger))
        finally:
            ledger.close()
        yield made


def workbook(path: Path, hires: list[list[Any]], postings: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    for title, names, rows in (("hireWorker", HIRES, hires), ("postWorker", POSTINGS, postings)):
        sheet = book.create_sheet(title)
        sheet.append(names)
        sheet.append([f"libellé {n}" for n in names])  # row 2: the labels, not read
        for row in rows:
            sheet.append(row)
    book.remove(book["Sheet"])
    book.save(path)
    return path


def hrh(url: str, *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"DATABASE_URL": url})


def figures(url: str, code: str, day: str) -> dict[str, Any]:
    ledger = Ledger(env=ledger_env(url, POSTGRES_POOL_SIZE="2"))
    try:
        catch_up(url, ledger)

        async def ask() -> Any:
            pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
            try:
                schema = Target.of_ledger().schema
                services = Services(
                    pool=pool, ledger=ledger, schema=schema, admin_token=None, projected=Projected(url, schema)
                )
                return await execute(services, User("cli", Role.ADMIN), STAFFING, {"code": code, "asOf": day})
            finally:
                await pool.close()

        return dict(asyncio.run(ask()))
    finally:
        ledger.close()


def test_a_workbook_is_imported_its_errors_listed_in_french_and_written_and_a_second_import_records_nothing(
    url: str, tmp_path: Path
) -> None:
    hires = [
        ["MLI-1", "Ségou ", "Awa", "FEMALE", "NURSE", "PUBLIC", "STATE", "01/03/2021"],  # a trailing space, day first
        ["MLI-2", "Diarra", "Moussa", "MALE", "MIDWIFE", "PUBLIC", "STATE", date(2021, 3, 2)],  # a date cell
    ]
    postings = [["MLI-1", "F1", "2021-03-01"], ["MLI-2", "F9", "2021-03-02"]]  # F9 is no facility
    path = workbook(tmp_path / "clerk.xlsx", hires, postings)
    listed = tmp_path / "errors.csv"

    done = hrh(url, "import", str(path), "--errors", str(listed))

    assert done.exit_code == 1, done.output
    assert "4 rows read: 3 recorded, 0 already recorded, 1 refused" in done.stdout
    assert "postWorker row 4, facilityCode = 'F9': NOT_FOUND:" in done.stdout
    with listed.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(r["sheet"], r["row"], r["column"], r["value"], r["code"]) for r in rows] == [
        ("postWorker", "4", "facilityCode", "F9", "NOT_FOUND")
    ]
    assert "F9" in rows[0]["message"] and "There is no" not in rows[0]["message"]  # said in French
    answer = figures(url, "F1", "2021-03-05")
    assert answer["staffing"]["headcount"] == 1
    assert [e["node"]["familyName"] for e in answer["workers"]["edges"]] == ["Ségou"]

    # The same file again: nothing new; the refused row is refused again.
    again = hrh(url, "import", str(path), "--lang", "en")
    assert again.exit_code == 1
    assert "4 rows read: 0 recorded, 3 already recorded, 1 refused" in again.stdout
    assert "There is no org unit with code 'F9'" in again.stdout


def test_a_dry_run_writes_nothing_and_an_annotated_copy_shows_each_rows_errors(url: str, tmp_path: Path) -> None:
    hires = [["MLI-1", "Keita", "Awa", "FEMALE", "NURSE", "PUBLIC", "STATE", "2021-03-01"]]
    postings = [["MLI-1", "F1", "2021-03-01"], ["MLI-404", "F1", "2021-03-01"]]
    path = workbook(tmp_path / "dry.xlsx", hires, postings)
    annotated = tmp_path / "annotated.xlsx"

    done = hrh(url, "import", str(path), "--dry-run", "--errors", str(annotated))

    assert done.exit_code == 1, done.output
    assert "3 rows read: 2 would be recorded" in done.stdout
    assert "Ledger position" in done.stdout
    book = openpyxl.load_workbook(annotated, read_only=True)
    errors_column = [(list(r) + [None] * 4)[3] for r in book["postWorker"].iter_rows(values_only=True)]
    assert errors_column[0] == "Errors" and not errors_column[2]
    assert "civilServiceNumber" in errors_column[3] and "NOT_FOUND" in errors_column[3]
    assert figures(url, "F1", "2021-03-05")["staffing"]["headcount"] == 0


def test_as_a_manager_rows_outside_the_scope_are_refused_forbidden(url: str, tmp_path: Path) -> None:
    figures(url, "ML", "2021-03-01")  # the read tables, which ``users add`` checks a scope against
    assert hrh(url, "users", "add", "d1.rh", "--role", "HR_MANAGER", "--scope", "D1").exit_code == 0
    hires = [
        ["MLI-1", "Keita", "Awa", "FEMALE", "NURSE", "PUBLIC", "STATE", "2021-03-01"],
        ["MLI-2", "Sidibé", "Fanta", "FEMALE", "NURSE", "PUBLIC", "STATE", "2021-03-01"],
    ]
    postings = [["MLI-1", "F2", "2021-03-01"], ["MLI-2", "F4", "2021-03-01"]]
    path = workbook(tmp_path / "scope.xlsx", hires, postings)

    done = hrh(url, "import", str(path), "--user", "d1.rh", "--lang", "en")

    assert done.exit_code == 1, done.output
    assert "4 rows read: 3 recorded, 0 already recorded, 1 refused" in done.stdout
    assert "postWorker row 4, facilityCode = 'F4': FORBIDDEN:" in done.stdout
    assert hrh(url, "import", str(path), "--user", "nobody").exit_code == 1


def test_the_issues_awkward_workbook_is_reported_row_by_row_and_its_good_rows_recorded(
    url: str, tmp_path: Path
) -> None:
    serial = 44258  # an Excel serial number, in the 1900 date system
    serial_day = (date(1899, 12, 30) + timedelta(days=serial)).isoformat()
    book = openpyxl.Workbook()
    hires = book.create_sheet("hireWorker")
    hires.append(HIRES)
    hires.append(HIRES)
    hires.append(["MLI-1", "Coulibaly", "Awa", "FEMALE", "NURSE", "PUBLIC", "STATE", serial])
    hires.append(["MLI-1", "Coulibaly", "Awa", "FEMALE", "NURSE", "PUBLIC", "STATE", serial])  # typed twice
    hires.append(["MLI-2", "Traoré", "Moussa", "MALE", "NURSE", "PUBLIC", "STATE", "=DATE(2021,3,1)"])  # no value
    postings = book.create_sheet("postWorker")
    postings.append(POSTINGS)
    postings.append(POSTINGS)
    postings.append(["MLI-1", "F1", serial])
    leaves = book.create_sheet("startLeave")  # an empty sheet: its header only
    leaves.append(["civilServiceNumber", "kind", "effectiveOn"])
    other = book.create_sheet("Feuil1")  # not a sheet of the template
    other.append(["note"])
    other.append(["à ignorer ?"])
    book.remove(book["Sheet"])
    path = tmp_path / "awkward.xlsx"
    book.save(path)

    done = hrh(url, "import", str(path), "--lang", "en")

    assert done.exit_code == 1, done.output
    assert "recorded" in done.stdout
    codes = {line.split(": ")[0]: line.split(": ")[1] for line in done.stdout.splitlines() if " row " in line}
    assert codes == {
        "hireWorker row 4, civilServiceNumber = 'MLI-1'": "DUPLICATE_CIVIL_SERVICE_NUMBER",
        "hireWorker row 5, effectiveOn = '=DATE(2021,3,1)'": "FORMULA_WITHOUT_VALUE",
        "Feuil1 row 1": "UNKNOWN_SHEET",
    }
    answer = figures(url, "F1", serial_day)
    assert answer["staffing"]["headcount"] == 1

    # The number MLI-1 is now taken: another file hiring someone under it is refused.
    taken = workbook(
        tmp_path / "taken.xlsx", [["mli-1", "Sidibé", "Fanta", "FEMALE", "NURSE", "PUBLIC", "STATE", "2021-03-04"]], []
    )
    again = hrh(url, "import", str(taken), "--lang", "en")
    assert again.exit_code == 1
    assert "hireWorker row 3, civilServiceNumber = 'mli-1': DUPLICATE_CIVIL_SERVICE_NUMBER" in again.stdout


def test_a_missing_file_and_an_errors_file_of_another_kind_are_refused_before_anything_is_recorded(
    url: str, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "ok.xlsx", [["MLI-1", "Keita", "Awa", "FEMALE", "NURSE", "PUBLIC", "STATE", "2021-03-01"]], []
    )

    missing = hrh(url, "import", str(tmp_path / "absent.xlsx"))
    wrong = hrh(url, "import", str(path), "--errors", str(tmp_path / "errors.txt"))

    assert missing.exit_code == 1 and "FILE_NOT_FOUND" in missing.output
    assert wrong.exit_code == 1 and "ERRORS_FORMAT" in wrong.output
    # Neither recorded the hire: a dry run now says it would record it.
    assert "1 rows read: 1 would be recorded" in hrh(url, "import", str(path), "--dry-run").stdout
