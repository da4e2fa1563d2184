"""``hrh export ...``: the ledger's figures and lists in other systems' formats."""

import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from api.cli.connection import DataDir, ledger_session, reachable_url
from api.cli.terminal import errors, fail
from api.exports.dhis2_mapping import ExportError, read_mapping
from api.exports.dhis2_periods import parse_period
from api.exports.dhis2_session import export_dhis2
from api.web.operations import Refused
from projections.store import Target

export = typer.Typer(help="Export figures and lists: DHIS2, ...", no_args_is_help=True)

Output = Annotated[
    str | None, typer.Option("--output", "-o", help="The file to write ('-' or omitted: standard output).")
]
AsUser = Annotated[
    str | None, typer.Option("--user", help="Run the export as this user (their role and scope); default: ADMIN.")
]


def moment(text: str, option: str) -> datetime:
    """An ISO date or timestamp; one without a UTC offset is read as UTC."""
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        fail(f"CHANGED_SINCE_INVALID: {option} {text!r} is not an ISO date or timestamp (2017-12-31T08:00:00+00:00)")
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)


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
    output: Output = None,
    output_format: Annotated[str | None, typer.Option("--format", help="json (the only format).")] = None,
    user: AsUser = None,
    data_dir: DataDir = None,
) -> None:
    """Write a DHIS2 dataValueSets JSON document of the mapped figures for a period."""
    chosen = output_format or (Path(output).suffix.lstrip(".").lower() if output not in (None, "-") else "json")
    if chosen != "json":
        fail(f"FORMAT_UNSUPPORTED: a DHIS2 export is JSON, not {chosen!r}")
    since = moment(changed_since, "--changed-since") if changed_since is not None else None
    try:
        asked = parse_period(period)
        rules = read_mapping(mapping)
        url = reachable_url(data_dir)
        with ledger_session(data_dir) as ledger:
            schema = Target.of_ledger().schema
            done = asyncio.run(
                export_dhis2(url, ledger, schema, rules, asked, user=user, unit=unit, changed_since=since)
            )
    except ExportError as error:
        fail(f"{error.code}: {error}")
    except Refused as refused:
        fail(f"{refused.refusal.code}: {refused.refusal.message}")
    text = json.dumps(done.document, ensure_ascii=False, indent=2) + "\n"
    if output in (None, "-"):
        sys.stdout.write(text)
    else:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            fail(f"cannot write {output}: {error.strerror}")
    errors.print(done.statement(), highlight=False, soft_wrap=True)
    errors.print(f"Suggested file name: {done.suggested_name()}", highlight=False, soft_wrap=True)
