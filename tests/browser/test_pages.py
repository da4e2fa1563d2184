"""Every page in chromium, as an administrator, in French and in English: axe-core finds no serious or
critical violation and nothing loads from another host. Then the forms' behaviour a clerk relies on:
a hire with its first posting, a refusal said in French beside the field with what was typed kept,
and a transfer overtaken by someone else's told, not overwritten."""

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import check_accessibility, screenshot
from tests.e2e.api_support import Api, hrh

pytestmark = [pytest.mark.browser, pytest.mark.integration]

PASSWORD = "every page password"
WORKER_FORMS = (
    "transferWorker",
    "postWorker",
    "recordTraining",
    "startLeave",
    "endLeave",
    "requalifyWorker",
    "recordDeparture",
    "rehireWorker",
    "correctWorkerDetails",
    "retractEvent",
)
UNIT_FORMS = ("openOrgUnit", "moveOrgUnit", "closeOrgUnit", "recordPopulation", "setEstablishment")


def user(server: Api, role: str, scope: str | None = None) -> str:
    name = f"pages.{role.lower()}.{uuid.uuid4().hex[:6]}"
    options = ["--scope", scope] if scope else []
    added = hrh("users", "add", name, "--role", role, *options, "--password-stdin", env=server.env, stdin=PASSWORD)
    assert added.returncode == 0, added.stderr
    return name


def sign_in(page: Page, name: str, language: str = "fr") -> None:
    page.goto(f"/sign-in?lang={language}")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    expect(page.locator("body.home")).to_be_visible()


@pytest.fixture(scope="module")
def posted(server: Api) -> dict[str, Any]:
    worker = server.hire(f"Sangaré{uuid.uuid4().hex[:6]}")["worker"]
    server.caught_up(server.post_worker(worker["id"], "F-111", "2016-01-04")["position"])
    return dict(worker)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_page_is_accessible_and_loads_from_hrh_alone(
    page: Page, server: Api, posted: dict[str, Any], language: str
) -> None:
    sign_in(page, user(server, "ADMIN"), language)
    worker = posted["id"]
    addresses = [
        "/",
        "/workers",
        f"/workers?text={posted['familyName']}",
        f"/workers/{worker}",
        "/workers/new",
        *(f"/workers/{worker}/do/{form}" for form in WORKER_FORMS),
        "/units",
        "/units/ML-D11",
        "/units/ML-D11/workers",
        *(f"/units/ML-D11/do/{form}" for form in UNIT_FORMS),
        "/audit",
        "/audit?orgUnitCode=ML-D11",
        f"/audit?orgUnitCode=ML-D11&kind=POSTED&workerId={worker}",
        "/dashboard",
        "/dashboard/ML-R1?interval=QUARTER",
        "/dashboard/ML-R1/quarterly",
        "/import",
        "/exports",
    ]
    shown = {  # kept for docs/web.md, in French
        "/units/ML-D11": "admin-unit",
        "/audit?orgUnitCode=ML-D11": "auditor-trail",
        "/dashboard/ML-R1/quarterly": "planner-quarterly",
        f"/workers?text={posted['familyName']}": "hr-search",
    }
    for address in addresses:
        response = page.goto(address)
        assert response is not None and response.status == 200, address
        expect(page.locator("html")).to_have_attribute("lang", language)
        check_accessibility(page)
        if language == "fr" and address in shown:
            screenshot(page, shown[address])


def test_a_hire_with_its_first_posting_lands_on_the_new_workers_file(page: Page, server: Api) -> None:
    sign_in(page, user(server, "HR_MANAGER", "ML-D11"))
    page.goto("/workers/new")
    form = page.locator("form[data-mutation='hireWorker']")
    family_name = f"Touré{uuid.uuid4().hex[:6]}"
    form.locator("input[name=familyName]").fill(family_name)
    form.locator("input[name=givenNames]").fill("Aïssata")
    form.locator("select[name=sex]").select_option("FEMALE")
    form.locator("input[name=cadreCode]").fill("NURSE-RN")
    form.locator("select[name=sector]").select_option("PUBLIC")
    form.locator("select[name=fundingSource]").select_option("STATE")
    form.locator("input[name=effectiveOn]").fill("2024-03-04")
    form.locator("input[name=facilityCode]").fill("F-112")
    form.locator("button[type=submit]").click()

    expect(page.locator("body.worker h1")).to_contain_text(family_name)
    expect(page.locator("dd[data-facility]")).to_have_attribute("data-facility", "F-112")
    expect(page.locator("dd[data-status]")).to_have_attribute("data-status", "POSTED")
    kinds = page.locator("tr[data-movement-position]").evaluate_all("rows => rows.map(r => r.dataset.kind)")
    assert kinds == ["HIRED", "POSTED"]
    screenshot(page, "hr-hire-with-first-posting")


def test_a_refusal_is_said_in_french_beside_its_field_and_what_was_typed_is_kept(
    page: Page, server: Api, posted: dict[str, Any]
) -> None:
    sign_in(page, user(server, "HR_MANAGER", "ML-D11"))
    page.goto(f"/workers/{posted['id']}/do/transferWorker")
    form = page.locator("form[data-mutation='transferWorker']")
    form.locator("input[name=toFacilityCode]").fill("F-111")  # where the worker already is
    form.locator("input[name=effectiveOn]").fill("2024-05-06")
    form.locator("input[name=authority]").fill("Décision n°12")
    form.locator("button[type=submit]").click()

    refusal = page.locator("[data-error-code]")
    expect(refusal).to_have_attribute("data-error-code", "SAME_FACILITY")
    expect(page.locator(".field.has-error input[name=toFacilityCode]")).to_have_value("F-111")
    expect(page.locator(".field.has-error [data-error-code]")).to_be_visible()  # beside the field
    assert re.search(r"\b(déjà|est)\b", refusal.inner_text()), refusal.inner_text()  # French, not English
    expect(form.locator("input[name=authority]")).to_have_value("Décision n°12")
    expect(form.locator("input[name=effectiveOn]")).to_have_value("2024-05-06")
    check_accessibility(page)
    screenshot(page, "hr-refusal-beside-the-field")


def test_a_transfer_overtaken_by_someone_elses_is_told_not_overwritten(
    page: Page, server: Api, posted: dict[str, Any]
) -> None:
    worker = server.hire(f"Maïga{uuid.uuid4().hex[:6]}")["worker"]
    server.caught_up(server.post_worker(worker["id"], "F-111", "2016-01-04")["position"])
    sign_in(page, user(server, "HR_MANAGER", "ML-D11"))
    page.goto(f"/workers/{worker['id']}/do/transferWorker")
    form = page.locator("form[data-mutation='transferWorker']")
    form.locator("input[name=toFacilityCode]").fill("F-113")
    form.locator("input[name=effectiveOn]").fill("2024-05-06")

    # Meanwhile, another clerk transfers the worker to F-112.
    server.caught_up(server.transfer(worker["id"], "F-112", "2024-04-01"))

    form.locator("button[type=submit]").click()
    expect(page.locator("[data-error-code]")).to_have_attribute("data-error-code", "CONFLICT")
    expect(form.locator("input[name=toFacilityCode]")).to_have_value("F-113")
    assert server.worker(worker["id"])["facility"]["code"] == "F-112"
