"""Reading a filled-in workbook or CSV file as the import's rows: every cell as the GraphQL variable of its
column would carry it, and every problem reported with its sheet, row, column, value and code."""

import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from api.imports.reading import read_rows
from api.imports.rows import Row

HIRE = ["familyName", "givenNames", "sex", "birthDate", "cadreCode", "sector", "fundingSource", "effectiveOn"]
LABELS = ["Nom *", "Prénoms *", "Sexe *", "Date de naissance", "Cadre *", "Secteur *", "Financement *", "Date *"]


def workbook(path: Path, sheets: dict[str, list[Any]]) -> Path:
    """A workbook with one sheet per entry, its rows written from row 1."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def hire(*rows: list[Any]) -> list[list[Any]]:
    return [HIRE, LABELS, *rows]


def codes(rows: list[Row]) -> list[tuple[str, int, str | None, str]]:
    return [(e.sheet, e.row, e.column, e.code) for r in rows for e in r.errors]


def test_text_is_trimmed_and_accents_are_composed(tmp_path: Path) -> None:
    decomposed = "Se\u0301gou"  # "e" then a combining acute accent
    row = ["Traoré ", "\u00a0Awa", "female ", None, " SF\u00a0", "public", "STATE", date(2017, 3, 1)]
    path = workbook(tmp_path / "a.xlsx", {"hireWorker": hire([*row, decomposed])})
    [read] = read_rows(path)
    assert read.values["familyName"] == "Traoré"
    assert read.values["givenNames"] == "Awa"
    assert read.values["sex"] == "FEMALE"
    assert read.values["cadreCode"] == "SF"
    assert read.values["sector"] == "PUBLIC"
    assert "birthDate" not in read.values
    assert (read.sheet, read.row) == ("hireWorker", 3)
    # the ninth cell has no column in row 1
    assert codes([read]) == [("hireWorker", 3, None, "UNNAMED_COLUMN")]


def test_accents_composed_in_a_town_name(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "a.xlsx",
        {
            "postWorker": [
                ["workerId", "facilityCode", "effectiveOn", "note"],
                [],
                ["w1", "SEG", "2017-03-01", "Se\u0301gou  "],
            ]
        },
    )
    [read] = read_rows(path)
    assert read.values["note"] == "Ségou"
    assert read.values["note"].encode() == b"S\xc3\xa9gou"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (date(2017, 3, 1), "2017-03-01"),
        (datetime(2017, 3, 1, 0, 0), "2017-03-01"),
        ("2017-03-01", "2017-03-01"),
        ("01/03/2017", "2017-03-01"),  # day first
        ("1/3/2017", "2017-03-01"),
        (" 31/12/2016 ", "2016-12-31"),
        (42795, "2017-03-01"),  # Excel's serial number of 1 March 2017 (days since 1899-12-30)
        (42795.0, "2017-03-01"),
        (1, "1900-01-01"),
    ],
)
def test_a_date_is_read_from_each_accepted_form(tmp_path: Path, cell: Any, expected: str) -> None:
    row = ["Diallo", "Awa", "FEMALE", None, "SF", "PUBLIC", "STATE", cell]
    [read] = read_rows(workbook(tmp_path / "d.xlsx", {"hireWorker": hire(row)}))
    assert read.errors == ()
    assert read.values["effectiveOn"] == expected


@pytest.mark.parametrize(
    "cell", ["2017/03/01", "03-01-2017", "31/02/2017", "1er mars 2017", "hier", "42795", 0, -5, 200000, True]
)
def test_anything_else_in_a_date_column_is_a_bad_date(tmp_path: Path, cell: Any) -> None:
    row = ["Diallo", "Awa", "FEMALE", None, "SF", "PUBLIC", "STATE", cell]
    [read] = read_rows(workbook(tmp_path / "d.xlsx", {"hireWorker": hire(row)}))
    [error] = read.errors
    assert (error.sheet, error.row, error.column, error.code) == ("hireWorker", 3, "effectiveOn", "BAD_DATE")
    assert error.value == str(cell).strip()
    assert "effectiveOn" not in read.values
    assert str(cell) in error.message


def test_numbers_and_checks_are_typed(tmp_path: Path) -> None:
    sheet = [
        ["facilityCode", "cadreCode", "posts", "effectiveOn"],
        [],
        ["CSCOM1", "SF", 4, "2017-01-01"],
        ["CSCOM1", 12, " 7 ", "2017-01-01"],
        ["CSCOM1", "SF", "sept", "2017-01-01"],
    ]
    rows = list(read_rows(workbook(tmp_path / "n.xlsx", {"setEstablishment": sheet})))
    assert [r.values["posts"] for r in rows] == [4, 7, "sept"]  # "sept" is for GraphQL to refuse
    assert rows[1].values["cadreCode"] == "12"


def formula_cached(path: Path, formula: str, value: str) -> None:
    """Gives the formula ``formula`` of ``path`` the cached value ``value``, as a spreadsheet program would
    (openpyxl writes formulas without one)."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    written = f"<f>{formula}</f><v />".encode()
    for name, content in parts.items():
        parts[name] = content.replace(written, f"<f>{formula}</f><v>{value}</v>".encode())
    with zipfile.ZipFile(path, "w") as target:
        for name, content in parts.items():
            target.writestr(name, content)


