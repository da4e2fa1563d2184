"""The uploaded file again, with its errors beside the rows that have them (issue 18: "a copy of the uploaded
workbook with an errors column added"): every sheet copied (values, a formula as its computed value), and a
column after the last one holding each row's errors, "column: CODE message", in the reader's language.

It is read in ``read_only`` mode and written in ``write_only`` mode, a row at a time, so a workbook of 25,000
rows stays cheap; a CSV file comes back as a workbook of one sheet. The column is named ``Errors`` in row 1
(``api.imports.reading`` ignores it when the copy, corrected, is sent again) and "Erreurs" in row 2.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import IO, Any
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from api.imports.reading import ERRORS_COLUMN, WORKBOOKS, csv_cells, is_errors, is_utf8
from api.imports.rows import SHEETS, RowError
from api.web.i18n import Formats

ERRORS_LABEL = "Erreurs"
ErrorsByRow = Mapping[tuple[str, int], Sequence[RowError]]
"""A row's errors by its sheet's name and its row number."""


def errors_by_row(errors: Iterable[RowError]) -> dict[tuple[str, int], list[RowError]]:
    """``errors`` grouped by sheet and row, as ``write_annotated`` takes them."""
    grouped: dict[tuple[str, int], list[RowError]] = defaultdict(list)
    for error in errors:
        grouped[(error.sheet, error.row)].append(error)
    return grouped


def write_annotated(
    source_path: str | Path,
    errors_by_sheet_row: ErrorsByRow,
    out: str | Path | IO[bytes],
    *,
    language: str = "fr",
    command: str | None = None,
) -> None:
    """Writes to ``out`` the workbook or CSV file at ``source_path`` as an XLSX workbook, each sheet with an
    errors column; ``command`` names a CSV file's sheet (else its stem does), as for ``read_rows``. A file
    that cannot be read (the import reported it, UNREADABLE_FILE) gives a workbook listing the errors."""
    source = Path(source_path)
    said = Formats(language)
    copy = Workbook(write_only=True)
    if source.suffix.lower() in WORKBOOKS:
        try:
            book = load_workbook(source, read_only=True, data_only=True)
        except (InvalidFileException, BadZipFile, KeyError, OSError):
            book = None
        if book is not None:
            try:
                for sheet in book.worksheets:
                    sheet.reset_dimensions()
                    rows = partial(sheet.iter_rows, values_only=True)
                    copy_sheet(copy, sheet.title, rows, errors_by_sheet_row, said)
            finally:
                book.close()
        else:
            list_errors(copy, errors_by_sheet_row, said)
    elif source.suffix.lower() == ".csv" and source.is_file() and is_utf8(source):
        name = command or source.stem
        errors = {**errors_by_sheet_row, **file_errors(errors_by_sheet_row, source.name, name)}
        copy_sheet(copy, name, lambda: csv_cells(source), errors, said)
    else:
        list_errors(copy, errors_by_sheet_row, said)
    copy.save(out)


def list_errors(copy: Workbook, errors: ErrorsByRow, said: Formats) -> None:
    """The errors of a file that cannot be copied, one a row."""
    target = copy.create_sheet(ERRORS_COLUMN)
    target.append(["sheet", "row", "column", "value", "code", "message"])
    for found in errors.values():
        for e in found:
            target.append([e.sheet, e.row, e.column, e.value, e.code, said_error(e, said)])


def file_errors(errors: ErrorsByRow, file: str, sheet: str) -> dict[tuple[str, int], list[RowError]]:
    """A CSV file's own errors (named by the file) put on its sheet's row 1."""
    return {(sheet, 1): [*errors.get((sheet, 1), ()), *errors.get((file, 1), ())]} if (file, 1) in errors else {}


def copy_sheet(copy: Workbook, title: str, rows: Any, errors: ErrorsByRow, said: Formats) -> None:
    """Copies a sheet (``rows()`` gives its rows, each time from the top) with its errors column after the
    widest row, when it is a command's sheet or has errors; an errors column already there (a copy sent
    again) is replaced."""
    target = copy.create_sheet(title)
    if title not in SHEETS and not any(sheet == title for sheet, _ in errors):
        for values in rows():  # the guide, the codes: as they are
            target.append(list(values))
        return
    width = columns_of(rows())
    for number, values in enumerate(rows(), start=1):
        cells: list[Any] = [None if v == "" else v for v in values[:width]] + [None] * (width - len(values))
        text = "\n".join(said_error(e, said) for e in errors.get((title, number), ()))
        cells.append(errors_cell(target, number, text))
        target.append(cells)


def errors_cell(target: Any, number: int, text: str) -> Cell | None:
    """The errors column's cell of row ``number``: its name in row 1, its label in row 2, then the errors."""
    if number == 1:
        text = ERRORS_COLUMN + (": " + text if text else "")
    elif number == 2:
        text = ERRORS_LABEL + ("\n" + text if text else "")
    if not text:
        return None
    cell = WriteOnlyCell(target, value=text)
    cell.font = Font(bold=number <= 2, color="C00000")
    return cell


def columns_of(rows: Iterator[Sequence[Any]]) -> int:
    """The number of columns the sheet's rows fill, before an errors column of an earlier copy."""
    width = 0
    for number, values in enumerate(rows, start=1):
        if number == 1:
            cut = next((i for i, v in enumerate(values) if isinstance(v, str) and is_errors(v.strip())), None)
            if cut is not None:
                return cut
        filled = [i for i, v in enumerate(values) if v is not None and v != ""]
        width = max(width, filled[-1] + 1 if filled else 0)
    return width


def said_error(error: RowError, said: Formats) -> str:
    """One error as the copy shows it: "column: CODE message" (the column left out for a row's error)."""
    message = said.message(error.template, error.params) if error.template else error.message
    column = f"{error.column}: " if error.column else ""
    return f"{column}{error.code} {message}"
