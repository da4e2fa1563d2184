"""GraphiQL at /graphql, in chromium, on a machine with no internet: every script and style comes from hrh, the
page is titled for hrh and says how to send a token, the schema loads, and queries run, with and without one."""

import json
from typing import Any

import pytest
from playwright.sync_api import Page, Response, expect

from tests.browser.support import NetworkMeter, check_accessibility, screenshot
from tests.e2e.api_support import Api

pytestmark = [pytest.mark.browser, pytest.mark.integration]

QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
HEADERS = ".graphiql-editor-tool .graphiql-editor:nth-child(2)"  # after the variables' editor
RESULT = ".graphiql-response .CodeMirror"


def open_graphiql(page: Page) -> list[Response]:
    """Opens GraphiQL and waits for its editors; returns the responses the page loaded."""
    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response))
    page.goto("/graphql")
    expect(page.locator(QUERY_EDITOR)).to_be_visible()
    return responses


def set_editor(page: Page, selector: str, text: str) -> None:
    page.locator(selector).evaluate("(element, text) => element.CodeMirror.setValue(text)", text)


def run(page: Page, query: str) -> dict[str, Any]:
    """Types ``query`` into the editor, runs it with the execute button, and returns the JSON shown."""
    set_editor(page, QUERY_EDITOR, query)
    with page.expect_response(lambda r: r.url.endswith("/graphql") and r.request.method == "POST"):
        page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    result = page.locator(RESULT)
    expect(result).to_contain_text('"data"')
    shown = result.evaluate("element => element.CodeMirror.getValue()")
    body = json.loads(shown)
    assert isinstance(body, dict)
    return body


def test_graphiql_loads_from_hrh_alone_and_runs_a_query(page: Page, server: Api) -> None:
    # A user opens /graphql in a browser: the page is hrh's, and says how to send a token.
    responses = open_graphiql(page)
    assert "hrh" in page.title()
    header = page.locator("body > header")
    expect(header).to_contain_text('{"Authorization": "Bearer <token>"}')
    expect(header).to_contain_text("Headers")
    starter = page.locator(QUERY_EDITOR).evaluate("element => element.CodeMirror.getValue()")
    assert '{"Authorization": "Bearer <token>"}' in starter

    # Everything it loaded came from hrh, under content-hashed names, compressed.
    static = [r for r in responses if "/static/" in r.url]
    assert {r.url.rsplit("/", 1)[-1].split(".")[0] for r in static} == {"graphiql", "react", "react-dom"}
    assert all(r.status == 200 for r in static), [(r.url, r.status) for r in static]
    assert all(r.headers.get("content-encoding") == "gzip" for r in static)

    # The schema loaded: the documentation explorer lists the queries.
    page.get_by_role("button", name="Show Documentation Explorer").click()
    expect(page.locator(".graphiql-doc-explorer")).to_contain_text("Query")

    # The simplest query runs without a token.
    assert run(page, "{ __typename }") == {"data": {"__typename": "Query"}}

    check_accessibility(page)


def test_a_token_in_the_headers_tab_acts_as_its_user(page: Page, server: Api) -> None:
    open_graphiql(page)
    # Without a token, a field for users only is refused, with its code.
    anonymous = run(page, "{ orgUnits(level: REGION) { code } }")
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    # The Headers tab is open by default: paste the token as the page says.
    expect(page.locator(HEADERS)).to_be_visible()
    set_editor(page, f"{HEADERS} .CodeMirror", json.dumps({"Authorization": f"Bearer {server.admin_token}"}))
    answered = run(page, "{ orgUnits(level: REGION) { code } }")
    assert answered == {"data": {"orgUnits": [{"code": "ML-R1"}, {"code": "ML-R2"}]}}
    # For the picture, the token is shown as the page writes it: it changes from run to run.
    set_editor(page, f"{HEADERS} .CodeMirror", '{"Authorization": "Bearer <token>"}')
    screenshot(page, "graphiql")


def test_a_second_visit_takes_the_static_files_from_the_cache(page: Page) -> None:
    meter = NetworkMeter(page)
    open_graphiql(page)
    first = meter.total
    assert first > 500_000, meter.received  # GraphiQL's scripts and styles came over the network

    # The static files are immutable: a second visit downloads the page and the schema alone. (The
    # first visit's schema query is let finish first, so that it is not counted as the second's.)
    page.wait_for_load_state("networkidle")
    meter.reset()
    open_graphiql(page)
    page.wait_for_load_state("networkidle")
    assert not [(request, size) for request, size in meter.received if "/static/" in request and size > 0]
    assert meter.total <= 15_000, meter.received
    print(f"\nGraphiQL in chromium: first visit {first} bytes, second visit {meter.total}")