def test_a_formula_without_a_cached_value_is_an_error_and_one_with_a_value_is_read(tmp_path: Path) -> None:
    without = ["Diallo", "Awa", "FEMALE", None, "SF", "PUBLIC", "STATE", "=DATE(2017,3,1)"]
    with_value = ["Coulibaly", "Ali", "MALE", None, "SF", "PUBLIC", "STATE", "=42794+1"]
    path = workbook(tmp_path / "f.xlsx", {"hireWorker": hire(without, with_value)})
    formula_cached(path, "42794+1", "42795")
    first, second = read_rows(path)
    assert codes([first]) == [("hireWorker", 3, "effectiveOn", "FORMULA_WITHOUT_VALUE")]
    assert "H3" in first.errors[0].message
    assert first.errors[0].value == "=DATE(2017,3,1)"
    assert second.errors == ()
    assert second.values["effectiveOn"] == "2017-03-01"


def test_an_empty_sheet_gives_nothing_and_empty_rows_are_skipped(tmp_path: Path) -> None:
    row = ["Diallo", "Awa", "FEMALE", None, "SF", "PUBLIC", "STATE", "2017-03-01"]
    sheets = {
        "endLeave": [["workerId", "effectiveOn"], ["Agent", "Date"]],
        "rehireWorker": [],
        "hireWorker": hire([], [None, " "], row),
    }
    rows = list(read_rows(workbook(tmp_path / "e.xlsx", sheets)))
    assert [(r.sheet, r.row) for r in rows] == [("hireWorker", 5)]


def test_a_sheet_not_in_the_template_is_reported_not_ignored(tmp_path: Path) -> None:
    sheets = {"Feuil1": [["a"], ["b"], ["c"]], "hireWorker": hire(), "Lisez-moi": [["texte"]], "codes": [["SF"]]}
    [row] = read_rows(workbook(tmp_path / "s.xlsx", sheets))
    [error] = row.errors
    assert (error.sheet, error.row, error.code) == ("Feuil1", 1, "UNKNOWN_SHEET")
    assert "hireWorker" in error.message and "setEstablishment" in error.message
    assert row.values == {}


def test_the_sheets_are_read_in_the_order_they_are_recorded(tmp_path: Path) -> None:
    post = [["workerId", "facilityCode", "effectiveOn"], [], ["w1", "C1", "2017-03-02"]]
    hired = ["Diallo", "Awa", "FEMALE", None, "SF", "PUBLIC", "STATE", "2017-03-01"]
    rows = list(read_rows(workbook(tmp_path / "o.xlsx", {"postWorker": post, "hireWorker": hire(hired)})))
    assert [r.sheet for r in rows] == ["hireWorker", "postWorker"]


def test_a_column_not_in_the_input_type_or_missing_stops_the_sheet(tmp_path: Path) -> None:
    sheets = {
        "postWorker": [
            ["workerId", "facilityCod", "effectiveOn", "effectiveOn"],
            [],
            ["w1", "C1", "2017-03-02", "2017-03-02"],
        ],
        "endLeave": [["effectiveOn"], [], ["2017-03-02"]],
    }
    rows = list(read_rows(workbook(tmp_path / "c.xlsx", sheets)))
    assert [(r.sheet, r.row, r.values) for r in rows] == [("postWorker", 1, {}), ("endLeave", 1, {})]
    assert codes(rows) == [
        ("postWorker", 1, "facilityCod", "UNKNOWN_COLUMN"),
        ("postWorker", 1, "effectiveOn", "DUPLICATE_COLUMN"),
        ("postWorker", 1, None, "MISSING_COLUMN"),
        ("endLeave", 1, None, "MISSING_COLUMN"),
    ]
    assert rows[0].errors[2].params["column"] == "facilityCode"
    assert rows[1].errors[0].params["column"] == "workerId / civilServiceNumber"


