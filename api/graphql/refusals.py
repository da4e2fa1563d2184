"""Requests refused before GraphQL runs, answered as GraphQL errors with a stable code.

strawberry answers a malformed request (a body that is not JSON, a missing query, a mutation sent
by GET) with a plain-text reason; starlette answers a body over the limit with plain text too. A
client then has one shape to read whatever went wrong: ``{"errors": [{"message", "extensions":
{"code"}}]}``, with the HTTP status that says who must act (4xx the client, 503 later).
"""

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi.exception_handlers import http_exception_handler
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

GRAPHQL_PATH = "/graphql"


def refusal(message: str, code: str, status_code: int) -> JSONResponse:
    """A GraphQL response holding one error, ``code``, and no data."""
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status_code)


def query_too_long(length: int, limit: int) -> str:
    return (
        f"The query text is {length:,} characters long; the limit is {limit:,}. "
        "Send a shorter query, with the values as variables."
    )


def body_too_large(limit: int) -> str:
    return f"The request body is over {limit:,} bytes; send a smaller one (a query, its variables, nothing more)."


def too_large_handler(limit: int) -> Any:
    """An exception handler for HTTP 413: a GraphQL error at /graphql, FastAPI's answer elsewhere."""

    async def handle(request: Request, error: Exception) -> Response:
        if request.url.path == GRAPHQL_PATH:
            return refusal(body_too_large(limit), "BAD_USER_INPUT", 413)
        assert isinstance(error, HTTPException)
        return await http_exception_handler(request, error)

    return handle


def codes_in(response_data: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> set[str]:
    """The ``extensions.code`` of every error in a GraphQL response (or a batch of them)."""
    results = [response_data] if isinstance(response_data, Mapping) else response_data
    return {
        str((error.get("extensions") or {}).get("code"))
        for result in results
        for error in (result.get("errors") or [])
        if isinstance(error, Mapping)
    }
