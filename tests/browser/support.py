"""What every browser test uses: the guard against other hosts, axe-core, screenshots."""

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Error, Locator, Page, ProxySettings

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tests" / "conformance" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("HRH_SCREENSHOTS") or ROOT / ".screenshots")
"""Where the stories' last pages are kept for review: ``.screenshots/`` (not tracked), or the folder
``HRH_SCREENSHOTS`` names; ``make screenshots`` writes them to ``docs/img/web/`` for docs/web.md."""
NO_PROXY: ProxySettings = {"server": "http://127.0.0.1:9", "bypass": "127.0.0.1"}
"""The browser's proxy: nothing listens there, so any request to another host fails at once; the server's address
alone is reached directly."""
BLOCKING_IMPACTS = ("serious", "critical")
SCREENSHOT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class Guard:
    """Remembers every request and web socket to a host other than the server's (DESIGN: "every page and
    GraphiQL load only from hrh itself"), and every uncaught script error; :meth:`check` fails the test on any.

    It only watches: the browser is launched behind a proxy that does not exist (:data:`NO_PROXY`), so nothing
    reaches another host anyway. Playwright's request interception would block too, but it turns the HTTP cache
    off, and a page's weight on a second visit depends on it.
    """

    def __init__(self, base: str) -> None:
        self.netloc = urlsplit(base).netloc
        self.foreign: list[str] = []
        self.script_errors: list[str] = []

    def install(self, context: BrowserContext) -> None:
        context.on("request", lambda request: self.saw(request.method, request.url))
        context.on("page", self.watch)

    def watch(self, page: Page) -> None:
        page.on("websocket", lambda socket: self.saw("WEBSOCKET", socket.url))
        page.on("pageerror", self.script_error)

    def leaves(self, url: str) -> bool:
        """Whether ``url`` goes to another host (data:, blob: and about: URLs go nowhere)."""
        parts = urlsplit(url)
        return parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.netloc

    def saw(self, method: str, url: str) -> None:
        if self.leaves(url):
            self.foreign.append(f"{method} {url}")

    def script_error(self, error: Error) -> None:
        self.script_errors.append(error.stack or error.message)

    def check(self) -> None:
        if self.foreign:
            pytest.fail(
                f"{len(self.foreign)} request(s) left for another host than {self.netloc} "
                "(every page must load only from hrh):\n" + "\n".join(self.foreign),
                pytrace=False,
            )
        if self.script_errors:
            pytest.fail("uncaught script error(s) on the page:\n" + "\n\n".join(self.script_errors), pytrace=False)


def check_accessibility(page: Page, *, exclude: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Runs axe-core on the page as it is now and fails on any serious or critical violation.

    ``exclude``: CSS selectors of parts axe skips (each use says why). Returns the other violations
    (moderate, minor), for a test that wants to say more.
    """
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed ({AXE}): run `npm ci --prefix tests/conformance` (make test does)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=AXE)
    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    results = page.evaluate(
        "async (context) => await axe.run(context ?? document, { resultTypes: ['violations'] })", context
    )
    violations: list[dict[str, Any]] = results["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        pytest.fail(
            f"axe-core found serious or critical violations on {page.url}:\n{describe(blocking)}", pytrace=False
        )
    return [v for v in violations if v.get("impact") not in BLOCKING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['impact']} {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            lines.append(f"    {json.dumps(node['target'])}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def screenshot(page: Page, name: str, *, mask: tuple[Locator, ...] = ()) -> Path:
    """Saves the whole page as ``<SCREENSHOTS>/<name>.png`` (for review, and for docs/web.md) and returns the path.

    ``mask``: parts painted over in grey (a token, or anything else that differs from run to run).
    """
    if not SCREENSHOT_NAME.match(name):
        raise ValueError(f"a screenshot's name is lower-case letters, digits and '-': {name!r}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=True, animations="disabled", mask=list(mask), mask_color="#d0d4da")
    return path


class NetworkMeter:
    """Counts the bytes chromium receives over the network for a page (headers and compressed bodies, as the
    DevTools protocol's ``encodedDataLength`` counts them); what its cache serves counts 0."""

    def __init__(self, page: Page) -> None:
        self.urls: dict[str, str] = {}
        self.received: list[tuple[str, int]] = []
        session = page.context.new_cdp_session(page)
        session.on("Network.requestWillBeSent", self.sent)
        session.on("Network.loadingFinished", self.finished)
        session.send("Network.enable")

    def sent(self, event: dict[str, Any]) -> None:
        request = event["request"]
        if request["url"].startswith(("http:", "https:")):  # a data: URL is no download
            self.urls[event["requestId"]] = f"{request['method']} {request['url']}"

    def finished(self, event: dict[str, Any]) -> None:
        if event["requestId"] in self.urls:
            self.received.append((self.urls[event["requestId"]], int(event["encodedDataLength"])))

    @property
    def total(self) -> int:
        return sum(size for _, size in self.received)

    def reset(self) -> None:
        self.received.clear()
