"""The stories of issue 17, in chromium against a live ``hrh serve``: a district HR manager records a
transfer in French; a double submit records once; a worker outside the scope is neither found nor
shown; an auditor reads a back-dated transfer, a retraction, and the history as known at a past
moment; a planner reads a regional dashboard in English, whose density table equals the GraphQL answer.
Each story keeps a screenshot of its last page (``make screenshots`` puts them in docs/img/web/ for docs/web.md)."""

import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import check_accessibility, screenshot
from tests.e2e.api_support import Api, hrh

pytestmark = [pytest.mark.browser, pytest.mark.integration]

PASSWORD = "correct horse battery"
DENSITY = """
query Density($code: String!, $from: Date!, $to: Date!) {
  densitySeries(orgUnitCode: $code, from: $from, to: $to, interval: YEAR) { period active qualifiedDensity }
}"""


@dataclass(frozen=True)
class Cast:
    """The people of the stories (names unique to this run) and their workers."""

    hr: str
    auditor: str
    planner: str
    in_scope: dict[str, Any]  # a worker at F-111 (district ML-D11), civil-service number ``number``
    number: str
    outside: dict[str, Any]  # a worker at F-211 (district ML-D21)


def add_user(api: Api, name: str, role: str, scope: str | None = None) -> None:
    options = ["--scope", scope] if scope else []
    added = hrh("users", "add", name, "--role", role, *options, "--password-stdin", env=api.env, stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr


@pytest.fixture(scope="module")
def cast(server: Api) -> Cast:
    run = uuid.uuid4().hex[:6]
    names = {role: f"{role.lower()}.{run}" for role in ("HR", "AUDITOR", "PLANNER")}
    add_user(server, names["HR"], "HR_MANAGER", "ML-D11")
    add_user(server, names["AUDITOR"], "AUDITOR")
    add_user(server, names["PLANNER"], "PLANNER")
    number = f"ML-{run}-7"
    inside = server.hire(f"Coulibaly{run}", civilServiceNumber=number)
    server.post_worker(inside["worker"]["id"], "F-111", "2016-01-04")
    outside = server.hire(f"Diarra{run}")
    server.caught_up(server.post_worker(outside["worker"]["id"], "F-211", "2016-01-04")["position"])
    return Cast(names["HR"], names["AUDITOR"], names["PLANNER"], inside["worker"], number, outside["worker"])


def sign_in(page: Page, name: str) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile("/sign-in"))
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    expect(page.locator("body.home")).to_be_visible()


def figure(page: Page, name: str, unit: str, period: str | None = None) -> str:
    selector = f"[data-figure='{name}'][data-unit='{unit}']" + (f"[data-period='{period}']" if period else "")
    return page.locator(selector).first.inner_text().strip()


def test_a_district_hr_manager_finds_a_worker_and_records_a_transfer_in_french(page: Page, cast: Cast) -> None:
    sign_in(page, cast.hr)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.goto("/dashboard/ML-D11")
    staffed_before = int(figure(page, "active", "F-112") or 0)

    # Finds the worker by civil-service number.
    page.goto("/workers")
    page.locator("form[role=search] input[name=text]").fill(cast.number)
    page.locator("form[role=search] button").click()
    rows = page.locator("tr[data-worker-id]")
    expect(rows).to_have_count(1)
    rows.get_by_role("link").click()
    expect(page.locator("dd[data-facility]")).to_have_attribute("data-facility", "F-111")

    # Records a transfer to F-112.
    page.locator("a[href$='/do/transferWorker']").click()
    form = page.locator("form[data-mutation='transferWorker']")
    expect(form.locator("input[name=expectedFromFacilityCode]")).to_have_value("F-111")
    form.locator("input[name=toFacilityCode]").fill("F-112")
    form.locator("input[name=effectiveOn]").fill("2025-06-02")
    form.locator("button[type=submit]").click()

    # Sees it on the worker's file, at the position the page announces ...
    recorded = page.locator("[data-position]")
    position = recorded.get_attribute("data-position")
    assert position is not None and position.isdigit()
    expect(page.locator("dd[data-facility]")).to_have_attribute("data-facility", "F-112")
    row = page.locator(f"tr[data-movement-position='{position}']")
    expect(row).to_have_attribute("data-kind", "TRANSFERRED")
    check_accessibility(page)
    screenshot(page, "hr-worker-file-after-transfer")

    # ... and in the district's staffing.
    page.goto("/dashboard/ML-D11")
    assert int(figure(page, "active", "F-112")) == staffed_before + 1


