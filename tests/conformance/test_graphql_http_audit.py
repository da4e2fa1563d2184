"""The GraphQL-over-HTTP conformance audit of the npm package graphql-http (``auditServer``), run by
tests/conformance/audit.mjs against a live ``hrh serve`` with the admin token: no MUST audit may fail.

Needs node (>= 18) and the packages of tests/conformance/package-lock.json (``make test`` installs them with
``npm ci --prefix tests/conformance``); without them this test fails, it does not skip.
"""

import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from tests.e2e.api_support import Api, live_server

pytestmark = pytest.mark.integration

HERE = Path(__file__).resolve().parent
AUDIT = HERE / "audit.mjs"
INSTALL = "npm ci --prefix tests/conformance"
# "<status> <id> <name>", e.g. "ok 4655 MUST accept application/json and match the content-type"
RESULT = re.compile(r"^(ok|notice|warn|error) (\S+) ((?:MUST|SHOULD|MAY) .*)$")
SUMMARY = re.compile(r"^SUMMARY ok=(\d+) notice=(\d+) warn=(\d+) error=(\d+) must_failed=(\d+) total=(\d+)$")


@pytest.fixture(scope="module")
def api(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with live_server(server_url, tmp_path_factory.mktemp("graphql_http_audit")) as live:
        yield live


def node() -> str:
    found = shutil.which("node")
    assert found, "node is not on PATH: install Node.js >= 18 to run the GraphQL-over-HTTP audit"
    version = subprocess.run([found, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    assert int(version.lstrip("v").split(".")[0]) >= 18, f"node {version} is too old for graphql-http: need >= 18"
    return found


def test_the_node_packages_are_installed() -> None:
    """The packages in node_modules are the ones package.json pins."""
    pinned = json.loads((HERE / "package.json").read_text())["dependencies"]
    for name, version in pinned.items():
        manifest = HERE / "node_modules" / name / "package.json"
        assert manifest.is_file(), f"{name} is not installed: run `{INSTALL}` (make test does it)"
        installed = json.loads(manifest.read_text())["version"]
        assert installed == version, f"{name} {installed} is installed, package.json pins {version}: run `{INSTALL}`"


def test_no_must_audit_fails(api: Api) -> None:
    test_the_node_packages_are_installed()
    env = {**os.environ, "GRAPHQL_URL": f"{api.base}/graphql", "GRAPHQL_TOKEN": api.admin_token}
    run = subprocess.run([node(), str(AUDIT)], env=env, capture_output=True, text=True, timeout=120, check=False)
    output = f"stdout:\n{run.stdout}\nstderr:\n{run.stderr}"
    assert run.returncode == 0, f"audit.mjs exited with {run.returncode}\n{output}"

    lines = run.stdout.splitlines()
    results = [match.groups() for line in lines if (match := RESULT.match(line))]
    summaries = [match for line in lines if (match := SUMMARY.match(line))]
    assert len(summaries) == 1, output
    ok, notice, warn, error, must_failed, total = map(int, summaries[0].groups())
    assert len(results) == total == ok + notice + warn + error, output
    assert total >= 50, f"the audit ran only {total} checks\n{output}"  # graphql-http 1.23 has 61
    failed_musts = [f"{status} {audit_id} {name}" for status, audit_id, name in results if name.startswith("MUST")]
    failed_musts = [line for line in failed_musts if not line.startswith("ok ")]
    assert not failed_musts, "MUST audits failed:\n" + "\n".join(failed_musts) + f"\n{output}"
    assert must_failed == 0, output
    musts = [name for _, _, name in results if name.startswith("MUST")]
    assert len(musts) >= 10, output


class NotGraphQL(http.server.BaseHTTPRequestHandler):
    """Answers 404 to everything, and remembers the Authorization header of each request."""

    seen: ClassVar[list[str | None]] = []

    def do_GET(self) -> None:
        self.answer()

    def do_POST(self) -> None:
        self.answer()

    def answer(self) -> None:
        self.seen.append(self.headers.get("Authorization"))
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_error(404)

    def log_message(self, *args: object) -> None:
        pass


def test_the_audit_script_sends_the_token_and_reports_must_failures() -> None:
    """Against a server that is no GraphQL server at all, audit.mjs sends the token on every request, prints the
    failed MUST audits and exits 1."""
    test_the_node_packages_are_installed()
    NotGraphQL.seen.clear()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotGraphQL)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/graphql"
        command = [node(), str(AUDIT), url, "secret-token"]
        run = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    finally:
        server.shutdown()
        server.server_close()
    assert run.returncode == 1, f"stdout:\n{run.stdout}\nstderr:\n{run.stderr}"
    assert re.search(r"^error \S+ MUST ", run.stdout, re.MULTILINE), run.stdout
    assert re.search(r"must_failed=[1-9]", run.stdout), run.stdout
    assert NotGraphQL.seen, "the audit sent no request"
    assert set(NotGraphQL.seen) == {"Bearer secret-token"}, NotGraphQL.seen
