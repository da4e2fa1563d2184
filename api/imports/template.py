"""The import template (``hrh import-template``, and a download on the web): a "Lisez-moi" sheet, then one
sheet per command in SHEETS order, laid out as DESIGN "Spreadsheet import" says. Row 1 holds the input field
names, row 2 their French labels (" *" when required), both frozen and bold; enum, facility-code and
cadre-code columns get drop-downs over ranges of a hidden "codes" sheet (a literal list is limited to 255
characters); date columns are formatted as dates, text columns as text.
"""

import asyncio
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from api.access import User
from api.graphql.context import Services
from api.imports.catalogue import Column, Sheet, catalogue
from api.imports.guide import GUIDE, TITLE
from api.imports.labels import label
from api.imports.rows import FIRST_DATA_ROW
from api.operations import execute

GUIDE_SHEET = "Lisez-moi"
CODES_SHEET = "codes"
FACILITY_COLUMNS = ("facilityCode", "toFacilityCode", "expectedFromFacilityCode")
CADRE_COLUMNS = ("cadreCode",)
FORMATS = {"Date": "DD/MM/YYYY", "String": "@", "ID": "@"}
"""The columns' cell formats: dates as dates; text as text, so that a civil-service number keeps its
leading zeros and a code is never read as a number."""
LAST_ROW = 1048576
"""The last row of a sheet: the drop-downs cover the whole column below the header."""
CODES = """
query TemplateCodes { orgUnits(level: FACILITY) { code closedOn } cadres { code } }
"""


async def template_codes(services: Services, user: User) -> tuple[list[str], list[str]]:
    """The codes of the open facilities and of the cadres, as ``user`` sees them through the API."""
    found = await execute(services, user, CODES)
    facilities = sorted(u["code"] for u in found["orgUnits"] if u["closedOn"] is None)
    return facilities, sorted(c["code"] for c in found["cadres"])


async def write_template_for(services: Services, user: User, target: str | Path | IO[bytes]) -> None:
    """Writes the template of every sheet to ``target``, with the codes ``user`` sees (``hrh import-template``
    and the web's download); the file is written in a thread, off the event loop."""
    facilities, cadres = await template_codes(services, user)
    await asyncio.to_thread(write_template, target, catalogue(), facilities, cadres)


def write_template(
    target: str | Path | IO[bytes],
    catalogue: Mapping[str, Sheet],
    facility_codes: Sequence[str],
    cadre_codes: Sequence[str],
) -> None:
    """Writes the template to ``target`` (a path or a binary stream), for the sheets of ``catalogue``
    (``api.imports.catalogue.catalogue()``), with the drop-downs of these codes."""
    book = Workbook()
    guide = book.active
    if guide is None:  # pragma: no cover - a new workbook has a sheet
        guide = book.create_sheet()
    write_guide(guide)
    lists = code_lists(catalogue, facility_codes, cadre_codes)
    ranges = write_codes(book.create_sheet(CODES_SHEET), lists)
    for sheet in catalogue.values():
        write_sheet(book.create_sheet(sheet.command), sheet, ranges)
    book.move_sheet(CODES_SHEET, offset=len(catalogue))
    book.save(target)


def write_guide(guide: Any) -> None:
    guide.title = GUIDE_SHEET
    guide.column_dimensions["A"].width = 120
    guide.append([TITLE])
    guide["A1"].font = Font(bold=True, size=14)
    for paragraph in GUIDE:
        guide.append([paragraph])
        guide.cell(guide.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")


def code_lists(
    catalogue: Mapping[str, Sheet], facility_codes: Sequence[str], cadre_codes: Sequence[str]
) -> dict[str, list[str]]:
    """The drop-downs' lists by name: the facilities, the cadres, and each enum by its type's name."""
    lists = {"facilityCode": list(facility_codes), "cadreCode": list(cadre_codes)}
    for sheet in catalogue.values():
        for column in sheet.columns:
            if column.is_enum:
                lists[column.type] = list(column.options)
    return lists


def write_codes(codes: Any, lists: dict[str, list[str]]) -> dict[str, str]:
    """Writes each list in a column of the hidden codes sheet (its name in row 1) and gives the absolute
    reference of each non-empty list, e.g. ``codes!$A$2:$A$40``."""
    codes.sheet_state = "hidden"
    ranges = {}
    for index, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        codes.cell(1, index, name).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            codes.cell(row, index, value)
        if values:
            ranges[name] = f"{quote_sheetname(CODES_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def list_of(column: Column) -> str:
    """The name of the list a column's drop-down offers ("" for none)."""
    if column.is_enum:
        return column.type
    if column.name in FACILITY_COLUMNS:
        return "facilityCode"
    return "cadreCode" if column.name in CADRE_COLUMNS else ""


def write_sheet(sheet: Any, columns: Sheet, ranges: dict[str, str]) -> None:
    bold = Font(bold=True)
    sheet.append(list(columns.names))
    sheet.append([label(c) for c in columns.columns])
    for index, column in enumerate(columns.columns, start=1):
        letter = get_column_letter(index)
        sheet.cell(1, index).font = bold
        sheet.cell(2, index).font = bold
        sheet.column_dimensions[letter].width = max(16, len(label(column)) + 2)
        if column.type in FORMATS:
            sheet.column_dimensions[letter].number_format = FORMATS[column.type]
        named = list_of(column)
        if named in ranges:
            sheet.add_data_validation(drop_down(column, ranges[named], f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_ROW}"))
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"


def drop_down(column: Column, reference: str, cells: str) -> DataValidation:
    """A list drop-down; an enum accepts only its values, a code column warns on another code (a facility
    opened after the template was made can still be typed, and the import checks every code)."""
    strict = column.is_enum
    validation = DataValidation(
        type="list",
        formula1=reference,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop" if strict else "warning",
        errorTitle=column.name,
        error="Choisissez une valeur de la liste." if strict else "Ce code n’est pas dans la liste.",
    )
    validation.add(cells)
    return validation
