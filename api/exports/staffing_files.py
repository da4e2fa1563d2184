"""A staffing list written as a file: CSV (UTF-8 with a byte-order mark) or XLSX (openpyxl).

Both hold the same rows under the same header (``api.exports.staffing.COLUMNS``, the GraphQL field
names). The CSV holds only that table, so that any program reads it as data; what it reflects (unit,
dates, ledger position) travels beside it (``about``: the command's standard error, the download's
file name and headers). The workbook holds it in a second sheet, "About" ("À propos" in French).
"""

import csv
import io
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font

from api.exports.staffing import COLUMNS, StaffingList
from api.web.i18n import translations
from domain.errors import N_

FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
LIST_SHEET = N_("Staffing list")
ABOUT_SHEET = N_("About")


class UnknownFormat(ValueError):
    """Raised when a staffing list is asked in a format other than CSV or XLSX."""

    code = "UNKNOWN_FORMAT"


def format_of(asked: str | None, filename: str | None) -> str:
    """The format ``asked``, else the one the file name's extension says, else CSV.

    Raises:
        UnknownFormat: neither ``csv`` nor ``xlsx``.
    """
    chosen = asked or (filename.rsplit(".", 1)[-1] if filename and "." in filename else "csv")
    if chosen.lower() not in FORMATS:
        raise UnknownFormat(f"Unknown format {chosen!r}: the staffing list is written as csv or xlsx.")
    return chosen.lower()


def file_name(found: StaffingList, extension: str) -> str:
    """The name suggested for the file: unit, date, and the ledger position it reflects."""
    return f"staffing-{found.unit_code}-{found.as_of.isoformat()}-p{found.position}.{extension}"


def about(found: StaffingList, language: str = "en") -> list[tuple[str, str]]:
    """What the list reflects, as (label, value) pairs in ``language``."""
    t = translations(language).gettext
    return [
        (t(N_("Org unit")), f"{found.unit_code} {found.unit_name}"),
        (t(N_("As of")), found.as_of.isoformat()),
        (t(N_("As known at")), found.known_at.isoformat() if found.known_at else t(N_("now"))),
        (t(N_("Ledger position")), str(found.position)),
        (t(N_("Workers")), str(found.total)),
        (t(N_("Produced at")), found.produced_at.isoformat(timespec="seconds")),
        (t(N_("Produced by")), found.produced_by),
    ]


def csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def csv_bytes(found: StaffingList) -> bytes:
    """The list as CSV: a header row, then one row per worker; UTF-8 with a byte-order mark (for Excel)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([csv_text(v) for v in row] for row in found.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(found: StaffingList, language: str = "en") -> bytes:
    """The list as a workbook: the list with its header row frozen, then the "About" sheet."""
    t = translations(language).gettext
    book = Workbook(write_only=True)
    sheet = book.create_sheet(t(LIST_SHEET))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([header_cell(sheet, name, bold) for name in COLUMNS])
    for row in found.rows:
        sheet.append(list(row))
    info = book.create_sheet(t(ABOUT_SHEET))
    for label, value in about(found, language):
        info.append([header_cell(info, label, bold), value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def header_cell(sheet: Any, text: str, font: Font) -> Cell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = font
    return cell


def file_bytes(found: StaffingList, kind: str, language: str = "en") -> bytes:
    """The list in format ``kind`` (``csv`` or ``xlsx``)."""
    return xlsx_bytes(found, language) if kind == "xlsx" else csv_bytes(found)
