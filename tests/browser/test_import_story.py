"""The import page in chromium: a district HR manager uploads a workbook laid out as DESIGN says (built here
with openpyxl, not with the program's template), reads the check's report in French (every error with its
sheet, row, column and code, nothing recorded yet), records the rows without errors, and finds the new
workers through the API; the same file uploaded again records nothing."""

import re
import uuid
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from tests.browser.support import check_accessibility, screenshot
from tests.browser.test_stories import add_user, sign_in
from tests.e2e.api_support import Api

pytestmark = [pytest.mark.browser, pytest.mark.integration]

HIRE = ["civilServiceNumber", "familyName", "givenNames", "sex", "birthDate", "cadreCode", "sector",
        "fundingSource", "effectiveOn"]  # fmt: skip
POST = ["civilServiceNumber", "facilityCode", "effectiveOn"]
FIND = "query($text: String!) { searchWorkers(text: $text) { civilServiceNumber facility { code } } }"


def workbook(folder: Path, run: str) -> Path:
    """Two hires posted at F-111 (in the manager's district), one posting outside it (F-211), and one hire
    whose date is not one: three rows refused, four recorded."""
    book = Workbook()
    hires = book.active
    assert hires is not None
    hires.title = "hireWorker"
    hires.append(HIRE)
    hires.append(
        ["Matricule", "Nom", "Prénoms", "Sexe", "Date de naissance", "Corps", "Secteur", "Financement", "Date"]
    )
    for n, name in enumerate(("Keïta", "Sangaré", "Touré"), start=1):
        day = "32/01/2024" if n == 3 else "02/01/2024"
        hires.append(
            [f"IMP-{run}-{n}", f"{name}{run} ", "Awa", "FEMALE", "1990-05-01", "NURSE-RN", "PUBLIC", "STATE", day]
        )
    posts = book.create_sheet("postWorker")
    posts.append(POST)
    posts.append(["Matricule", "Structure", "Date"])
    posts.append([f"IMP-{run}-1", "F-111", "2024-01-03"])
    posts.append([f"IMP-{run}-2", "F-211", "2024-01-03"])
    path = folder / f"import-{run}.xlsx"
    book.save(path)
    return path


def upload(page: Page, path: Path) -> None:
    page.goto("/import")
    page.locator("form[data-upload=import] input[name=file]").set_input_files(str(path))
    page.locator("form[data-upload=import] button[type=submit]").click()
    expect(page.locator("[data-phase=checked]")).to_be_visible(timeout=60_000)


def test_a_manager_checks_a_workbook_then_records_its_good_rows(page: Page, server: Api, tmp_path: Path) -> None:
    run = uuid.uuid4().hex[:6]
    manager = f"rh.import.{run}"
    add_user(server, manager, "HR_MANAGER", "ML-D11")
    path = workbook(tmp_path, run)
    sign_in(page, manager)
    upload(page, path)

    expect(page.locator("[data-count=read]")).to_have_text("5")
    expect(page.locator("[data-count=recorded]")).to_have_text("3")  # two hires and one posting
    bad_date = page.locator("tr[data-sheet=hireWorker][data-row='5']")
    expect(bad_date).to_have_attribute("data-error-code", re.compile(r"BAD_DATE|BAD_USER_INPUT"))
    expect(bad_date).to_contain_text("effectiveOn")
    outside = page.locator("tr[data-sheet=postWorker][data-row='4']")
    expect(outside).to_have_attribute("data-error-code", "FORBIDDEN")
    assert server.data(FIND, {"text": f"IMP-{run}-1"})["searchWorkers"] == []  # a check records nothing
    check_accessibility(page)
    screenshot(page, "import-checked")

    page.locator("form[data-confirm=import] button[type=submit]").click()
    expect(page.locator("[data-phase=recorded]")).to_be_visible(timeout=60_000)
    position = page.locator("[data-position]").get_attribute("data-position")
    assert position is not None and position.isdigit()
    server.caught_up(int(position))
    found = server.data(FIND, {"text": f"IMP-{run}-1"})["searchWorkers"]
    assert [(w["civilServiceNumber"], w["facility"]["code"]) for w in found] == [(f"IMP-{run}-1", "F-111")]
    assert server.data(FIND, {"text": f"IMP-{run}-3"})["searchWorkers"] == []
    screenshot(page, "import-recorded")

    upload(page, path)  # the same file again: every good row is already recorded
    expect(page.locator("[data-count=recorded]")).to_have_text("0")
    expect(page.locator("[data-count=already]")).to_have_text("3")

    page.goto("/exports")  # the manager's downloads: DHIS2, NHWA, and FHIR for their scope
    expect(page.locator("form[data-export]")).to_have_count(3)
    screenshot(page, "exports")
