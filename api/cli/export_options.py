"""What every ``hrh export`` command shares: the ``--output``, ``--known-at`` and ``--user`` options, reading
a date or a moment from an option, running the export as a user with its refusals said on one line, and
writing the file (or standard output)."""

import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from api.access import User
from api.cli.connection import ledger_session, reachable_url
from api.cli.terminal import fail
from api.exports.dhis2_mapping import ExportError
from api.exports.session import UserRefused, run_export
from api.exports.staffing import ListMoving
from api.graphql.context import Services
from api.operations import Refused
from api.web.moments import moment_of

T = TypeVar("T")

Output = Annotated[str, typer.Option("--output", "-o", help="The file to write; - (the default) for standard output.")]
KnownAt = Annotated[
    str | None,
    typer.Option(
        "--known-at",
        help="As the ledger knew it then: an ISO date-time (UTC unless it says), or a date "
        "for the end of that day. Default: now.",
    ),
]
AsUser = Annotated[
    str | None,
    typer.Option(
        "--user",
        help="Run as this user (their role and scope decide the personal columns). "
        "Default: the operator, as an ADMIN named cli.",
    ),
]


def day_of(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        fail(f"BAD_USER_INPUT: {option} must be an ISO date (2017-12-31), not {text!r}.")


def moment_or_none(option: str, text: str | None, *, end: bool = True) -> datetime | None:
    """The moment an option gives (a date: its last moment, or with ``end=False`` its first); None when absent."""
    if text is None:
        return None
    try:
        return moment_of(text, end=end)
    except ValueError:
        fail(f"BAD_USER_INPUT: {option} must be a date (2017-12-31) or a moment (2017-12-31T18:00:00Z), not {text!r}.")


def write(output: str, content: bytes) -> None:
    """``content`` to the file ``output``, or to standard output for ``-``."""
    if output == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return
    try:
        Path(output).write_bytes(content)
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror}")


def write_chunks(output: str, chunks: Iterable[bytes]) -> None:
    """``chunks`` one after another to the file ``output``, or to standard output for ``-``: a large file is
    never held whole."""
    if output == "-":
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
        return
    try:
        with Path(output).open("wb") as file:
            for chunk in chunks:
                file.write(chunk)
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror}")


def exported(data_dir: Path | None, user: str | None, export: Callable[[Services, User], Awaitable[T]]) -> T:
    """What ``export`` makes, run as the user named ``user`` (the operator when None) on the ledger of
    ``DATABASE_URL`` or ``data_dir``; a refusal ends the command with its code and message on one line."""
    try:
        url = reachable_url(data_dir)
        with ledger_session(data_dir) as ledger:
            return asyncio.run(run_export(url, ledger, user, export))
    except (ExportError, UserRefused, ListMoving) as error:
        fail(f"{error.code}: {error}")
    except Refused as refused:
        fail(f"{refused.refusal.code}: {refused.refusal.message}")
    except LookupError as error:  # no ledger, or read tables of another version
        fail(str(error))
