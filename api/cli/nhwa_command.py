"""``hrh export nhwa``: the NHWA figures of a year (Module 1 and Module 5) as tidy CSV or an XLSX workbook."""

from functools import partial
from typing import Annotated

import typer

from api.cli.connection import DataDir
from api.cli.export_options import AsUser, KnownAt, Output, exported, moment_or_none, write
from api.cli.terminal import errors, fail
from api.exports import nhwa_files
from api.exports.nhwa import nhwa_figures


def nhwa(
    year: Annotated[int, typer.Option("--year", help="The year: the stock on 31 December, the flows over it.")],
    known_at: KnownAt = None,
    output: Output = "-",
    output_format: Annotated[
        str | None, typer.Option("--format", help="csv or xlsx (default: the extension, else csv).")
    ] = None,
    country: Annotated[
        str | None,
        typer.Option(
            "--country",
            help="The country's ISO 3166-1 alpha-2 code, to tell national from foreign places of birth and "
            "training. Default: the code of the COUNTRY unit, when it has two letters.",
        ),
    ] = None,
    user: AsUser = None,
    data_dir: DataDir = None,
) -> None:
    """The NHWA figures of a year (docs/exports.md, NHWA): the country and each region, CSV or XLSX."""
    try:
        kind = nhwa_files.format_of(output_format, output)
    except ValueError as error:
        fail(str(error))
    moment = moment_or_none("--known-at", known_at)
    done = exported(data_dir, user, partial(nhwa_figures, year=year, known_at=moment, country=country))
    write(output, nhwa_files.file_bytes(done, kind))
    errors.print(done.statement(), highlight=False, soft_wrap=True)
    errors.print(f"Suggested file name: {done.suggested_name(kind)}", highlight=False, soft_wrap=True)
