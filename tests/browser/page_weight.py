"""A page's weight over the network, in bytes: what a browser downloads on a first visit, and with its static files
cached (issue 17's budgets: an HR form page at most 60 KB on a first visit and 15 KB cached, the dashboard at
most 500 KB on a first visit).

Bytes are counted as HTTP/1.1 sends them, compressed: each response's status line, headers and body. The requests
are not counted. A static file is named by its content hash and cached as immutable, so a visit with the cache
warm downloads the page alone.
"""

import gzip
import re
from dataclasses import dataclass, field

import httpx

STATIC_LINK = re.compile(r"""(?:src|href)=["'](/static/[^"']+)["']""")
CSS_URL = re.compile(r"""url\(\s*["']?(/static/[^"')]+)["']?\s*\)""")
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Encoding": "gzip"}


@dataclass(frozen=True)
class Weight:
    """A page's bytes, and those of each static file it loads (by URL)."""

    url: str
    page: int
    files: dict[str, int] = field(default_factory=dict)

    @property
    def first_visit(self) -> int:
        return self.page + sum(self.files.values())

    @property
    def cached_visit(self) -> int:
        return self.page


def transferred(client: httpx.Client, url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """The bytes of ``url``'s response as sent, and its body decompressed. Fails unless it is a 200."""
    with client.stream("GET", url, headers={**BROWSER, **(headers or {})}) as response:
        sent = b"".join(response.iter_raw())
        assert response.status_code == 200, f"GET {url}: {response.status_code}"
        head = len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n") + 2
        head += sum(len(name) + len(value) + 4 for name, value in response.headers.raw)
        encoding = response.headers.get("content-encoding", "identity")
    assert encoding in ("gzip", "identity"), f"GET {url}: Content-Encoding {encoding}"
    return head + len(sent), gzip.decompress(sent) if encoding == "gzip" else sent


def weigh(client: httpx.Client, url: str, headers: dict[str, str] | None = None) -> Weight:
    """The weight of the page at ``url`` (with ``headers``, e.g. a session cookie) and of the static files it
    names (``src``/``href``, and ``url(...)`` inside its style sheets)."""
    page, html = transferred(client, url, headers)
    files: dict[str, int] = {}
    waiting = STATIC_LINK.findall(html.decode())
    while waiting:
        link = waiting.pop(0)
        if link in files:
            continue
        files[link], content = transferred(client, str(httpx.URL(url).join(link)))
        if link.endswith(".css"):
            waiting.extend(CSS_URL.findall(content.decode()))
    return Weight(url, page, files)
