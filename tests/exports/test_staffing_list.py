"""The staffing list (``hrh export staffing`` and the roster page's downloads) against a live ``hrh serve``: the
files read back with csv and openpyxl hold the GraphQL ``workers`` answer for the same unit, date and knownAt,
as many as the ``staffing`` headcount; personal fields only where the user may read them; a planner and a
manager outside their scope are refused, as the API refuses them; every page is read; the ledger position
the list reflects is stated."""

import asyncio
import csv
import io
import subprocess
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from api.database import open_ledger
from api.exports import staffing as staffing_export
from api.exports.session import OPERATOR, export_services
from api.exports.staffing import COLUMNS, PERSONAL, StaffingList, staffing_list
from api.settings import Settings
from tests.e2e.api_support import HRH
from tests.web.auditpages_support import Story, live_story

pytestmark = pytest.mark.integration

TODAY = date.today().isoformat()
WORKERS = """
query Roster($code: String!, $asOf: Date, $knownAt: DateTime) {
  workers(orgUnitCode: $code, asOf: $asOf, knownAt: $knownAt, first: 500) {
    totalCount edges { node { id restricted familyName civilServiceNumber status cadre { code } facility { code } } }
  }
  staffing(orgUnitCode: $code, asOf: $asOf, knownAt: $knownAt) { headcount onLeave }
  ledgerPosition(knownAt: $knownAt)
}"""
HISTORY = "query History($id: ID!) { worker(id: $id) { history { kind position recordedAt } } }"


