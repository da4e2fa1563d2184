"""The errors reading a spreadsheet can give, each with a stable code and a message template (``N_``: said in
the reader's language by ``api.web.i18n.Formats.said``), made into the ``RowError`` the import reports."""

from typing import Any

from api.imports.rows import RowError
from domain.errors import N_

BAD_DATE = (
    "BAD_DATE",
    N_("{value!r} is not a date: write 2017-03-01 or 01/03/2017 (day first), or use a date cell."),
)
FORMULA_WITHOUT_VALUE = (
    "FORMULA_WITHOUT_VALUE",
    N_(
        "Cell {cell} holds a formula with no computed value: open the file in a spreadsheet, save it, "
        "and send it again."
    ),
)
UNKNOWN_SHEET = (
    "UNKNOWN_SHEET",
    N_("The sheet {sheet!r} is not one of the template's ({allowed}): its rows were not read."),
)
UNKNOWN_COLUMN = (
    "UNKNOWN_COLUMN",
    N_("Row 1 names a column {column!r} that {sheet} does not take ({allowed}): the sheet's rows were not read."),
)
DUPLICATE_COLUMN = (
    "DUPLICATE_COLUMN",
    N_("Row 1 names the column {column!r} twice: the sheet's rows were not read."),
)
MISSING_COLUMN = (
    "MISSING_COLUMN",
    N_("Row 1 lacks the column {column!r}, which {sheet} needs: the sheet's rows were not read."),
)
UNNAMED_COLUMN = (
    "UNNAMED_COLUMN",
    N_("Cell {cell} holds a value in a column that row 1 does not name."),
)
NOT_LABELS = (
    "NOT_LABELS",
    N_("Row 2 holds the columns' labels and is not read: put the data from row 3 on."),
)
UNKNOWN_COMMAND = (
    "UNKNOWN_COMMAND",
    N_("The file {file!r} does not say its command: name it after one ({allowed}), e.g. hireWorker.csv."),
)
UNREADABLE_FILE = (
    "UNREADABLE_FILE",
    N_("The file {file!r} cannot be read: send an .xlsx workbook or a .csv file in UTF-8."),
)


def problem(
    kind: tuple[str, str], sheet: str, row: int, column: str | None = None, value: Any = None, /, **params: Any
) -> RowError:
    """The error ``kind`` (a code and its template) at ``sheet``, ``row`` and ``column``, with ``params``."""
    code, template = kind
    shown = None if value is None else str(value)
    return RowError(sheet, row, column, shown, code, template.format(**params), template, params)
