"""What one request may cost, and what a client hears when PostgreSQL is down, over HTTP against a live ``hrh serve``.

A body over the limit is refused with HTTP 413 as it arrives, never read whole; a query text over the limit is
refused before it is parsed; a request that is not a GraphQL request at all is ``BAD_USER_INPUT``, never a 500;
and while the database is stopped every answer is HTTP 503 with ``SERVICE_UNAVAILABLE``, until it is back.
"""

import contextlib
import http.client
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
import pytest

from tests.e2e.api_support import LEAKS, NO_TOKEN, Api, codes_of, errors_of, live_server

pytestmark = pytest.mark.integration

MAX_BODY = 2**20  # the defaults of HRH_MAX_BODY_BYTES and HRH_MAX_QUERY_CHARS
MAX_QUERY = 64 * 1024
ORG_UNIT = "query($c: String!) { orgUnit(code: $c) { code } }"


@pytest.fixture(scope="module")
def api(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with live_server(server_url, tmp_path_factory.mktemp("api_limits")) as live:
        yield live


def post_raw(api: Api, body: bytes, token: str | None = None) -> httpx.Response:
    """POSTs ``body`` as it is (JSON or not) to /graphql, as ``token`` (None: the admin; NO_TOKEN: nobody)."""
    headers = {"Content-Type": "application/json"}
    token = api.admin_token if token is None else token
    if token != NO_TOKEN:
        headers["Authorization"] = f"Bearer {token}"
    return api.client.post(f"{api.base}/graphql", content=body, headers=headers)


def refusal(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The body of a refusal: ``status``, no data, every error with ``code`` and a message, nothing leaked."""
    assert response.status_code == status, (response.status_code, response.text[:2000])
    for leak in LEAKS:
        assert leak not in response.text, f"{leak!r} leaked: {response.text[:2000]}"
    body = response.json()
    assert isinstance(body, dict) and errors_of(body), body
    assert body.get("data") is None or all(v is None for v in body["data"].values()), body
    assert set(codes_of(body)) == {code}, body
    assert all(error["message"] for error in errors_of(body)), body
    return body


# Raw HTTP: the client sends part of a body, and reads the answer before sending the rest.


def connect(api: Api) -> socket.socket:
    address = urlsplit(api.base)
    # If the server waited for the whole body, the read below would wait forever: the timeout ends the test.
    return socket.create_connection((str(address.hostname), int(address.port or 80)), timeout=30)


def head(api: Api, extra: str) -> bytes:
    return (
        f"POST /graphql HTTP/1.1\r\nHost: {urlsplit(api.base).netloc}\r\nAuthorization: Bearer {api.admin_token}\r\n"
        f"Content-Type: application/json\r\n{extra}\r\n"
    ).encode()


def answer(sock: socket.socket) -> tuple[int, bytes]:
    response = http.client.HTTPResponse(sock)
    response.begin()
    return response.status, response.read()


def send_while_open(sock: socket.socket, data: bytes) -> None:
    """Sends ``data`` unless the server has already answered and closed the connection."""
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        sock.sendall(data)


def test_a_body_announced_over_the_limit_is_refused_before_it_is_sent(api: Api) -> None:
    with connect(api) as sock:
        sock.sendall(head(api, f"Content-Length: {50 * MAX_BODY}\r\n"))
        send_while_open(sock, b'{"query": "' + b" " * 65_536)  # then nothing more: 50 MB were announced
        status, body = answer(sock)
    assert status == 413, body[:500]


def test_a_chunked_body_is_refused_once_it_passes_the_limit_without_being_read_to_its_end(api: Api) -> None:
    chunk = b" " * 65_536
    with connect(api) as sock:
        sock.sendall(head(api, "Transfer-Encoding: chunked\r\n"))
        send_while_open(sock, b'b\r\n{"query": "\r\n')
        for _ in range(MAX_BODY // len(chunk) + 2):  # past the limit, and never the last (empty) chunk
            send_while_open(sock, f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        status, body = answer(sock)
    assert status == 413, body[:500]
    error = orjson.loads(body)["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and f"{MAX_BODY:,} bytes" in error["message"]


def test_a_query_text_over_the_limit_is_refused_before_it_is_parsed(api: Api) -> None:
    # Not even valid GraphQL: parsed, it would be a syntax error.
    query = "{ __typename " + "#" * MAX_QUERY
    body = refusal(post_raw(api, orjson.dumps({"query": query})), 400, "BAD_USER_INPUT")
    assert f"{MAX_QUERY:,}" in body["errors"][0]["message"]
    # Within the limit, a long comment is no token: the query is answered.
    padded = "# " + "x" * (MAX_QUERY - 100) + "\n{ __typename }"
    assert api.data(padded) == {"__typename": "Query"}
    # And a body under the byte limit made of variables the query does not use is answered too.
    variables = {"unused": "v" * (MAX_BODY // 2)}
    response = api.client.post(
        f"{api.base}/graphql",
        json={"query": "{ __typename }", "variables": variables},
        headers={"Authorization": f"Bearer {api.admin_token}"},
    )
    assert response.status_code == 200 and response.json() == {"data": {"__typename": "Query"}}


MALFORMED = {
    "a-json-string": b'"query { __typename }"',
    "a-json-number": b"42",
    "json-null": b"null",
    "not-json": b'{"query": ',
    "a-lone-surrogate-in-a-variable": b'{"query": "' + ORG_UNIT.encode() + b'", "variables": {"c": "A\\ud800"}}',
    "a-lone-low-surrogate-in-a-variable": b'{"query": "' + ORG_UNIT.encode() + b'", "variables": {"c": "\\udc00"}}',
    "a-lone-surrogate-in-a-mutation": (
        b'{"query": "mutation($i: DefineCadreInput!) { defineCadre(input: $i) { position } }", '
        b'"variables": {"i": {"code": "X-1", "name": "Nurse \\ud83d", "group": "NURSE", "qualified": true}}}'
    ),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_request_that_is_not_a_graphql_request_is_bad_user_input(api: Api, name: str) -> None:
    position = api.ledger_position()
    for token in (None, NO_TOKEN):
        refusal(post_raw(api, MALFORMED[name], token), 400, "BAD_USER_INPUT")
    assert api.ledger_position() == position


def test_a_well_paired_surrogate_is_still_text(api: Api) -> None:
    body = b'{"query": "' + ORG_UNIT.encode() + b'", "variables": {"c": "\\ud83d\\ude00"}}'
    response = post_raw(api, body)
    assert response.status_code == 200 and response.json() == {"data": {"orgUnit": None}}


# The database stops, then comes back.

SERVER = """
import sys
from pathlib import Path
from api.database import start_embedded
print(start_embedded(Path(sys.argv[1])), flush=True)
sys.stdin.read()  # until the test closes it; the server stops when this process exits
"""


class Database:
    """An embedded PostgreSQL of the test's own, run by a child process: closing its stdin stops it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> str:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(self.folder)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        url = self.process.stdout.readline().strip()
        assert url.startswith("postgresql://"), f"the embedded server did not start: {url!r}"
        return url

    def stop(self) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.close()
        assert self.process.wait(timeout=60) == 0
        assert not (self.folder / "pgdata" / "postmaster.pid").exists()


@pytest.fixture
def own_database() -> Iterator[Database]:
    database = Database(Path(f"/tmp/hrh-outage-{uuid.uuid4().hex[:8]}"))  # unix socket paths must stay short
    try:
        yield database
    finally:
        if database.process is not None and database.process.poll() is None:
            database.stop()
        shutil.rmtree(database.folder, ignore_errors=True)


def test_while_the_database_is_down_every_answer_is_503_service_unavailable(
    own_database: Database, tmp_path: Path
) -> None:
    url = own_database.start()
    with live_server(url, tmp_path, tree=False) as api:
        planner = api.create_user("planner-outage", "PLANNER")
        read = ("query { cadres { code } }", None)
        define = "mutation($i: DefineCadreInput!) { defineCadre(input: $i) { position } }"
        nurse = {"i": {"code": "NURSE", "name": "Nurse", "group": "NURSE", "qualified": True}}
        write = (define, {"i": {"code": "MIDWIFE", "name": "Midwife", "group": "MIDWIFE", "qualified": True}})
        api.data(define, nurse)  # answered once the read tables hold it
        assert api.data(*read) == {"cadres": [{"code": "NURSE"}]}

        own_database.stop()
        try:
            for query, variables, token in [(*read, None), (*read, planner), (*write, None)]:
                response = api.client.post(
                    f"{api.base}/graphql",
                    json={"query": query, "variables": variables or {}},
                    headers={"Authorization": f"Bearer {token or api.admin_token}"},
                )
                body = refusal(response, 503, "SERVICE_UNAVAILABLE")
                assert "later" in body["errors"][0]["message"]
            health = api.client.get(f"{api.base}/healthz")
            assert health.status_code == 503 and health.json()["status"] == "unavailable"
        finally:  # the scratch database is dropped on the way out
            restarted = own_database.start()

        # Back: the same server answers again, and the command sent during the outage was not recorded.
        assert restarted == url
        wait_until(lambda: api.client.get(f"{api.base}/healthz").status_code == 200)
        assert api.data(*read, planner) == {"cadres": [{"code": "NURSE"}]}
        # Sent again, as the message says, it is recorded (the projection runner may still be waiting to retry).
        position = api.ledger_position()
        assert set(codes_of(api.post(*write))) <= {"NOT_CAUGHT_UP"}
        assert api.ledger_position() == position + 1


def wait_until(condition: Any) -> None:
    for _ in range(300):
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("the server did not recover")
