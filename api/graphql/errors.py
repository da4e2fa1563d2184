"""Errors as clients see them: a stable ``extensions.code`` and a message a person can act on.

Refused commands keep their domain code. A refusal with parameters also gives them in
``extensions.params`` (dates and date-times as ISO strings), so that a client can render the
message in its reader's language. A database that cannot be reached is
``SERVICE_UNAVAILABLE`` (the endpoint answers it with HTTP 503): the request may be sent again
later. Anything unexpected is masked: no stack trace or SQL ever reaches a client, only
``INTERNAL_SERVER_ERROR`` (the server logs the rest).
"""

import logging
from collections.abc import Iterator
from datetime import date

import asyncpg
import eventsourcing.persistence
import psycopg
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from api.access import Forbidden, Unauthenticated
from domain.errors import DomainError, Param, Refusal

log = logging.getLogger("hrh.api")


class ClientError(Refusal):
    """Raised for a request the client can correct; carries a stable code, and a message template plus
    parameters as the domain's refusals do (``ClientError(N_("first must be ... got {first}."),
    "BAD_USER_INPUT", first=first)``)."""

    def __init__(self, template: str, code: str, /, **params: Param) -> None:
        super().__init__(template, **params)
        self.code = code


def json_params(params: dict[str, Param]) -> dict[str, str | int | float | None]:
    """A refusal's parameters as JSON values: dates and date-times as ISO strings."""
    return {name: value.isoformat() if isinstance(value, date) else value for name, value in params.items()}


EXPECTED = (ClientError, DomainError, Forbidden, Unauthenticated)
# PostgreSQL refuses a NUL in text; it can only come from an argument the client sent.
UNSTORABLE = (asyncpg.CharacterNotInRepertoireError, asyncpg.UntranslatableCharacterError)
UNSTORABLE_MESSAGE = (
    "A text argument contains a NUL or another character that cannot be stored; remove it and send again."
)
OUT_OF_RANGE_MESSAGE = (
    "A value in the request cannot be stored or compared: a date-time before year 1 or after 9999 once in UTC, "
    "a number past 2^63, or text that is not UTF-8; correct it and send again."
)
# The database is down, restarting, out of connections, or the link to it broke: the read side
# (asyncpg), the write side (psycopg, wrapped by eventsourcing), and the sockets under both.
UNAVAILABLE = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    # A connection the server dropped in the middle of an operation: asyncpg's protocol then refuses
    # the next state change ("cannot switch to state 12; another operation is in progress").
    asyncpg.InternalClientError,
    # A read replica cancelled the query to replay the primary's WAL ("conflict with recovery",
    # ``api.read_routing``): the same query, sent again, runs.
    asyncpg.SerializationError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    eventsourcing.persistence.OperationalError,
    eventsourcing.persistence.InterfaceError,
)
UNAVAILABLE_MESSAGE = (
    "The database cannot be reached just now. Send the request again later; "
    "with the same commandId, a command is never recorded twice."
)


def unavailable(error: BaseException | None) -> bool:
    """Whether ``error``, or an error it was raised from (``raise ... from``), says the database cannot be reached."""
    for _ in range(10):
        if error is None:
            return False
        if isinstance(error, UNAVAILABLE):
            return True
        error = error.__cause__
    return False


def out_of_range(error: BaseException | None) -> bool:
    """Whether ``error`` is asyncpg's refusal to encode an argument the client sent: a value past the range of
    its column type (a date-time that overflows once moved to UTC, an integer over 64 bits). A value of the wrong
    Python type (a ``TypeError`` under it) is the code's own mistake, not the client's."""
    return isinstance(error, asyncpg.DataError) and isinstance(error.__cause__, OverflowError | ValueError)


# What graphql-core says of a value that does not fit its type, written inline or sent as a variable
# ("Variable '$sex' has invalid value: Value 'X' does not exist in 'Sex' enum."): the same code either way.
BAD_VALUE = ("Expected value of type", "Variable", "cannot represent", "does not exist in")


def code_of(error: GraphQLError) -> str:
    original = error.original_error
    if original is None:
        message = error.message
        if any(phrase in message for phrase in BAD_VALUE):
            return "BAD_USER_INPUT"
        return "GRAPHQL_VALIDATION_FAILED"
    if isinstance(original, EXPECTED):
        return str(original.code)
    if unavailable(original):
        return "SERVICE_UNAVAILABLE"
    if isinstance(original, UNSTORABLE) or out_of_range(original):
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
        result.errors = [shown(error) for error in result.errors]


def shown(error: GraphQLError) -> GraphQLError:
    """``error`` as the client sees it: with its code, and masked when nobody expected it (logged then)."""
    code = code_of(error)
    if code == "INTERNAL_SERVER_ERROR":
        log.error("unexpected error", exc_info=error.original_error)
        error = GraphQLError("Something went wrong on the server; it has been logged.", path=error.path)
    elif code == "SERVICE_UNAVAILABLE":
        log.warning("database unavailable: %s", first_line(error.original_error))
        error = GraphQLError(UNAVAILABLE_MESSAGE, path=error.path)
    elif isinstance(error.original_error, UNSTORABLE):
        error = GraphQLError(UNSTORABLE_MESSAGE, path=error.path)
    elif out_of_range(error.original_error):
        error = GraphQLError(OUT_OF_RANGE_MESSAGE, path=error.path)
    extensions = {**(error.extensions or {}), "code": code}
    original = error.original_error
    if isinstance(original, Refusal) and original.params:
        extensions["params"] = json_params(original.params)
    return GraphQLError(
        error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        # A refusal stays attached (never serialized): the pages, which run operations in-process,
        # say it in the reader's language from its template and parameters.
        original_error=original if isinstance(original, Refusal) else None,
        extensions=extensions,
    )


def first_line(error: BaseException | None) -> str:
    """The first line of ``error``'s message, or its type's name (for the log, never for clients)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
