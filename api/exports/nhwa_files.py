"""The NHWA figures as files: a tidy CSV, and a workbook laid out like the NHWA templates.

The CSV holds exactly the columns ``module,org_unit,occupation,breakdown,category,value`` (UTF-8, no
byte-order mark: it is data for programs); a density without a population is empty. What it reflects
travels beside it (the command's standard error, the suggested file name). The workbook holds a sheet per
module, occupations in rows and the breakdowns' categories in columns under a two-row header (frozen), one
block of rows per unit (the country, then each region), and an "About" sheet with the ledger position,
knownAt and reference date.
"""

import csv
import io
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font

from api.exports.nhwa import ALL, MODULE_1, NhwaExport, Row

FORMATS = ("csv", "xlsx")
VACANCY = "Vacancy rate (establishment)"
COLUMNS = ("module", "org_unit", "occupation", "breakdown", "category", "value")
SHEETS = {1: "Module 1 - stock", 5: "Module 5 - flows"}
GROUP_TITLES = {
    "total": "Total",
    "density": "Density per 10,000",
    "sex": "Sex",
    "age_band": "Age band",
    "ownership": "Ownership",
    "facility_type": "Facility type",
    "place_of_birth": "Place of birth",
    "place_of_training": "Place of training",
    "entries": "Entries",
    "exits": "Exits",
}


def format_of(asked: str | None, output: str) -> str:
    """``asked``, else the output file's extension, else CSV (standard output).

    Raises:
        ValueError: a format other than csv or xlsx.
    """
    chosen = (asked or (output.rsplit(".", 1)[-1] if output != "-" and "." in output else "csv")).lower()
    if chosen not in FORMATS:
        raise ValueError(f"FORMAT_UNSUPPORTED: the NHWA export is written as csv or xlsx, not {chosen!r}")
    return chosen


def text(value: int | float | None) -> str:
    if value is None:
        return ""
    return str(round(value, 6)) if isinstance(value, float) else str(value)


def csv_bytes(done: NhwaExport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in done.rows:
        writer.writerow([r.module, r.org_unit, r.occupation, r.breakdown, r.category, text(r.value)])
    return out.getvalue().encode("utf-8")


def columns_of(rows: list[Row], module: int) -> list[tuple[str, str]]:
    """The workbook's columns of ``module``: every (breakdown, category) its rows have, in their order."""
    return list(dict.fromkeys((r.breakdown, r.category) for r in rows if r.module == module))


def xlsx_bytes(done: NhwaExport) -> bytes:
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    rows = done.rows
    for module, title in SHEETS.items():
        sheet = book.create_sheet(title)
        sheet.freeze_panes = "C3"
        columns = columns_of(rows, module)
        groups = [
            GROUP_TITLES.get(b, b) if i == 0 or columns[i - 1][0] != b else "" for i, (b, _) in enumerate(columns)
        ]
        sheet.append([cell(sheet, v, bold) for v in ("Org unit", "Occupation (ISCO-08)", *groups)])
        sheet.append([cell(sheet, v, bold) for v in ("", "", *(c or "total" for _, c in columns))])
        if module == 5:
            sheet.append([])
        values = {(r.org_unit, r.occupation, r.breakdown, r.category): r.value for r in rows if r.module == module}
        for unit in done.units:
            jobs = dict.fromkeys(r.occupation for r in unit.rows if r.module == module)
            for job in jobs:
                label = "All occupations" if job == ALL else job
                rate = [unit.vacancy_rate] if module == 5 and job == ALL else []
                sheet.append([unit.code, label, *(values.get((unit.code, job, b, c)) for b, c in columns), *rate])
    about = book.create_sheet("About")
    for label, value in statement_rows(done):
        about.append([cell(about, label, bold), value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def statement_rows(done: NhwaExport) -> list[tuple[str, str]]:
    """What the workbook reflects, and how its figures are defined in short (docs/exports.md has the rest)."""
    rates = "; ".join(f"{u.code}: {text(u.vacancy_rate) or 'no posts'}" for u in done.units)
    return [
        ("Year", str(done.year)),
        ("Reference date", done.reference_date.isoformat()),
        ("As known at", done.known_at.isoformat()),
        ("Ledger position", str(done.position)),
        ("Country (places of birth and training)", done.country),
        ("Units", ", ".join(u.code for u in done.units)),
        ("Vacancy rate on the reference date", rates),
        ("Module 1", "workers active (in post, not on leave) on the reference date, by occupation"),
        (
            "Module 5",
            "entries: hires and rehires in the year; exits: departures by reason; transfers across "
            "a region's boundary apart",
        ),
        ("Breakdowns", ", ".join(MODULE_1)),
        ("Produced at", datetime.now(UTC).isoformat(timespec="seconds")),
    ]


def cell(sheet: Any, value: str, font: Font) -> Cell:
    made = WriteOnlyCell(sheet, value=value)
    made.font = font
    return made


def file_bytes(done: NhwaExport, kind: str) -> bytes:
    """The export in format ``kind`` (``csv`` or ``xlsx``)."""
    return xlsx_bytes(done) if kind == "xlsx" else csv_bytes(done)
