"""``hrh export fhir``: the org units and workers as a FHIR R4 mCSD Bundle (docs/exports.md, "FHIR")."""

from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from api.cli.connection import DataDir
from api.cli.export_options import AsUser, Output, exported, moment_or_none, write_chunks
from api.cli.terminal import errors, fail
from api.exports.fhir import fhir_bundle

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
    done = exported(data_dir, user, partial(fhir_bundle, base=base, since=moment))
    write_chunks(output, done.chunks())  # written as read from the export's spool: never whole in memory
    errors.print(done.statement(), highlight=False, soft_wrap=True)
