"""The import template, read back with openpyxl: a guide, one sheet per command with the input fields' names
and French labels, frozen and bold header rows, drop-downs over the hidden codes sheet, date columns."""

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from api.graphql.schema import schema
from api.imports.catalogue import catalogue
from api.imports.reading import read_rows
from api.imports.rows import FIRST_DATA_ROW, SHEETS
from api.imports.template import write_template

FACILITIES = [f"CSCOM{n:03}" for n in range(80)]  # more than a literal list's 255 characters
CADRES = ["SF", "MED", "INF"]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "modele.xlsx"
    write_template(path, catalogue(), FACILITIES, CADRES)
    return path


@pytest.fixture(scope="module")
def book(template: Path) -> Workbook:
    return load_workbook(template)


def header(book: Workbook, sheet: str, row: int) -> list[str]:
    return [c.value for c in book[sheet][row] if c.value is not None]


def test_a_guide_then_one_sheet_per_command_in_order_and_the_hidden_codes(book: Workbook) -> None:
    assert book.sheetnames == ["Lisez-moi", *SHEETS, "codes"]
    assert book["codes"].sheet_state == "hidden"
    guide = " ".join(str(c.value) for c in book["Lisez-moi"]["A"])
    for said in (
        "Ligne 1",
        "Ligne 2",
        "2017-03-01",
        "01/03/2017",
        "workerId",
        "civilServiceNumber",
        "commandId",
        "code",
        "déroulantes",
    ):
        assert said in guide


def test_row_one_holds_the_input_fields_of_the_mutation(book: Workbook) -> None:
    introspected = schema.as_str()
    assert header(book, "postWorker", 1) == [
        "workerId",
        "civilServiceNumber",
        "facilityCode",
        "jobTitle",
        "effectiveOn",
        "authority",
        "note",
        "commandId",
    ]
    assert header(book, "setEstablishment", 1) == [
        "facilityCode",
        "cadreCode",
        "posts",
        "effectiveOn",
        "authority",
        "commandId",
    ]
    assert "expectedFromFacilityCode" in header(book, "transferWorker", 1)
    hire = header(book, "hireWorker", 1)
    assert "workerId" not in hire
    for name in hire:
        assert f"{name}:" in introspected.split("input HireWorkerInput")[1].split("}")[0]


def test_row_two_holds_the_french_labels_required_ones_marked(book: Workbook) -> None:
    labels = dict(zip(header(book, "hireWorker", 1), header(book, "hireWorker", 2), strict=True))
    assert labels["familyName"] == "Nom de famille *"
    assert labels["effectiveOn"] == "Date d’effet *"
    assert labels["birthDate"] == "Date de naissance"  # optional: not marked
    assert labels["commandId"] == "Identifiant de la commande (facultatif)"
    post = dict(zip(header(book, "postWorker", 1), header(book, "postWorker", 2), strict=True))
    assert post["workerId"].endswith(" (*)") and post["civilServiceNumber"].endswith(" (*)")


def test_the_header_rows_are_frozen_and_bold(book: Workbook) -> None:
    for name in SHEETS:
        sheet = book[name]
        assert sheet.freeze_panes == f"A{FIRST_DATA_ROW}"
        assert all(c.font.bold for row in (1, 2) for c in sheet[row] if c.value is not None)


def drop_downs(book: Workbook, sheet: str) -> dict[str, list[str]]:
    """Each column's drop-down (by row 1's name): the values its range covers on the codes sheet."""
    names = {c.column_letter: c.value for c in book[sheet][1]}
    found = {}
    for validation in book[sheet].data_validations.dataValidation:
        assert validation.type == "list"
        sheet_name, cells = validation.formula1.split("!")
        first, last = cells.replace("$", "").split(":")
        values = [c.value for row in book[sheet_name.strip("'")][f"{first}:{last}"] for c in row]
        for cell_range in validation.sqref.ranges:
            assert cell_range.min_row == FIRST_DATA_ROW and cell_range.max_row == 1048576
            found[names[cell_range.coord.split(":")[0].rstrip("0123456789")]] = values
    return found


def test_drop_downs_for_enums_facility_codes_and_cadre_codes(book: Workbook) -> None:
    hire = drop_downs(book, "hireWorker")
    assert hire == {
        "sex": ["FEMALE", "MALE"],
        "cadreCode": CADRES,
        "sector": ["PUBLIC", "PARAPUBLIC", "COMMUNITY", "PRIVATE"],
        "fundingSource": ["STATE", "LOCAL_GOVERNMENT", "COMMUNITY", "PARTNER", "PRIVATE"],
    }
    transfer = drop_downs(book, "transferWorker")
    assert transfer == {"toFacilityCode": FACILITIES, "expectedFromFacilityCode": FACILITIES}
    assert drop_downs(book, "setEstablishment") == {"facilityCode": FACILITIES, "cadreCode": CADRES}
    assert drop_downs(book, "recordDeparture")["reason"][0] == "RETIREMENT"


def test_date_columns_are_formatted_as_dates_and_text_columns_as_text(book: Workbook) -> None:
    sheet = book["hireWorker"]
    formats = {c.value: sheet.column_dimensions[c.column_letter].number_format for c in sheet[1]}
    assert {name for name, shown in formats.items() if shown == "DD/MM/YYYY"} == {"birthDate", "effectiveOn"}
    assert formats["civilServiceNumber"] == formats["cadreCode"] == formats["familyName"] == "@"
    assert formats["sex"] == "General"


def test_the_blank_template_reads_as_no_rows_and_writes_to_a_stream(template: Path) -> None:
    assert list(read_rows(template)) == []
    stream = BytesIO()
    write_template(stream, catalogue(), [], [])
    assert load_workbook(BytesIO(stream.getvalue())).sheetnames[1] == "hireWorker"
