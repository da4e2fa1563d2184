"""What reading a spreadsheet gives the import, and what the import reports: rows of GraphQL input values, and
errors that name their sheet, row, column and value.

The reader (``api.imports.reading``) turns cells into the values a GraphQL variable would carry for the input
field its column names (a date as an ISO string, an integer as an int, text trimmed); the importer
(``api.imports.importing``) checks each row as the mutation named by its sheet would, and records it.
"""

from dataclasses import dataclass, field
from typing import Any

SHEETS = (
    "hireWorker",
    "postWorker",
    "transferWorker",
    "recordTraining",
    "startLeave",
    "endLeave",
    "requalifyWorker",
    "recordDeparture",
    "rehireWorker",
    "correctWorkerDetails",
    "setEstablishment",
)
"""The sheets an import reads, each named by its GraphQL mutation, in the order they are recorded (a hire
before the posting of the same worker)."""

FIRST_DATA_ROW = 3
"""Row 1 holds the input field names, row 2 their French labels; data starts on row 3."""


@dataclass(frozen=True)
class RowError:
    """One error of one row: where it is, what was there, a stable code, and the message's template and
    parameters (``domain.errors.N_`` style: said in the reader's language by ``api.web.i18n.Formats.said``)
    with its English text."""

    sheet: str
    row: int  # the spreadsheet's row number (1-based), as the clerk sees it
    column: str | None  # the GraphQL input field name of the column, None for the row as a whole
    value: str | None  # the cell's value as read, None when empty
    code: str
    message: str
    template: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    """One data row of a sheet: the GraphQL input field values its cells give (empty cells left out), and the
    errors its cells already have (a date that is not one, a formula without a value, a column not in the
    input type). ``fingerprint`` identifies the row's content, for the commandId of a row without one."""

    sheet: str
    row: int
    values: dict[str, Any]
    errors: tuple[RowError, ...] = ()
    fingerprint: str = ""
