"""``hrh export fhir``: the org units and workers as a FHIR R4 mCSD Bundle (docs/exports.md, "FHIR")."""

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer

from api.cli.connection import DataDir, ledger_session, reachable_url
from api.cli.export_options import AsUser, Output, moment_or_none, write
from api.cli.terminal import errors, fail
from api.exports.fhir import BundleMoving, export_fhir
from api.exports.session import UserRefused
from api.operations import Refused

DEFAULT_BASE = "http://localhost:8000/fhir"


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
    user: AsUser = None,
    data_dir: DataDir = None,
) -> None:
    """Locations, Organizations, Practitioners and PractitionerRoles (IHE mCSD) as a FHIR R4 Bundle."""
    chosen = output_format or (Path(output).suffix.lstrip(".").lower() if output != "-" else "json")
    if chosen != "json":
        fail(f"FORMAT_UNSUPPORTED: a FHIR export is JSON, not {chosen!r}")
    moment = moment_or_none("--since", since, end=False)
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