def test_a_worker_named_by_civil_service_number(tmp_path: Path) -> None:
    sheet = [["civilServiceNumber", "effectiveOn"], [], [123456, "2017-03-02"]]
    [row] = read_rows(workbook(tmp_path / "w.xlsx", {"endLeave": sheet}))
    assert row.values == {"civilServiceNumber": "123456", "effectiveOn": "2017-03-02"}


def test_a_second_row_that_is_not_the_labels_is_reported(tmp_path: Path) -> None:
    sheet = [["workerId", "effectiveOn"], ["w1", "2017-03-02"], ["w2", "2017-03-03"]]
    first, second = read_rows(workbook(tmp_path / "l.xlsx", {"endLeave": sheet}))
    assert codes([first]) == [("endLeave", 2, None, "NOT_LABELS")]
    assert second.values == {"workerId": "w2", "effectiveOn": "2017-03-03"}


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_a_csv_with_semicolons_and_a_bom(tmp_path: Path) -> None:
    text = "workerId;facilityCode;effectiveOn;note\r\nAgent;Établissement;Date;Note\r\nw1;CSCOM1 ;01/03/2017;Ségou\r\n"
    path = write_csv(tmp_path / "postWorker.csv", text, "utf-8-sig")
    [row] = read_rows(path)
    assert row.values == {"workerId": "w1", "facilityCode": "CSCOM1", "effectiveOn": "2017-03-01", "note": "Ségou"}
    assert (row.sheet, row.row) == ("postWorker", 3)


def test_a_csv_with_commas_named_by_its_command(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "mouvements.csv", 'workerId,toFacilityCode,effectiveOn,note\n,,,\nw1,C2,2017-03-01,"a, b"\n'
    )
    [row] = read_rows(path, command="transferWorker")
    assert row.values == {"workerId": "w1", "toFacilityCode": "C2", "effectiveOn": "2017-03-01", "note": "a, b"}


def test_a_csv_whose_command_is_unknown_or_not_utf8_is_an_error(tmp_path: Path) -> None:
    [unnamed] = read_rows(write_csv(tmp_path / "mouvements.csv", "workerId,effectiveOn\n"))
    assert codes([unnamed]) == [("mouvements.csv", 1, None, "UNKNOWN_COMMAND")]
    rows = "workerId;effectiveOn\n\n" + "w1;2017-03-01\n" * 20000 + "w2;Ségou\n"  # the bad byte far down
    [latin] = read_rows(write_csv(tmp_path / "endLeave.csv", rows, "latin-1"))
    assert codes([latin]) == [("endLeave.csv", 1, None, "UNREADABLE_FILE")]


def test_a_file_that_is_not_a_workbook_is_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "x.xlsx"
    broken.write_bytes(b"not a zip")
    assert codes(list(read_rows(broken))) == [("x.xlsx", 1, None, "UNREADABLE_FILE")]
    assert codes(list(read_rows(tmp_path / "x.ods"))) == [("x.ods", 1, None, "UNREADABLE_FILE")]


def test_the_fingerprint_is_the_rows_content_and_stable_across_writes(tmp_path: Path) -> None:
    row = ["Diallo", "Awa", "FEMALE", None, "SF", "PUBLIC", "STATE", date(2017, 3, 1)]
    same = ["Diallo", "Awa", "female", None, "SF", "PUBLIC", "STATE", "01/03/2017"]
    other = ["Diallo", "Awa", "FEMALE", None, "SF", "PUBLIC", "STATE", "2017-03-02"]
    first = list(read_rows(workbook(tmp_path / "1.xlsx", {"hireWorker": hire(row, row, other)})))
    again = list(read_rows(workbook(tmp_path / "2.xlsx", {"hireWorker": hire(same, row, other)})))
    assert [r.fingerprint for r in first] == [r.fingerprint for r in again]
    assert len({r.fingerprint for r in first}) == 3  # the row number counts, and so does the content
    assert all(len(r.fingerprint) == 64 for r in first)
