"""``hrh import-template`` writes the workbook to fill, with the codes a user sees. ``hrh import``: a
spreadsheet's rows recorded as the commands of its sheets (DESIGN, "Spreadsheet import"), checked as a user
(``--user``, else the operator, an ADMIN named ``cli``) with a progress bar, a summary and every error in the
chosen language. The exit status is 1 when any row was refused."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated
from zipfile import BadZipFile

import asyncpg
import typer
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from api.access import Forbidden
from api.cli.connection import DataDir, ledger_session, reachable_url
from api.cli.terminal import console, fail, progress_bar
from api.exports.session import OPERATOR, UserRefused, export_services, user_named
from api.graphql.context import Services
from api.imports.importing import ImportReport, Progress, import_rows
from api.imports.reading import read_rows
from api.imports.report_files import UnknownReportFormat, check_errors_path, error_line, write_errors
from api.imports.rows import FIRST_DATA_ROW, SHEETS
from api.imports.template import write_template_for
from api.projecting import Projected
from api.web.i18n import LANGUAGES, Formats
from domain.errors import Refusal
from domain.ledger import Ledger
from projections.store import Target


@asynccontextmanager
async def import_services(url: str, ledger: Ledger) -> AsyncIterator[Services]:
    """What an import runs with: the ledger, and a pool to find the user it runs as (it reads no read table)."""
    pool = await asyncpg.create_pool(url, min_size=1, max_size=1)
    try:
        schema = Target.of_ledger().schema
        yield Services(pool=pool, ledger=ledger, schema=schema, admin_token=None, projected=Projected(url, schema))
    finally:
        await pool.close()


def rows_in(path: Path) -> int | None:
    """About how many data rows the file holds, for the progress bar (a workbook's declared sizes)."""
    if path.suffix.lower() == ".csv":
        with path.open("rb") as file:
            return max(sum(1 for _ in file) - (FIRST_DATA_ROW - 1), 0)
    try:
        book = load_workbook(path, read_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError):  # an unreadable file: the reader reports it
        return None
    try:
        return sum(max((book[n].max_row or 0) - (FIRST_DATA_ROW - 1), 0) for n in SHEETS if n in book.sheetnames)
    finally:
        book.close()


def import_command(
    file: Annotated[Path, typer.Argument(help="The workbook (.xlsx, laid out as hrh import-template) or a .csv file.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row; record nothing.")] = False,
    all_or_nothing: Annotated[
        bool, typer.Option("--all-or-nothing", help="Record the rows only if none is refused, in one transaction.")
    ] = False,
    command: Annotated[
        str | None, typer.Option("--command", help="A CSV file's command (mutation name); default: the file's name.")
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Check the rows as this user (role and scope). Default: cli, an ADMIN.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="fr or en: the language of the errors.")] = "fr",
    errors_file: Annotated[
        Path | None,
        typer.Option("--errors", help="Also write the errors: a .csv list, or an .xlsx copy with an errors column."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Records a spreadsheet's rows as commands, each checked as the same GraphQL mutation would be."""
    if lang not in LANGUAGES:
        fail(f"BAD_USER_INPUT: --lang must be one of {', '.join(LANGUAGES)}, not {lang!r}.")
    if not file.is_file():
        fail(f"FILE_NOT_FOUND: there is no file {str(file)!r}.")
    try:
        if errors_file is not None:
            check_errors_path(errors_file)
    except UnknownReportFormat as error:
        fail(f"{error.code}: {error}")
    url = reachable_url(data_dir)
    with ledger_session(data_dir) as ledger, progress_bar() as bar:
        task = bar.add_task("Checking" if dry_run else "Importing", total=rows_in(file))

        def advance(rows: int) -> None:
            bar.advance(task, rows)

        report = run_import(url, ledger, file, command, user, dry_run, all_or_nothing, advance)
    show(report, Formats(lang))
    if errors_file is not None:  # written even when empty: a script may count on the file
        write_errors(report.errors, errors_file, source=file, language=lang, command=command)
        console.print(f"The errors ({len(report.errors)}) are in {errors_file}.", highlight=False)
    if report.refused:
        raise typer.Exit(code=1)


def run_import(
    url: str,
    ledger: Ledger,
    file: Path,
    command: str | None,
    user: str | None,
    dry_run: bool,
    all_or_nothing: bool,
    progress: Progress,
) -> ImportReport:
    async def run() -> ImportReport:
        async with import_services(url, ledger) as services:
            who = OPERATOR if user is None else await user_named(services.pool, user)
            rows = read_rows(file, command=command)
            return await import_rows(
                services, who, rows, dry_run=dry_run, all_or_nothing=all_or_nothing, progress=progress
            )

    try:
        return asyncio.run(run())
    except UserRefused as error:
        fail(f"{error.code}: {error.message}")
    except (Forbidden, Refusal) as error:
        fail(f"{error.code}: {error.message}")


def show(report: ImportReport, formats: Formats) -> None:
    """The summary, then every error."""
    verb = "would be recorded (dry run: nothing was written)" if report.dry_run else "recorded"
    console.print(
        f"{report.rows} rows read: {report.recorded} {verb}, {report.already_recorded} already recorded, "
        f"{report.refused} refused. Ledger position {report.position_before} -> {report.position_after}.",
        highlight=False,
        soft_wrap=True,
    )
    for error in report.errors:
        console.print(error_line(error, formats), highlight=False, soft_wrap=True, markup=False)


def import_template_command(
    file: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).")],
    user: Annotated[
        str | None,
        typer.Option("--user", help="List the facilities and cadres this user sees. Default: cli, an ADMIN."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Writes the import template: a "Lisez-moi" sheet, then one sheet per command, with drop-downs of the codes."""
    if file.suffix.lower() != ".xlsx":
        fail(f"FORMAT_UNSUPPORTED: the template is an XLSX workbook; name it *.xlsx, not {file.name!r}.")
    url = reachable_url(data_dir)

    async def write() -> None:
        async with export_services(url, ledger) as services:
            who = OPERATOR if user is None else await user_named(services.pool, user)
            await write_template_for(services, who, file)

    with ledger_session(data_dir) as ledger:
        try:
            asyncio.run(write())
        except UserRefused as error:
            fail(f"{error.code}: {error.message}")
        except OSError as error:
            fail(f"cannot write {file}: {error.strerror}")
        except LookupError as error:  # no ledger, or read tables of another version
            fail(str(error))
    console.print(f"The template is in {file}: fill one sheet per command from row 3, then hrh import {file}.")
