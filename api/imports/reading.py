"""Reading a spreadsheet as the rows of an import (DESIGN, "Spreadsheet import"), as a stream: an XLSX
workbook through openpyxl's ``read_only`` mode (a row in memory at a time), or a CSV file as one sheet.

Order: the sheets are read in SHEETS order whatever their order in the file (a hire before the posting of the
same worker), then come the sheets that are not the template's. A problem of a whole sheet or file (a sheet
that is not a command, a column that row 1 should not name or lacks, a file that is no workbook) comes as a
``Row`` of row 1 with no values and the error, and that sheet's data rows are not read: never silently
ignored. The "Lisez-moi" and "codes" sheets are skipped; a sheet with no data rows gives nothing; an empty row
is skipped. Row 2 holds the labels and is not read (a row 2 that holds a date and no label is reported, NOT_LABELS).
"""

import codecs
import csv
import hashlib
import json
from collections.abc import Iterable, Iterator
from itertools import zip_longest
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from api.imports import problems as p
from api.imports.catalogue import Column, Sheet, catalogue
from api.imports.cells import BadDate, convert, text
from api.imports.labels import is_label
from api.imports.rows import SHEETS, Row, RowError

SKIPPED = ("Lisez-moi", "codes")
"""The template's sheets that hold no commands."""
WORKBOOKS = (".xlsx", ".xlsm")
ERRORS_COLUMN = "Errors"
"""Row 1's name of the column an annotated copy adds (``api.imports.annotated``): read again, it is ignored."""
Cells = tuple[Any, ...]
Line = tuple[Cells, Cells | None]
"""A row of a sheet: its cells' values (a formula's cached value), and the cells as written (a formula's
text; None for a CSV, which has no formulas)."""


def read_rows(path: str | Path, *, command: str | None = None) -> Iterator[Row]:
    """The rows of the workbook or CSV file at ``path``; ``command`` names a CSV file's command (else the
    file's stem does, e.g. ``hireWorker.csv``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from read_csv(path, command)
    elif suffix in WORKBOOKS:
        yield from read_workbook(path)
    else:
        yield file_problem(path, p.UNREADABLE_FILE)


def file_problem(path: Path, kind: tuple[str, str], **params: Any) -> Row:
    return Row(path.name, 1, {}, (p.problem(kind, path.name, 1, file=path.name, **params),))


def allowed() -> str:
    return ", ".join(SHEETS)


def read_workbook(path: Path) -> Iterator[Row]:
    """The rows of each sheet, in SHEETS order; the values and the formulas are two streams of the same file
    read side by side (openpyxl gives a formula's cached value, or None when it has none, only in the first)."""
    try:
        values = load_workbook(path, read_only=True, data_only=True)
        formulas = load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, BadZipFile, KeyError, OSError):
        yield file_problem(path, p.UNREADABLE_FILE)
        return
    try:
        names = values.sheetnames
        for name in (n for n in SHEETS if n in names):
            yield from read_sheet(catalogue()[name], sheet_lines(values[name], formulas[name]))
        for name in (n for n in names if n not in SHEETS and n not in SKIPPED):
            error = p.problem(p.UNKNOWN_SHEET, name, 1, sheet=name, allowed=allowed())
            yield Row(name, 1, {}, (error,))
    finally:
        values.close()
        formulas.close()


def sheet_lines(values: Any, formulas: Any) -> Iterator[Line]:
    """The rows of a sheet read twice side by side, whatever the size the file declares (reset)."""
    values.reset_dimensions()
    formulas.reset_dimensions()
    pairs = zip_longest(values.iter_rows(values_only=True), formulas.iter_rows(values_only=True), fillvalue=())
    return ((tuple(v), tuple(f)) for v, f in pairs)


def read_csv(path: Path, command: str | None) -> Iterator[Row]:
    """A CSV file as the sheet of its command."""
    name = command or path.stem
    if name not in SHEETS:
        yield file_problem(path, p.UNKNOWN_COMMAND, allowed=allowed())
        return
    if not is_utf8(path):  # known before any row is read, so that no row of a broken file is recorded
        yield file_problem(path, p.UNREADABLE_FILE)
        return
    lines = ((tuple(cells), None) for cells in csv_cells(path))
    yield from read_sheet(catalogue()[name], lines)