def test_a_form_submitted_twice_records_once(page: Page, server: Api, cast: Cast) -> None:
    worker_id = cast.in_scope["id"]
    sign_in(page, cast.hr)
    page.goto(f"/workers/{worker_id}/do/recordTraining")
    form = page.locator("form[data-mutation='recordTraining']")
    form.locator("input[name=course]").fill("PCIME")
    form.locator("input[name=startedOn]").fill("2024-02-05")
    fields = form.evaluate("f => Object.fromEntries(new FormData(f))")

    form.locator("button[type=submit]").dblclick()
    expect(page.locator("[data-position]")).to_be_visible()
    # The same form again, as a browser resends it after a dropped connection.
    again = page.request.post(f"/workers/{worker_id}/do/recordTraining", form=fields, max_redirects=0)
    assert again.status == 303
    assert again.headers["location"].endswith(
        f"recorded={page.locator('[data-position]').get_attribute('data-position')}"
    )

    trainings = [t for t in server.worker(worker_id)["trainings"] if t["course"] == "PCIME"]
    assert len(trainings) == 1
    screenshot(page, "hr-double-submit")


def test_a_worker_outside_the_scope_is_neither_found_nor_shown(page: Page, cast: Cast) -> None:
    sign_in(page, cast.hr)
    family_name = cast.outside["familyName"]
    page.goto("/workers")
    page.locator("form[role=search] input[name=text]").fill(family_name)
    page.locator("form[role=search] button").click()
    expect(page.locator("tr[data-worker-id]")).to_have_count(0)
    expect(page.locator(".empty")).to_be_visible()

    response = page.goto(f"/workers/{cast.outside['id']}")
    assert response is not None and response.status == 403
    expect(page.locator("[data-error-code='FORBIDDEN']")).to_be_visible()
    assert family_name not in page.content()
    screenshot(page, "hr-out-of-scope")


def test_an_auditor_sees_a_backdated_transfer_a_retraction_and_the_history_as_known_before(
    page: Page, server: Api, cast: Cast
) -> None:
    hired = server.hire(f"Keita{uuid.uuid4().hex[:6]}")
    worker_id = hired["worker"]["id"]
    server.post_worker(worker_id, "F-111", "2016-01-04")
    server.transfer(worker_id, "F-112", "2022-01-03")
    backdated = server.transfer(worker_id, "F-113", "2019-01-07")  # recorded after the 2022 transfer
    # A moment between the two, to the second: over a second after the first, over a second before the second.
    time.sleep(1.2)
    known_at = datetime.now(UTC).replace(microsecond=0)
    time.sleep(1.2)
    retract = """mutation R($input: RetractEventInput!) { retractEvent(input: $input) { position } }"""
    reason = {"workerId": worker_id, "position": backdated, "reason": "Décision annulée"}
    retraction = server.data(retract, {"input": reason})["retractEvent"]["position"]
    server.caught_up(retraction)

    sign_in(page, cast.auditor)
    page.goto(f"/workers/{worker_id}")
    flagged = page.locator(f"tr[data-movement-position='{backdated}']")
    expect(flagged).to_have_attribute("data-backdated", "")
    expect(flagged).to_have_attribute("data-retracted", "")
    retracting = page.locator(f"tr[data-movement-position='{retraction}']")
    expect(retracting).to_have_attribute("data-kind", "RETRACTED")
    expect(retracting).to_contain_text(str(backdated))
    expect(retracting).to_contain_text("Décision annulée")

    # As known at a moment between the back-dated transfer and its retraction.
    page.locator("form.known-at input[name=knownAt]").fill(known_at.strftime("%Y-%m-%dT%H:%M:%S"))
    page.locator("form.known-at button").click()
    expect(page.locator("[data-known-at]")).to_be_visible()
    expect(page.locator(f"tr[data-movement-position='{retraction}']")).to_have_count(0)
    then = page.locator(f"tr[data-movement-position='{backdated}']")
    expect(then).to_have_attribute("data-backdated", "")
    assert then.get_attribute("data-retracted") is None
    check_accessibility(page)
    screenshot(page, "auditor-history-as-known-before")


def test_a_planner_reads_a_regional_dashboard_in_english_equal_to_the_graphql_answer(
    page: Page, server: Api, cast: Cast
) -> None:
    sign_in(page, cast.planner)
    page.goto("/dashboard")
    page.locator("a[href^='/dashboard/ML-R1']").first.click()
    page.locator("a[data-lang='en']").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    asked = {name: page.locator(f"input[name={name}]").input_value() for name in ("from", "to")}

    answer = server.data(DENSITY, {"code": "ML-R1", **asked})["densitySeries"]
    assert answer, "the series has points"
    for point in answer:
        shown = figure(page, "qualifiedDensity", "ML-R1", point["period"])
        expected = "" if point["qualifiedDensity"] is None else f"{point['qualifiedDensity']:,.1f}"
        assert shown == expected, point
        assert figure(page, "active", "ML-R1", point["period"]) == f"{point['active']:,}"
    check_accessibility(page)
    screenshot(page, "planner-dashboard-english")
