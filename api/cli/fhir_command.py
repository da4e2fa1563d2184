"""``hrh export fhir``: the org units and workers as a FHIR R4 mCSD Bundle (docs/exports.md, "FHIR")."""

import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from api.cli.connection import DataDir, ledger_session, reachable_url
from api.cli.terminal import errors, fail
from api.exports.fhir import BundleMoving, export_fhir
from api.exports.session import UserRefused
from api.operations import Refused
from api.web.moments import moment_of

DEFAULT_BASE = "http://localhost:8000/fhir"

Output = Annotated[str, typer.Option("--output", "-o", help="The file to write; - (the default) for standard output.")]


def since_moment(text: str | None) -> datetime | None:
    """The moment ``--since`` gives (a date: its first moment); None when absent."""
    if text is None:
        return None
    try:
        return moment_of(text, end=False)
    except ValueError:
        fail(f"BAD_USER_INPUT: --since must be a date (2017-12-31) or a moment (2017-12-31T18:00:00Z), not {text!r}.")


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


def fhir(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Only what events recorded after this moment changed (an ISO date-time, UTC unless it says, or a "
            "date for its first moment), as a history Bundle.",
        ),
    ] = None,
    output: Output = "-",
    output_format: Annotated[str | None, typer.Option("--format", help="json (the only format).")] = None,
    base: Annotated[str, typer.Option("--base", help="The FHIR base URL of the entries' fullUrl.")] = DEFAULT_BASE,
    user: Annotated[
        str | None,
        typer.Option("--user", help="Run as this user (their role and scope decide the practitioners). Default: cli."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Locations, Organizations, Practitioners and PractitionerRoles (IHE mCSD) as a FHIR R4 Bundle."""
    chosen = output_format or (Path(output).suffix.lstrip(".").lower() if output != "-" else "json")
    if chosen != "json":
        fail(f"FORMAT_UNSUPPORTED: a FHIR export is JSON, not {chosen!r}")
    moment = since_moment(since)
    try:
        url = reachable_url(data_dir)
        with ledger_session(data_dir) as ledger:
            done = asyncio.run(export_fhir(url, ledger, base=base, user=user, since=moment))
    except (UserRefused, BundleMoving) as error:
        fail(f"{error.code}: {error}")
    except Refused as refused:
        fail(f"{refused.refusal.code}: {refused.refusal.message}")
    except LookupError as error:  # no ledger, or read tables of another version
        fail(str(error))
    write(output, (json.dumps(done.bundle, ensure_ascii=False, indent=1) + "\n").encode())
    errors.print(done.statement(), highlight=False, soft_wrap=True)
