"""A minimal HTTP/1.1 keep-alive client for the API benchmark's load.

The benchmark's clients share the machine's two cores with the server. httpx spends about
2.3 ms of CPU a request (measured: 2.35 ms a mutation with 8 clients), which the server then
cannot use; this client writes the request and reads a ``Content-Length`` response on one
connection, and spends a fraction of that. It is only for the benchmark: one request at a time
per connection, no TLS, no redirects, no chunked bodies.
"""

import asyncio
from types import TracebackType
from typing import Any, Self

import orjson


class HttpError(Exception):
    pass


class Connection:
    """One keep-alive connection to ``host:port``, sending JSON POSTs with a bearer token."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.head = f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> Self:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()

    async def post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        """The status and the decoded JSON body of ``POST path`` with ``body``."""
        assert self.reader is not None and self.writer is not None
        data = orjson.dumps(body)
        self.writer.write(f"POST {path} HTTP/1.1\r\n{self.head}Content-Length: {len(data)}\r\n\r\n".encode() + data)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = None
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
            elif name.strip().lower() == "transfer-encoding":
                raise HttpError(f"unexpected transfer-encoding {value.strip()}")
        if length is None:
            raise HttpError("a response without Content-Length")
        return status, orjson.loads(await self.reader.readexactly(length))
