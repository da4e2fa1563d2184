"""An import's errors as a person reads them: each said in their language, listed on the terminal, or written as
a CSV file or as the uploaded workbook annotated (``api.imports.annotated``)."""

import csv
from collections.abc import Iterable
from pathlib import Path

from api.imports.annotated import errors_by_row, write_annotated
from api.imports.rows import RowError
from api.web.i18n import Formats

COLUMNS = ("sheet", "row", "column", "value", "code", "message")
FORMATS = (".csv", ".xlsx")


def said(error: RowError, formats: Formats) -> str:
    """The error's message in the language of ``formats`` (its English text when it has no template)."""
    return error.message if error.template is None else formats.message(error.template, error.params)


def error_line(error: RowError, formats: Formats) -> str:
    """One error on one line: where it is, what was there, its code and its message."""
    where = f"{error.sheet} row {error.row}" + (f", {error.column}" if error.column else "")
    value = f" = {error.value!r}" if error.value is not None else ""
    return f"{where}{value}: {error.code}: {said(error, formats)}"


class UnknownReportFormat(ValueError):
    """Raised when the errors' file is neither .csv nor .xlsx (code ERRORS_FORMAT)."""

    code = "ERRORS_FORMAT"


def check_errors_path(out: Path) -> None:
    """Refuses, before anything is imported, an errors file that would not be written.

    Raises:
        UnknownReportFormat: ``out`` is neither .csv nor .xlsx.
    """
    if out.suffix.lower() not in FORMATS:
        raise UnknownReportFormat(f"--errors must name a .csv or an .xlsx file, not {out.name!r}")


def write_errors(
    errors: Iterable[RowError], out: Path, *, source: Path, language: str, command: str | None = None
) -> None:
    """Writes the errors to ``out``: a CSV file of one error a line (UTF-8 with BOM, for Excel), or the file
    imported from (``source``) as a workbook with an errors column.

    Raises:
        UnknownReportFormat: ``out`` is neither .csv nor .xlsx.
    """
    check_errors_path(out)
    formats = Formats(language)
    kind = out.suffix.lower()
    if kind == ".csv":
        with out.open("w", encoding="utf-8-sig", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(COLUMNS)
            for e in errors:
                writer.writerow((e.sheet, e.row, e.column or "", e.value or "", e.code, said(e, formats)))
    else:
        write_annotated(source, errors_by_row(errors), out, language=language, command=command)
