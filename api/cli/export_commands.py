"""``hrh export``: the ledger's figures and lists as files, read through the GraphQL schema as a user.

Each export writes to ``-o/--output FILE``, or to standard output when it is omitted or ``-``, in the
format the file's extension says or ``--format`` gives; it says on standard error which ledger position
(and knownAt) it reflects.
"""

import json
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from api.cli.connection import DataDir
from api.cli.export_options import AsUser, KnownAt, Output, day_of, exported, moment_or_none, write
from api.cli.fhir_command import fhir
from api.cli.nhwa_command import nhwa
from api.cli.terminal import errors, fail
from api.exports import staffing_files
from api.exports.dhis2 import data_value_sets
from api.exports.dhis2_mapping import ExportError, read_mapping
from api.exports.dhis2_periods import parse_period
from api.exports.staffing import staffing_list
from api.web.i18n import LANGUAGES

export = typer.Typer(help="Export lists and figures as files: staffing lists, DHIS2, NHWA.", no_args_is_help=True)


@export.command("staffing")
def staffing(
    unit: Annotated[str, typer.Option("--unit", help="The org unit's code: its workers and its descendants'.")],
    as_of: Annotated[str, typer.Option("--as-of", help="The day (ISO date) the workers are in post.")],
    known_at: KnownAt = None,
    format: Annotated[
        str | None, typer.Option("--format", help="csv or xlsx (default: the extension, else csv).")
    ] = None,
    output: Output = "-",
    user: AsUser = None,
    lang: Annotated[str, typer.Option("--lang", help="fr or en: the XLSX sheets' names and labels.")] = "fr",
    data_dir: DataDir = None,
) -> None:
    """The workers in post in a unit on a date: a staffing list, as CSV (UTF-8 with BOM) or XLSX."""
    day, moment = day_of("--as-of", as_of), moment_or_none("--known-at", known_at)
    try:
        kind = staffing_files.format_of(format, None if output == "-" else output)
    except staffing_files.UnknownFormat as error:
        fail(f"{error.code}: {error}")
    if lang not in LANGUAGES:
        fail(f"BAD_USER_INPUT: --lang must be one of {', '.join(LANGUAGES)}, not {lang!r}.")
    found = exported(data_dir, user, partial(staffing_list, unit_code=unit, as_of=day, known_at=moment))
    write(output, staffing_files.file_bytes(found, kind, lang))
    said = ", ".join(f"{label}: {value}" for label, value in staffing_files.about(found))
    errors.print(
        f"{found.total} workers ({said}); suggested name: {staffing_files.file_name(found, kind)}",
        highlight=False,
        soft_wrap=True,
    )


@export.command("dhis2")
def dhis2(
    period: Annotated[str, typer.Option("--period", help="A DHIS2 period: 2017, 2017Q4 or 201712.")],
    mapping: Annotated[Path, typer.Option("--mapping", help="The mapping file (YAML; docs/exports.md, DHIS2).")],
    unit: Annotated[str | None, typer.Option("--unit", help="Only the mapped units in this unit's subtree.")] = None,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since", help="Every period changed by events recorded after this moment, up to --period."
        ),
    ] = None,
    output: Output = "-",
    output_format: Annotated[str | None, typer.Option("--format", help="json (the only format).")] = None,
    user: AsUser = None,
    data_dir: DataDir = None,
) -> None:
    """A DHIS2 dataValueSets JSON document of the mapped figures for a period."""
    chosen = output_format or (Path(output).suffix.lstrip(".").lower() if output != "-" else "json")
    if chosen != "json":
        fail(f"FORMAT_UNSUPPORTED: a DHIS2 export is JSON, not {chosen!r}")
    since = moment_or_none("--changed-since", changed_since, end=False)
    try:
        asked, rules = parse_period(period), read_mapping(mapping)
    except ExportError as error:
        fail(f"{error.code}: {error}")
    export = partial(data_value_sets, mapping=rules, period=asked, unit=unit, changed_since=since)
    done = exported(data_dir, user, export)
    write(output, (json.dumps(done.document, ensure_ascii=False, indent=2) + "\n").encode())
    errors.print(done.statement(), highlight=False, soft_wrap=True)
    errors.print(f"Suggested file name: {done.suggested_name()}", highlight=False, soft_wrap=True)


export.command("fhir")(fhir)
export.command("nhwa")(nhwa)
