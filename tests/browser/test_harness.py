"""The browser tests' own machinery does what it claims: a browser that is missing skips or fails as asked, the
guard sees a request to another host (which reaches nothing), and the accessibility check finds a serious fault."""

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import REQUIRE, no_browser
from tests.browser.support import Guard, check_accessibility
from tests.e2e.api_support import Api

ELSEWHERE = "http://203.0.113.7/tracker.js"  # TEST-NET-3: no such host


def test_without_chromium_a_developer_is_told_and_ci_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE, raising=False)
    with pytest.raises(pytest.skip.Exception, match="no chromium: `chromium` is not on PATH"):
        no_browser("`chromium` is not on PATH")
    monkeypatch.setenv(REQUIRE, "1")
    with pytest.raises(pytest.fail.Exception, match="HRH_REQUIRE_BROWSER=1 and `chromium` is not on PATH"):
        no_browser("`chromium` is not on PATH")


@pytest.mark.browser
@pytest.mark.integration
def test_the_guard_sees_every_request_to_another_host_and_none_arrives(browser: Browser, server: Api) -> None:
    context = browser.new_context(base_url=server.base)
    guard = Guard(server.base)
    guard.install(context)
    page = context.new_page()
    try:
        page.goto("/healthz")
        outcome = page.evaluate("url => fetch(url).then(() => 'arrived', () => 'failed')", ELSEWHERE)
        page.evaluate("() => { new WebSocket('ws://203.0.113.7/socket'); }")
        page.wait_for_timeout(200)
    finally:
        context.close()
    assert outcome == "failed"
    assert guard.foreign == [f"GET {ELSEWHERE}", "WEBSOCKET ws://203.0.113.7/socket"]
    with pytest.raises(pytest.fail.Exception, match="2 request"):
        guard.check()


@pytest.mark.browser
@pytest.mark.integration
def test_the_accessibility_check_fails_on_an_input_without_a_label(page: Page) -> None:
    page.set_content("<!doctype html><html lang='en'><title>t</title><main><input type='text'></main></html>")
    with pytest.raises(pytest.fail.Exception, match="critical label"):
        check_accessibility(page)
    # Labelled, the input passes; what axe still finds is below serious, and returned.
    page.set_content(
        "<!doctype html><html lang='en'><title>t</title><main><label>Name <input type='text'></label></main></html>"
    )
    assert [violation["id"] for violation in check_accessibility(page)] == ["page-has-heading-one"]
