"""Static files (``api.web.static``): content-hashed names, a year's caching, compression, 404s.

No browser and no database: an app with nothing but the static files installed.
"""

import gzip
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient

from api.web.static import (
    CACHE_FOREVER,
    STATIC_DIR,
    StaticFiles,
    UnknownStaticFile,
    accepts_gzip,
    install,
    static_url,
)

CHART = "vendor/chart.umd.min.js"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = FastAPI()

    @app.get("/text")
    async def text() -> PlainTextResponse:
        return PlainTextResponse("a line of a page\n" * 100)

    install(app)
    with TestClient(app) as client:
        yield client


def raw(client: TestClient, url: str, accept_encoding: str = "gzip") -> tuple[int, dict[str, str], bytes]:
    """Status, headers and the bytes as sent (not decompressed)."""
    with client.stream("GET", url, headers={"Accept-Encoding": accept_encoding}) as response:
        return response.status_code, dict(response.headers), b"".join(response.iter_raw())


def test_a_url_names_the_file_with_the_hash_of_its_content() -> None:
    content = (STATIC_DIR / CHART).read_bytes()
    digest = hashlib.sha256(content).hexdigest()[:8]
    assert static_url(CHART) == f"/static/vendor/chart.umd.min.{digest}.js"
    assert static_url("vendor/graphiql/graphiql.min.css").startswith("/static/vendor/graphiql/graphiql.min.")


def test_a_new_content_gets_a_new_name_and_the_old_name_is_gone(tmp_path: Path) -> None:
    (tmp_path / "app.css").write_text("body { color: black; }")
    before = StaticFiles(tmp_path).url("app.css")
    (tmp_path / "app.css").write_text("body { color: navy; }")
    after = StaticFiles(tmp_path)
    assert after.url("app.css") != before
    assert before.removeprefix("/static/") not in after.by_hashed_name


def test_hidden_files_are_not_served_and_a_name_without_suffix_keeps_its_hash_last(tmp_path: Path) -> None:
    (tmp_path / ".secret").write_text("no")
    (tmp_path / "LICENSE").write_text("MIT")
    files = StaticFiles(tmp_path)
    assert list(files.by_name) == ["LICENSE"]
    assert files.url("LICENSE").startswith("/static/LICENSE.")


def test_an_unknown_name_is_refused_with_its_code() -> None:
    with pytest.raises(UnknownStaticFile, match=r"STATIC_FILE_UNKNOWN.*'vendor/nothing\.js'"):
        static_url("vendor/nothing.js")


def test_a_file_is_served_compressed_with_its_type_and_cached_for_a_year(client: TestClient) -> None:
    status, headers, body = raw(client, static_url(CHART))
    assert status == 200
    assert headers["content-type"] == "text/javascript; charset=utf-8"
    assert headers["cache-control"] == CACHE_FOREVER == "public, max-age=31536000, immutable"
    assert headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in headers["vary"]
    assert gzip.decompress(body) == (STATIC_DIR / CHART).read_bytes()
    assert len(body) < len((STATIC_DIR / CHART).read_bytes()) / 2


def test_a_browser_that_takes_no_gzip_gets_the_plain_bytes(client: TestClient) -> None:
    status, headers, body = raw(client, static_url("vendor/graphiql/graphiql.min.css"), "identity")
    assert status == 200
    assert headers["content-type"] == "text/css; charset=utf-8"
    assert "content-encoding" not in headers
    assert body == (STATIC_DIR / "vendor/graphiql/graphiql.min.css").read_bytes()


@pytest.mark.parametrize(
    "url",
    [
        "/static/vendor/chart.umd.min.js",  # no hash
        "/static/vendor/chart.umd.min.00000000.js",  # a stale hash
        "/static/vendor/nothing.12345678.js",
        "/static/../pyproject.toml",
        "/static/",
    ],
)
def test_an_unknown_or_stale_name_is_a_404(client: TestClient, url: str) -> None:
    status, headers, body = raw(client, url)
    assert status == 404
    assert "immutable" not in headers.get("cache-control", "")
    if url.startswith("/static/vendor/"):
        assert body.startswith(b"STATIC_FILE_NOT_FOUND")


def test_other_responses_are_compressed_from_500_bytes(client: TestClient) -> None:
    status, headers, body = raw(client, "/text")
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == b"a line of a page\n" * 100
    _, headers, _ = raw(client, static_url("vendor/graphiql/react.LICENSE.txt"))
    assert "content-encoding" in headers  # 1 KB of text
    _, headers, _ = raw(client, "/static/")  # a short 404
    assert "content-encoding" not in headers


@pytest.mark.parametrize(
    ("accept_encoding", "accepted"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.5", True),
        ("gzip;q=0, *", False),
        ("*", True),
        ("identity", False),
        ("", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding_is_read_with_its_qualities(accept_encoding: str, accepted: bool) -> None:
    assert accepts_gzip(accept_encoding) is accepted


def test_a_head_request_answers_the_headers_alone(client: TestClient) -> None:
    response = client.head(static_url(CHART), headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == CACHE_FOREVER
    assert response.content == b""
