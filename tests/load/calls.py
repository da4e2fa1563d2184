"""One GraphQL call over HTTP and what became of it, as the harness records every call.

Each call ends in one of five kinds. A fault may cause ``coded`` answers (the server says what
happened, with a stable code) and, when the process a client talks to is killed, ``transport``
failures; it must never cause ``uncoded`` answers (a plain 500, ``INTERNAL_SERVER_ERROR``, a body
that is not GraphQL) nor ``timeout`` (no answer within ``TIMEOUT_SECONDS``: a hang).
"""

import asyncio
import enum
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

TIMEOUT_SECONDS = 15.0  # a call unanswered for this long is a hang
# Codes after which the same command (same commandId) is sent again: the first answer may have
# been lost, or the server could not decide yet. Any other code refuses the command for good.
TRANSIENT_CODES = frozenset({"NOT_CAUGHT_UP", "SERVICE_UNAVAILABLE", "CONFLICT", "INTERNAL_SERVER_ERROR"})


class Kind(enum.StrEnum):
    OK = "ok"
    CODED = "coded"
    TRANSPORT = "transport"
    UNCODED = "uncoded"
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class Call:
    """One request: ``started`` in seconds since the run began, ``code`` empty when it succeeded."""

    operation: str
    user: str
    started: float
    seconds: float
    kind: Kind
    code: str
    message: str = ""

    @property
    def transient(self) -> bool:
        """Whether sending the same command again may still succeed."""
        return self.kind is not Kind.CODED or self.code in TRANSIENT_CODES or self.code.startswith("HTTP ")


@dataclass
class Journal:
    """Every call of a run, in the order they ended."""

    began: float = field(default_factory=time.monotonic)
    calls: list[Call] = field(default_factory=list)

    def now(self) -> float:
        return time.monotonic() - self.began

    async def call(
        self, http: httpx.AsyncClient, operation: str, user: str, query: str, variables: dict[str, Any]
    ) -> tuple[Call, dict[str, Any] | None]:
        """POSTs ``query`` to /graphql; the call as recorded, and the response's data when it succeeded."""
        started = self.now()
        data: dict[str, Any] | None = None
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                response = await http.post("/graphql", json={"query": query, "variables": variables})
            kind, code, message, data = classify(response)
        except TimeoutError:
            kind, code, message = Kind.TIMEOUT, "TIMEOUT", f"no answer in {TIMEOUT_SECONDS:.0f} s"
        except httpx.TimeoutException as error:
            kind, code, message = Kind.TIMEOUT, "TIMEOUT", type(error).__name__
        except httpx.TransportError as error:
            kind, code, message = Kind.TRANSPORT, type(error).__name__, str(error)[:200]
        call = Call(operation, user, started, self.now() - started, kind, code, message)
        self.calls.append(call)
        return call, data


def classify(response: httpx.Response) -> tuple[Kind, str, str, dict[str, Any] | None]:
    """(kind, code, message, data) of an HTTP answer."""
    try:
        body = response.json()
    except ValueError:
        body = None
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors:
        first = errors[0] if isinstance(errors[0], dict) else {}
        code = str((first.get("extensions") or {}).get("code") or "")
        message = str(first.get("message") or "")[:300]
        if code and code != "INTERNAL_SERVER_ERROR" and (response.status_code < 500 or response.status_code == 503):
            return Kind.CODED, code, message, None
        return Kind.UNCODED, code or f"HTTP {response.status_code}", message, None
    if response.status_code == 503:
        return Kind.CODED, "HTTP 503", response.text[:300], None
    if response.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        return Kind.UNCODED, f"HTTP {response.status_code}", response.text[:300], None
    return Kind.OK, "", "", body["data"]


def client(base: str, token: str) -> httpx.AsyncClient:
    """One keep-alive connection as ``token``; the harness's own timeout bounds each call."""
    return httpx.AsyncClient(
        base_url=base,
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT_SECONDS + 5,
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
    )
