"""Static files under names that carry a hash of their content, compressed, cached for a year.

``static_url("vendor/chart.umd.min.js")`` is ``/static/vendor/chart.umd.min.3f288f4f.js``. A new
version of a file has a new name, so a browser may keep each one for a year without asking again
(``Cache-Control: immutable``): a page visited a second time over 3G costs its HTML only. A name
whose hash is not the content's (a page cached before an upgrade) is a 404, never another file.

The hashes are computed once, when the app is built (:func:`install`); the files are read then and
held in memory, and each one is compressed once, the first time a browser asks for it.
"""

import functools
import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

STATIC_DIR = Path(__file__).with_name("static")
PREFIX = "/static/"
CACHE_FOREVER = "public, max-age=31536000, immutable"
HASH_LENGTH = 8
MINIMUM_COMPRESSED_SIZE = 500
"""Bytes below which a response goes uncompressed: gzip's header and a round of CPU gain nothing."""
PAGE_COMPRESSION_LEVEL = 6
"""gzip's level for pages and API answers, compressed on every request: 9 costs far more CPU for a few bytes.
The static files are compressed once, at 9."""

MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".md": "text/plain; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    "": "text/plain; charset=utf-8",  # LICENSE and its kind
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
COMPRESSIBLE = ("text/", "application/json", "image/svg+xml")


class UnknownStaticFile(LookupError):
    """Raised when a page asks for the URL of a file that is not under ``api/web/static``."""

    code = "STATIC_FILE_UNKNOWN"

    def __init__(self, name: str) -> None:
        super().__init__(f"{self.code}: no static file {name!r} under {STATIC_DIR}")
        self.name = name


@dataclass(frozen=True)
class StaticFile:
    """One file: its name under the static folder, the name it is served under, its bytes."""

    name: str
    hashed_name: str
    content: bytes
    media_type: str

    @property
    def compressible(self) -> bool:
        return len(self.content) >= MINIMUM_COMPRESSED_SIZE and self.media_type.startswith(COMPRESSIBLE)

    @functools.cached_property
    def gzipped(self) -> bytes:
        """The content gzipped (level 9, no timestamp: the same bytes in every process)."""
        return gzip.compress(self.content, compresslevel=9, mtime=0)


class StaticFiles:
    """The files under ``root`` (hidden ones aside), by name and by the name they are served under."""

    def __init__(self, root: Path) -> None:
        self.root = root
        files = [load(root, path) for path in sorted(root.rglob("*")) if served(root, path)]
        self.by_name = {file.name: file for file in files}
        self.by_hashed_name = {file.hashed_name: file for file in files}

    def url(self, name: str) -> str:
        """The URL of the file ``name`` (a path under the static folder, with ``/``)."""
        found = self.by_name.get(name)
        if found is None:
            raise UnknownStaticFile(name)
        return PREFIX + found.hashed_name

    async def serve(self, request: Request) -> Response:
        """GET /static/<hashed name>: the file, gzipped when the browser accepts it; else a 404."""
        found = self.by_hashed_name.get(request.path_params["name"])
        if found is None:
            return PlainTextResponse(
                "STATIC_FILE_NOT_FOUND: no such static file; a page names them with the hash of their "
                "current content, and this name is unknown or its hash is stale.",
                status_code=404,
                headers={"Cache-Control": "no-store"},
            )
        headers = {"Cache-Control": CACHE_FOREVER, "X-Content-Type-Options": "nosniff"}
        if not found.compressible:
            return Response(found.content, media_type=found.media_type, headers=headers)
        headers["Vary"] = "Accept-Encoding"
        if not accepts_gzip(request.headers.get("accept-encoding", "")):
            return Response(found.content, media_type=found.media_type, headers=headers)
        # Already compressed: the app's GZipMiddleware passes a response with a Content-Encoding through.
        headers["Content-Encoding"] = "gzip"
        return Response(found.gzipped, media_type=found.media_type, headers=headers)


def served(root: Path, path: Path) -> bool:
    return path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)


def load(root: Path, path: Path) -> StaticFile:
    content = path.read_bytes()
    name = PurePosixPath(path.relative_to(root).as_posix())
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    # The hash goes before the suffix ("chart.umd.min.3f288f4f.js"), so the type still shows.
    hashed = f"{name.stem}.{digest}{name.suffix}" if name.suffix else f"{name.name}.{digest}"
    media_type = MEDIA_TYPES.get(name.suffix) or mimetypes.guess_type(name.name)[0] or "application/octet-stream"
    return StaticFile(name=str(name), hashed_name=str(name.with_name(hashed)), content=content, media_type=media_type)


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` value accepts gzip: named (or else ``*``) with a quality above 0."""
    qualities: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, *parameters = (part.strip() for part in item.split(";"))
        quality = next((p[2:].strip() for p in parameters if p.lower().startswith("q=")), "1")
        try:
            qualities[coding.lower()] = float(quality)
        except ValueError:
            qualities[coding.lower()] = 0.0
    for coding in ("gzip", "x-gzip", "*"):
        if coding in qualities:
            return qualities[coding] > 0
    return False


@functools.cache
def static_files() -> StaticFiles:
    """The files of ``api/web/static``, read and hashed on the first call (:func:`install` makes it)."""
    return StaticFiles(STATIC_DIR)


def static_url(name: str) -> str:
    """The URL of ``api/web/static/<name>``, with its content hash: what pages and templates link to."""
    return static_files().url(name)


def install(app: FastAPI) -> None:
    """Serves the static files at ``/static/`` and compresses every response of ``app`` worth it."""
    files = static_files()
    app.add_route(PREFIX + "{name:path}", files.serve, methods=["GET", "HEAD"], include_in_schema=False)
    app.add_middleware(GZipMiddleware, minimum_size=MINIMUM_COMPRESSED_SIZE, compresslevel=PAGE_COMPRESSION_LEVEL)