@pytest.fixture(scope="module")
def story(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    yield from live_story(server_url, tmp_path_factory.mktemp("staffing_list"))


def export(story: Story, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [HRH, "export", "staffing", *args], env=story.api.env, capture_output=True, timeout=180, check=False
    )


def csv_rows(content: bytes) -> list[dict[str, str]]:
    assert content.startswith("\ufeff".encode())  # UTF-8 with a byte-order mark, for Excel
    reader = csv.reader(io.StringIO(content.decode("utf-8")[1:]))
    header = next(reader)
    assert tuple(header) == COLUMNS
    return [dict(zip(header, row, strict=True)) for row in reader]


def api_answer(story: Story, code: str, as_of: str, known_at: str | None = None) -> dict[str, Any]:
    return story.graphql(WORKERS, {"code": code, "asOf": as_of, "knownAt": known_at})


def test_the_csv_holds_the_api_roster_and_adds_up_to_the_headcount(story: Story) -> None:
    done = export(story, "--unit", "ML", "--as-of", TODAY)
    assert done.returncode == 0, done.stderr
    rows = csv_rows(done.stdout)
    wanted = api_answer(story, "ML", TODAY)
    assert [r["workerId"] for r in rows] == [e["node"]["id"] for e in wanted["workers"]["edges"]]
    assert len(rows) == wanted["staffing"]["headcount"] == 2
    awa = next(r for r in rows if r["workerId"] == story.workers["awa"])
    assert (awa["familyName"], awa["givenNames"], awa["sex"], awa["birthDate"]) == (
        "Traoré",
        "Awa",
        "FEMALE",
        "1990-05-17",
    )
    assert (awa["cadreCode"], awa["cadreGroup"], awa["facilityCode"], awa["status"]) == (
        "NURSE-RN",
        "NURSE",
        "F-211",
        "POSTED",
    )
    assert (awa["sector"], awa["fundingSource"], awa["restricted"]) == ("PUBLIC", "STATE", "false")
    # What it reflects is said on standard error, and in the suggested file name.
    said = done.stderr.decode()
    position = wanted["ledgerPosition"]
    assert f"Ledger position: {position}" in said and f"staffing-ML-{TODAY}-p{position}.csv" in said


def test_the_workbook_has_its_header_frozen_and_says_what_it_reflects(story: Story, tmp_path: Path) -> None:
    file = tmp_path / "ml.xlsx"
    done = export(story, "--unit", "ML-R2", "--as-of", TODAY, "-o", str(file))
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(file)
    assert book.sheetnames == ["Liste du personnel", "À propos"]  # French by default, as the pages
    sheet = book["Liste du personnel"]
    assert sheet.freeze_panes == "A2"
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == COLUMNS
    wanted = api_answer(story, "ML-R2", TODAY)
    assert (
        [row[0] for row in values[1:]]
        == [e["node"]["id"] for e in wanted["workers"]["edges"]]
        == [story.workers["awa"]]
    )
    assert values[1][COLUMNS.index("birthDate")] == datetime(1990, 5, 17)  # a date cell
    about = dict(book["À propos"].iter_rows(values_only=True))
    assert about["Position dans le registre"] == str(wanted["ledgerPosition"])
    assert (
        about["À la date du"] == TODAY
        and about["Produit par"] == "cli"
        and about["Unité administrative"].startswith("ML-R2")
    )
    english = tmp_path / "ml-en.xlsx"
    assert export(story, "--unit", "ML-R2", "--as-of", TODAY, "-o", str(english), "--lang", "en").returncode == 0
    assert openpyxl.load_workbook(english).sheetnames == ["Staffing list", "About"]


def test_known_at_lists_the_workers_as_the_ledger_knew_them(story: Story) -> None:
    # Bina's transfer to F-122 was retracted: as known before the retraction she was there.
    history = story.graphql(HISTORY, {"id": story.workers["bina"]})["worker"]["history"]
    transfer = next(m for m in history if m["position"] == story.at["bina to F-122"])
    then = transfer["recordedAt"]
    done = export(story, "--unit", "F-122", "--as-of", "2017-01-01", "--known-at", then)
    assert done.returncode == 0, done.stderr
    rows = csv_rows(done.stdout)
    wanted = api_answer(story, "F-122", "2017-01-01", then)
    assert (
        [r["workerId"] for r in rows]
        == [e["node"]["id"] for e in wanted["workers"]["edges"]]
        == [story.workers["bina"]]
    )
    assert wanted["staffing"]["headcount"] == 1 and wanted["ledgerPosition"] == story.at["bina to F-122"]
    now = export(story, "--unit", "F-122", "--as-of", "2017-01-01")
    assert csv_rows(now.stdout) == [] and api_answer(story, "F-122", "2017-01-01")["staffing"]["headcount"] == 0


def test_a_manager_gets_personal_columns_only_for_workers_in_scope_now(story: Story) -> None:
    # On 2016-12-31 Awa was at F-112 (ML-D11); she is at F-211 (ML-R2) now, outside rh.d11's scope.
    done = export(story, "--unit", "ML-D11", "--as-of", "2016-12-31", "--user", "rh.d11")
    assert done.returncode == 0, done.stderr
    (awa,) = csv_rows(done.stdout)
    assert awa["workerId"] == story.workers["awa"] and awa["restricted"] == "true"
    assert all(awa[name] == "" for name in PERSONAL) and awa["cadreCode"] == "NURSE-RN"
    admin = csv_rows(export(story, "--unit", "ML-D11", "--as-of", "2016-12-31").stdout)
    assert admin[0]["familyName"] == "Traoré" and admin[0]["facilityCode"] == "F-112"


def test_a_planner_and_a_manager_outside_their_scope_are_refused_as_the_api_refuses_them(story: Story) -> None:
    for user, unit in (("planif", "ML"), ("rh.d11", "ML-R2")):
        done = export(story, "--unit", unit, "--as-of", TODAY, "--user", user)
        assert done.returncode == 1 and b"FORBIDDEN" in done.stderr and done.stdout == b"", (user, done.stderr)
    for args, code in (
        (("--unit", "NOWHERE", "--as-of", TODAY), b"NOT_FOUND"),
        (("--unit", "ML", "--as-of", "31/12/2017"), b"BAD_USER_INPUT"),
        (("--unit", "ML", "--as-of", TODAY, "--known-at", "yesterday"), b"BAD_USER_INPUT"),
        (("--unit", "ML", "--as-of", TODAY, "--format", "pdf"), b"UNKNOWN_FORMAT"),
        (("--unit", "ML", "--as-of", TODAY, "--user", "nobody"), b"UNKNOWN_USER"),
    ):
        done = export(story, *args)
        assert done.returncode == 1 and code in done.stderr, (args, done.stderr)


def test_every_page_of_the_roster_is_read(story: Story, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staffing_export, "PAGE", 1)  # two workers: two pages

    async def read() -> StaffingList:
        ledger = open_ledger(story.api.database_url, Settings())
        try:
            async with export_services(story.api.database_url, ledger) as services:
                return await staffing_list(services, OPERATOR, "ML", date.fromisoformat(TODAY))
        finally:
            ledger.close()

    found = asyncio.run(read())
    wanted = api_answer(story, "ML", TODAY)
    assert [row[0] for row in found.rows] == [e["node"]["id"] for e in wanted["workers"]["edges"]]
    assert found.total == 2 and found.position == wanted["ledgerPosition"]


def test_the_roster_page_offers_the_list_and_downloads_it_as_the_signed_in_user(story: Story) -> None:
    auditor = story.signed_in("auditrice")
    page = auditor.get("/units/ML/workers").text
    assert (
        f'href="/units/ML/staffing.csv?asOf={TODAY}"' in page and f'href="/units/ML/staffing.xlsx?asOf={TODAY}"' in page
    )
    answer = auditor.get("/units/ML/staffing.xlsx", params={"asOf": TODAY})
    assert answer.status_code == 200, answer.text[:1000]
    wanted = api_answer(story, "ML", TODAY)
    assert answer.headers["x-ledger-position"] == str(wanted["ledgerPosition"])
    assert f'filename="staffing-ML-{TODAY}-p{wanted["ledgerPosition"]}.xlsx"' in answer.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["Staffing list", "About"]  # the visitor's language
    ids = [row[0] for row in book["Staffing list"].iter_rows(min_row=2, values_only=True)]
    assert ids == [e["node"]["id"] for e in wanted["workers"]["edges"]]
    assert dict(book["About"].iter_rows(values_only=True))["Produced by"] == "auditrice"
    manager = story.signed_in("rh.d11").get("/units/ML-D11/staffing.csv", params={"asOf": "2016-12-31"})
    (awa,) = csv_rows(manager.content)
    assert awa["restricted"] == "true" and awa["familyName"] == ""


def test_a_download_the_api_would_refuse_is_refused(story: Story) -> None:
    planner: httpx.Client = story.signed_in("planif")
    refused = planner.get("/units/ML/staffing.csv")
    assert refused.status_code == 403 and 'data-error-code="FORBIDDEN"' in refused.text
    auditor = story.signed_in("auditrice", "fr")
    bad = auditor.get("/units/ML/staffing.csv", params={"asOf": "31/12/2017"})
    assert bad.status_code == 400 and 'data-error-code="BAD_USER_INPUT"' in bad.text and "31/12/2017" in bad.text
    assert auditor.get("/units/ML/staffing.pdf").status_code == 404
    assert auditor.get("/units/NOWHERE/staffing.csv").status_code == 404