def is_utf8(path: Path) -> bool:
    """Whether the file is UTF-8 throughout, read a megabyte at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as file:
        try:
            for chunk in iter(lambda: file.read(1 << 20), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def csv_cells(path: Path) -> Iterator[list[str]]:
    """The rows of a CSV file in UTF-8 (with or without BOM), ``;`` between values when its first line has
    more of them than of ``,``.

    Raises:
        UnicodeDecodeError: the file is not UTF-8.
    """
    with path.open(encoding="utf-8-sig", newline="") as file:
        first = file.readline()
        file.seek(0)
        yield from csv.reader(file, delimiter=";" if first.count(";") > first.count(",") else ",")


def read_sheet(sheet: Sheet, lines: Iterable[Line]) -> Iterator[Row]:
    """The data rows of one sheet: row 1 names the columns, row 2 holds their labels, data from row 3."""
    lines = iter(lines)
    header_line = next(lines, None)
    if header_line is None:
        return
    header = [None if is_errors(h) else h for h in (text(v) for v in header_line[0])]
    if not any(header) and not any(any(text(v) for v in line[0]) for line in lines):
        return
    errors = header_errors(sheet, header)
    if errors:
        yield Row(sheet.command, 1, {}, tuple(errors))
        return
    columns = [sheet.column(h) if h else None for h in header]
    cut = next((i for i, v in enumerate(header_line[0]) if is_errors(text(v))), None)  # an annotated copy's
    for number, (values, formulas) in enumerate(lines, start=2):
        if number == 2:
            if not labels_row(columns, values):
                yield Row(sheet.command, 2, {}, (p.problem(p.NOT_LABELS, sheet.command, 2),))
            continue
        row = row_of(sheet.command, number, columns, values[:cut], formulas)
        if row is not None:
            yield row


def is_errors(name: str | None) -> bool:
    """Whether row 1's ``name`` is the errors column of an annotated copy (with its row's errors, if any)."""
    return name is not None and (name == ERRORS_COLUMN or name.startswith(ERRORS_COLUMN + ":"))


def header_errors(sheet: Sheet, header: list[str | None]) -> list[RowError]:
    """Row 1's problems: a column the input type lacks, a column named twice, a required column missing."""
    named = [h for h in header if h]
    command = sheet.command
    known = ", ".join(sheet.names)
    unknown = [h for h in named if sheet.column(h) is None]
    errors = [p.problem(p.UNKNOWN_COLUMN, command, 1, h, h, column=h, sheet=command, allowed=known) for h in unknown]
    twice = sorted({h for h in named if named.count(h) > 1})
    errors += [p.problem(p.DUPLICATE_COLUMN, command, 1, h, h, column=h) for h in twice]
    needed = [c.name for c in sheet.columns if c.required and c.name not in named]
    if sheet.names_worker and not any(c.names_worker and c.name in named for c in sheet.columns):
        needed.insert(0, "workerId / civilServiceNumber")
    errors += [p.problem(p.MISSING_COLUMN, command, 1, None, None, column=n, sheet=command) for n in needed]
    return errors


def labels_row(columns: list[Column | None], values: Cells) -> bool:
    """Whether row 2 is the labels row: it is, unless it holds a date in a date column and none of its cells
    is its column's label (then it is data put one row too high)."""
    given = [(c, v) for c, v in zip(columns, values, strict=False) if c is not None and text(v) is not None]
    if any(is_label(c, str(text(v))) for c, v in given):
        return True
    return not any(c.type == "Date" and is_date(c, v) for c, v in given)


def is_date(column: Column, value: Any) -> bool:
    try:
        convert(column, value)
    except BadDate:
        return False
    return True


def row_of(sheet: str, number: int, columns: list[Column | None], values: Cells, formulas: Cells | None) -> Row | None:
    """One data row's input values and its cells' errors; None for an empty row."""
    read: dict[str, Any] = {}
    errors: list[RowError] = []
    for index, value in enumerate(values):
        column = columns[index] if index < len(columns) else None
        cell = f"{get_column_letter(index + 1)}{number}"
        name = column.name if column is not None else None
        if value is None:
            written = formulas[index] if formulas is not None and index < len(formulas) else None
            if written is not None:
                errors.append(p.problem(p.FORMULA_WITHOUT_VALUE, sheet, number, name, written, cell=cell))
            continue
        if column is None:
            if text(value) is not None:
                errors.append(p.problem(p.UNNAMED_COLUMN, sheet, number, None, value, cell=cell))
            continue
        try:
            converted = convert(column, value)
        except BadDate:
            errors.append(p.problem(p.BAD_DATE, sheet, number, column.name, text(value), value=text(value)))
            continue
        if converted is not None:
            read[column.name] = converted
    if not read and not errors:
        return None
    return Row(sheet, number, read, tuple(errors), fingerprint(sheet, number, read))


def fingerprint(sheet: str, number: int, values: dict[str, Any]) -> str:
    """The row's content (its sheet, its number and its values as canonical JSON) as a sha256 in hex: the same
    row of the same file gives the same fingerprint, so the importer can make the same commandId of it."""
    canonical = json.dumps([sheet, number, values], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
