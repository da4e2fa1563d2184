"""What every ``hrh export`` command shares: the ``--output``, ``--known-at`` and ``--user`` options, reading
a date or a moment from an option, and writing the file (or standard output)."""

import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from api.cli.terminal import fail
from api.web.moments import moment_of

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
