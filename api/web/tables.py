"""Tables of figures, shown as accessible HTML and downloadable as CSV, from one description.

Each cell that shows a figure carries DESIGN's marks (``data-figure``, ``data-unit`` and, in a
series, ``data-period``), and its text is the value. Any page that shows tables answers
``?csv=<table name>`` (with its other parameters unchanged) with that table as CSV: UTF-8 with a
byte-order mark, so that Excel opens it in the right encoding, and in French with ``;`` between
fields and decimal commas, as French Excel reads them; a figure's digits are not grouped there
("12345", not "12 345"), so that it is read as a number.
"""

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from fastapi.responses import Response


@dataclass(frozen=True)
class Cell:
    """One cell: its text, and for a figure, which figure of which unit (and period) it is."""

    text: str
    figure: str | None = None
    unit: str | None = None
    period: str | None = None
    header: bool = False

    @property
    def marks(self) -> dict[str, str]:
        found = {"data-figure": self.figure, "data-unit": self.unit, "data-period": self.period}
        return {k: v for k, v in found.items() if v is not None}


@dataclass
class Table:
    """A table: ``name`` (for its CSV), a caption, column headings, and rows of cells."""

    name: str
    caption: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)

    def add(self, *cells: Cell) -> None:
        self.rows.append(list(cells))


GROUPING = {"fr": ("\u202f", "\xa0", " "), "en": (",",)}
"""What each language puts between a number's groups of digits ("12 345", "12,345")."""


def spreadsheet_text(cell: Cell, language: str) -> str:
    """A cell as a spreadsheet in ``language`` reads it: a figure without the grouping of its digits (so
    that "12 345" is read as a number, not as text), keeping the decimal mark the language uses."""
    if cell.figure is None:
        return cell.text
    text = cell.text
    for mark in GROUPING.get(language, ()):
        text = text.replace(mark, "")
    return text


def csv_text(table: Table, language: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if language == "fr" else ",", lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([spreadsheet_text(cell, language) for cell in row])
    return "\ufeff" + out.getvalue()


def csv_response(table: Table, language: str, filename: str) -> Response:
    """The table as a CSV download."""
    return Response(
        csv_text(table, language).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


def pick(tables: list[Table], name: str) -> Table | None:
    return next((t for t in tables if t.name == name), None)


def figure_cell(value: Any, text: str, figure: str, unit: str, period: str | None = None) -> Cell:
    """A figure's cell; ``text`` is the value as the page's language writes it."""
    return Cell(text if value is not None else "", figure=figure, unit=unit, period=period)
