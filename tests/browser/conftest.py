"""Browser tests: Playwright (sync API) driving Debian's ``chromium`` against a live ``hrh serve``.

No browser is downloaded (these machines cannot): Playwright launches the ``chromium`` on PATH
(Debian's package; ``.ci/run`` installs it). Without one the tests skip and say why, unless
``HRH_REQUIRE_BROWSER=1`` (CI sets it), when they fail.

Fixtures:
- ``server``: ``hrh serve`` on a fresh database, with an admin token and the e2e org tree
  (``tests.e2e.api_support``), shared by the session's browser tests;
- ``page``: a fresh browser context (no cookies, an empty cache) on ``server``, in French and
  Bamako's time zone by default (override ``context_options`` in a module to change that),
  guarded: a request or a web socket to any other host fails the test (and reaches nothing: the
  browser's proxy does not exist), and so does an uncaught script error.

Helpers, in ``tests.browser.support``: ``check_accessibility`` (axe-core) and ``screenshot``.
"""

import os
import shutil
from collections.abc import Iterator
from typing import Any, NoReturn

import pytest
from playwright.sync_api import Browser, Error, Page, Playwright, sync_playwright

from tests.browser.support import NO_PROXY, Guard
from tests.e2e.api_support import Api, live_server

REQUIRE = "HRH_REQUIRE_BROWSER"
TIMEOUT_MS = 15_000


def no_browser(reason: str) -> NoReturn:
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{REQUIRE}=1 and {reason}: install Debian's chromium (apt-get install chromium)", pytrace=False)
    pytest.skip(f"no chromium: {reason}; install Debian's chromium package to run the browser tests")


# Module-scoped, not session-scoped: while Playwright's sync API is open, its event loop runs in the
# main thread, and any later test that calls asyncio.run() would fail.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        no_browser("`chromium` is not on PATH")
    try:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, proxy=NO_PROXY)
    except Error as error:
        no_browser(f"{executable} did not start: {str(error).splitlines()[0]}")
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def server(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """``hrh serve`` on a free port against a fresh database, with the admin token ``server.admin_token``."""
    with live_server(server_url, tmp_path_factory.mktemp("browser")) as live:
        yield live


@pytest.fixture
def context_options() -> dict[str, Any]:
    """Options of each test's browser context; a module overrides this fixture to change them."""
    return {"locale": "fr-FR", "timezone_id": "Africa/Bamako", "viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def page(browser: Browser, server: Api, context_options: dict[str, Any]) -> Iterator[Page]:
    """A page in a fresh context on ``server``; afterwards, fails the test if a request left for another host or
    a script raised."""
    # bypass_csp: the accessibility check injects axe-core as an inline script, whatever the page's policy.
    context = browser.new_context(base_url=server.base, bypass_csp=True, **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    guard = Guard(server.base)
    guard.install(context)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()
    guard.check()
