"""The org tree's pages over HTTP: a unit's place in the tree, its staffing and establishment equal to the
GraphQL answers and marked as DESIGN says, the ADMIN's forms, the roster for those the API lets read it."""

import csv
import io
import re
from collections.abc import Iterator

import pytest

from tests.web.auditpages_support import CSRF, Story, live_story

pytestmark = pytest.mark.integration

FIGURES = """
query Figures($code: String!) {
  staffing(orgUnitCode: $code) { headcount onLeave active qualifiedActive population density qualifiedDensity }
  establishment(orgUnitCode: $code) { posts filled vacant surplus vacancyRate }
}"""
ROSTER = """
query Roster($code: String!) { workers(orgUnitCode: $code, first: 500) { totalCount edges { node { id } } } }"""
FORMS = ("openOrgUnit", "moveOrgUnit", "closeOrgUnit", "recordPopulation", "setEstablishment")


@pytest.fixture(scope="module")
def story(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    yield from live_story(server_url, tmp_path_factory.mktemp("unit_pages"))


def figure(page: str, name: str, unit: str) -> str:
    found = re.search(rf'<td data-figure="{name}" data-unit="{unit}">([^<]*)</td>', page)
    assert found, (name, unit)
    return found[1]


def test_the_tree_starts_at_the_country_and_a_code_leads_to_its_unit(story: Story) -> None:
    client = story.signed_in("planif")
    top = client.get("/units")
    assert top.status_code == 200 and 'href="/units/ML"' in top.text and 'href="/units/ML-R1"' in top.text
    jump = client.get("/units", params={"code": "F-111"})
    assert jump.status_code == 303 and jump.headers["location"] == "/units/F-111"
    assert client.get("/units/NOWHERE").status_code == 404


def test_a_unit_shows_its_place_in_the_tree(story: Story) -> None:
    page = story.signed_in("planif").get("/units/ML-D11").text
    assert '<h1 data-unit-code="ML-D11">' in page
    assert 'data-level="DISTRICT"' in page and 'data-opened-on="2015-01-01"' in page
    assert '<a href="/units/ML-R1" rel="up">' in page
    for child in ("F-111", "F-112", "F-113"):
        assert f'href="/units/{child}" data-unit-code="{child}"' in page


def test_the_staffing_and_establishment_cells_equal_the_api(story: Story) -> None:
    client = story.signed_in("planif")
    for code in ("ML", "ML-R2", "F-111"):
        page = client.get(f"/units/{code}").text
        wanted = story.graphql(FIGURES, {"code": code})
        for name in ("headcount", "onLeave", "active", "qualifiedActive"):
            assert figure(page, name, code) == str(wanted["staffing"][name]), (code, name)
        for name in ("density", "qualifiedDensity"):
            value = wanted["staffing"][name]
            assert figure(page, name, code) == ("" if value is None else f"{value:.1f}"), (code, name)
    # Awa is at F-211 now: ML-R2 counts her.
    assert figure(client.get("/units/ML-R2").text, "headcount", "ML-R2") == "1"
    f111 = client.get("/units/F-111").text
    assert figure(f111, "posts", "F-111") == "3" and figure(f111, "vacant", "F-111") == "3"
    assert 'data-figure="posts"' not in client.get("/units/F-112").text


def test_the_staffing_table_downloads_as_csv(story: Story) -> None:
    answer = story.signed_in("planif").get("/units/ML", params={"csv": "staffing"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    text = answer.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[1] == ["Headcount", str(story.graphql(FIGURES, {"code": "ML"})["staffing"]["headcount"])]


def test_an_admin_sees_the_forms_that_change_a_unit_and_others_do_not(story: Story) -> None:
    facility = story.signed_in("admin.web").get("/units/F-111").text
    for mutation in ("moveOrgUnit", "closeOrgUnit", "recordPopulation", "setEstablishment"):
        assert f'href="/units/F-111/do/{mutation}"' in facility
    assert "/do/openOrgUnit" not in facility  # nothing opens under a facility
    district = story.signed_in("admin.web").get("/units/ML-D11").text
    assert 'href="/units/ML-D11/do/openOrgUnit"' in district and "/do/setEstablishment" not in district
    for name in ("auditrice", "rh.d11", "planif"):
        page = story.signed_in(name).get("/units/F-111").text
        assert not any(f"/do/{mutation}" in page for mutation in FORMS), name


def test_the_roster_link_shows_where_the_api_answers_the_roster(story: Story) -> None:
    manager = story.signed_in("rh.d11")
    assert 'data-roster="ML-D11"' in manager.get("/units/ML-D11").text
    assert 'data-roster="F-111"' in manager.get("/units/F-111").text
    assert "data-roster" not in manager.get("/units/ML-D12").text  # outside the manager's scope
    assert "data-roster" not in story.signed_in("planif").get("/units/ML-D11").text
    assert 'data-roster="ML-D12"' in story.signed_in("auditrice").get("/units/ML-D12").text


def test_the_roster_lists_the_workers_page_by_page_within_scope(story: Story) -> None:
    manager = story.signed_in("rh.d11")
    wanted = [e["node"]["id"] for e in story.graphql(ROSTER, {"code": "ML"})["workers"]["edges"]]
    auditor = story.signed_in("auditrice")
    seen: list[str] = []
    address = "/units/ML/workers?first=1"
    while address:
        page = auditor.get(address)
        assert page.status_code == 200
        seen += re.findall(r'<tr data-worker-id="([^"]+)"', page.text)
        found = re.search(r'<a href="([^"]+)" rel="next">', page.text)
        address = found[1].replace("&amp;", "&") if found else ""
    assert seen == wanted and len(wanted) == 2
    # Bina is at F-121 (ML-D12): outside the manager's scope, so the manager reads neither the roster nor her.
    refused = manager.get("/units/ML-D12/workers")
    assert refused.status_code == 403 and 'data-error-code="FORBIDDEN"' in refused.text
    assert "Diallo" not in refused.text
    planner = story.signed_in("planif").get("/units/ML-D11/workers")
    assert planner.status_code == 403 and 'data-error-code="FORBIDDEN"' in planner.text


def test_a_command_recorded_from_a_unit_form_shows_its_position_on_the_unit(story: Story) -> None:
    admin = story.signed_in("admin.web")
    unit = admin.get("/units/ML-R1").text
    fields = {"csrf": CSRF.search(unit)[1], "year": "2030", "population": "123456", "commandId": "web-pop-2030"}  # type: ignore[index]
    answer = admin.post("/units/ML-R1/do/recordPopulation", data=fields)
    assert answer.status_code == 303, answer.text[:2000]
    assert answer.headers["location"].startswith("/units/ML-R1?recorded=")
    position = int(answer.headers["location"].split("recorded=")[1])
    page = admin.get(answer.headers["location"])
    assert f'<p class="recorded" role="status" data-position="{position}">' in page.text
    assert "data-position" not in admin.get("/units/ML-R1").text
