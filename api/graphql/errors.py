"""Errors as clients see them: a stable ``extensions.code`` and a message a person can act on.

Refused commands keep their domain code. Anything unexpected is masked: no stack trace or SQL
ever reaches a client, only ``INTERNAL_SERVER_ERROR`` (the server logs the rest).
"""

import logging
from collections.abc import Iterator

import asyncpg
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from api.access import Forbidden, Unauthenticated
from domain.errors import DomainError

log = logging.getLogger("hrh.api")


class ClientError(Exception):
    """Raised for a request the client can correct; carries a stable code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


EXPECTED = (ClientError, DomainError, Forbidden, Unauthenticated)
# PostgreSQL refuses a NUL in text; it can only come from an argument the client sent.
UNSTORABLE = (asyncpg.CharacterNotInRepertoireError, asyncpg.UntranslatableCharacterError)
UNSTORABLE_MESSAGE = (
    "A text argument contains a NUL or another character that cannot be stored; remove it and send again."
)


def code_of(error: GraphQLError) -> str:
    original = error.original_error
    if original is None:
        message = error.message
        if "Expected value of type" in message or "Variable" in message or "cannot represent" in message:
            return "BAD_USER_INPUT"
        return "GRAPHQL_VALIDATION_FAILED"
    if isinstance(original, EXPECTED):
        return str(original.code)
    if isinstance(original, UNSTORABLE):
        return "BAD_USER_INPUT"
    if error.path is None:
        return "BAD_USER_INPUT"  # raised before execution: a variable that does not coerce
    return "INTERNAL_SERVER_ERROR"


class ErrorCodes(SchemaExtension):
    """Adds ``extensions.code`` to every error and masks the unexpected ones."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        shown = []
        for error in result.errors:
            code = code_of(error)
            if code == "INTERNAL_SERVER_ERROR":
                log.error("unexpected error", exc_info=error.original_error)
                error = GraphQLError("Something went wrong on the server; it has been logged.", path=error.path)
            elif isinstance(error.original_error, UNSTORABLE):
                error = GraphQLError(UNSTORABLE_MESSAGE, path=error.path)
            shown.append(
                GraphQLError(
                    error.message,
                    nodes=error.nodes,
                    source=error.source,
                    positions=error.positions,
                    path=error.path,
                    extensions={**(error.extensions or {}), "code": code},
                )
            )
        result.errors = shown
