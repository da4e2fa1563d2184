"""The auditors' pages over HTTP: the audit trail filtered, page by page and as CSV, equal to the GraphQL
answers; back-dated and retracted rows flagged; the chain head; how to check an export; refusals."""

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.web.auditpages_support import Story, live_story, positions_in

pytestmark = pytest.mark.integration

TRAIL = """
query Trail($unit: String, $kind: String, $after: String) {
  auditTrail(orgUnitCode: $unit, kind: $kind, first: 500, after: $after) {
    edges { node { position aggregate aggregateId subject backdated retracted } } pageInfo { hasNextPage endCursor }
  }
}"""


@pytest.fixture(scope="module")
def story(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    yield from live_story(server_url, tmp_path_factory.mktemp("audit_pages"))


def trail(story: Story, **variables: Any) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    after = None
    while True:
        page = story.graphql(TRAIL, {**variables, "after": after})["auditTrail"]
        entries += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return entries
        after = page["pageInfo"]["endCursor"]


def test_an_auditor_reads_the_trail_with_the_chain_head_and_a_link_to_how_to_check_it(story: Story) -> None:
    page = story.signed_in("auditrice").get("/audit")
    assert page.status_code == 200
    assert '<body class="audit">' in page.text
    head = story.graphql("{ chainHead { position hash } }")["chainHead"]
    assert f'data-chain-position="{head["position"]}" data-chain-hash="{head["hash"]}"' in page.text
    assert 'href="/docs/audit"' in page.text
    assert positions_in(page.text) == [e["position"] for e in trail(story)][:50]


def test_the_filters_show_what_the_api_answers_page_by_page(story: Story) -> None:
    client = story.signed_in("auditrice")
    wanted = [e["position"] for e in trail(story, unit="ML-D11")]
    assert story.at["awa back-dated"] in wanted and story.at["bina posted"] not in wanted
    seen: list[int] = []
    address = "/audit?orgUnitCode=ML-D11&first=2"
    while address:
        page = client.get(address)
        assert page.status_code == 200 and 'value="ML-D11"' in page.text  # the filter as typed
        rows = positions_in(page.text)
        assert 0 < len(rows) <= 2
        seen += rows
        found = re.search(r'<a href="([^"]+)" rel="next">', page.text)
        address = found[1].replace("&amp;", "&") if found else ""
    assert seen == wanted
    transfers = client.get("/audit", params={"orgUnitCode": "ML-R2", "kind": "TRANSFERRED"})
    assert positions_in(transfers.text) == [e["position"] for e in trail(story, unit="ML-R2", kind="TRANSFERRED")]
    assert positions_in(transfers.text) == [story.at["awa to F-211"]]


def test_back_dated_and_retracted_rows_are_flagged_and_link_to_their_worker_or_unit(story: Story) -> None:
    page = story.signed_in("auditrice").get("/audit", params={"first": "500"}).text
    rows = {int(m[1]): m[0] for m in re.finditer(r'<tr data-entry-position="(\d+)".*?</tr>', page, re.S)}
    for entry in trail(story):
        row = rows[entry["position"]]
        assert ("data-backdated" in row) is entry["backdated"], row
        assert ("data-retracted" in row) is entry["retracted"], row
        if entry["aggregate"] == "Worker":
            assert f'href="/workers/{entry["aggregateId"]}"' in row
        elif entry["aggregate"] == "OrgUnit":
            assert f'href="/units/{entry["subject"]}"' in row
    assert "data-backdated" in rows[story.at["awa back-dated"]]
    assert "data-retracted" in rows[story.at["bina to F-122"]]


def test_the_csv_holds_every_row_of_the_filter(story: Story) -> None:
    client = story.signed_in("auditrice", language="fr")
    answer = client.get("/audit", params={"orgUnitCode": "ML-R1", "first": "1", "csv": "trail"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    text = answer.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    wanted = trail(story, unit="ML-R1")
    assert len(wanted) > 1  # every page, not the one shown
    assert [int(r[0]) for r in rows[1:]] == [e["position"] for e in wanted]
    by_position = {int(r[0]): r for r in rows[1:]}
    # "yes" and "no" in the page's language (French here, with ';' between fields).
    backdated = {e["position"] for e in wanted if e["backdated"]}
    assert backdated == {story.at["awa back-dated"]}
    assert (
        len(
            {r[8] for p, r in by_position.items() if p in backdated}
            | {r[8] for p, r in by_position.items() if p not in backdated}
        )
        == 2
    )
    assert by_position[story.at["F-111 decree"]][3:6] == ["ESTABLISHMENT_SET", "OrgUnit", "F-111"]


def test_a_bad_filter_is_refused_beside_what_was_typed(story: Story) -> None:
    client = story.signed_in("auditrice")
    unknown = client.get("/audit", params={"orgUnitCode": "NOWHERE"})
    assert unknown.status_code == 400 and 'data-error-code="NOT_FOUND"' in unknown.text
    assert 'value="NOWHERE"' in unknown.text
    bad_date = client.get("/audit", params={"from": "2016-02-30"})
    assert bad_date.status_code == 400 and 'data-error-code="BAD_USER_INPUT"' in bad_date.text


@pytest.mark.parametrize("name", ["rh.d11", "planif"])
def test_hr_managers_and_planners_get_the_forbidden_refusal(story: Story, name: str) -> None:
    client = story.signed_in(name)
    for address in ("/audit", "/audit?csv=trail"):
        page = client.get(address)
        assert page.status_code == 403 and 'data-error-code="FORBIDDEN"' in page.text
        assert "data-entry-position" not in page.text


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(story: Story) -> None:
    with httpx.Client(base_url=story.api.base, follow_redirects=False) as anonymous:
        page = anonymous.get("/audit")
        assert page.status_code == 303 and page.headers["location"].startswith("/sign-in?next=")


def test_how_to_check_an_export_is_served_from_docs_audit(story: Story) -> None:
    page = story.signed_in("planif").get("/docs/audit")
    assert page.status_code == 200
    assert 'id="checking-an-export-independently"' in page.text
    assert 'id="the-trail-of-an-org-unit"' in page.text
    assert "python3 check_chain.py ledger.jsonl" in page.text
    assert "<script" not in page.text.split('class="doc"')[1]
