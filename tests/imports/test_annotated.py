"""The annotated copy: the uploaded workbook (or CSV) again, each row's errors in a column added after the last
one, said in the reader's language; sent again once corrected, the errors column is ignored."""

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook

from api.imports.annotated import errors_by_row, write_annotated
from api.imports.reading import read_rows
from api.imports.rows import RowError
from domain.errors import N_

POST = ["workerId", "facilityCode", "effectiveOn", "note"]


def uploaded(path: Path) -> Path:
    book = Workbook()
    guide = book.active
    assert guide is not None
    guide.title = "Lisez-moi"
    guide.append(["Mode d’emploi"])
    post = book.create_sheet("postWorker")
    for row in (
        POST,
        ["Agent", "Établissement", "Date", "Note"],
        ["w1", "CS1", datetime(2017, 3, 1)],
        ["w2", "NOPE", "hier", "Ségou"],
    ):
        post.append(row)
    book.create_sheet("Feuil1").append(["x"])
    book.save(path)
    return path


def test_each_row_gets_its_errors_in_a_column_after_the_last(tmp_path: Path) -> None:
    source = uploaded(tmp_path / "envoi.xlsx")
    errors = [e for r in read_rows(source) for e in r.errors]
    errors.append(
        RowError(
            "postWorker",
            4,
            "facilityCode",
            "NOPE",
            "NOT_FOUND",
            "No unit NOPE.",
            N_("No org unit has the code {code!r}."),
            {"code": "NOPE"},
        )
    )
    write_annotated(source, errors_by_row(errors), tmp_path / "erreurs.xlsx", language="en")
    copy = load_workbook(tmp_path / "erreurs.xlsx")
    assert copy.sheetnames == ["Lisez-moi", "postWorker", "Feuil1"]
    rows = [[c.value for c in row] for row in copy["postWorker"].iter_rows()]
    assert rows[0] == [*POST, "Errors"]
    assert rows[1] == ["Agent", "Établissement", "Date", "Note", "Erreurs"]
    assert rows[2] == ["w1", "CS1", datetime(2017, 3, 1), None, None]
    assert rows[3][:4] == ["w2", "NOPE", "hier", "Ségou"]
    bad_date, not_found = rows[3][4].split("\n")
    assert bad_date.startswith("effectiveOn: BAD_DATE 'hier' is not a date")
    assert not_found == "facilityCode: NOT_FOUND No org unit has the code 'NOPE'."
    assert copy["Feuil1"]["B1"].value.startswith("Errors: UNKNOWN_SHEET The sheet 'Feuil1'")
    assert [[c.value for c in row] for row in copy["Lisez-moi"].iter_rows()] == [["Mode d’emploi"]]


def test_the_errors_are_said_in_french_by_default(tmp_path: Path) -> None:
    source = uploaded(tmp_path / "envoi.xlsx")
    write_annotated(source, errors_by_row(e for r in read_rows(source) for e in r.errors), tmp_path / "erreurs.xlsx")
    cell = load_workbook(tmp_path / "erreurs.xlsx")["postWorker"]["E4"].value
    expected = (
        "effectiveOn: BAD_DATE 'hier' n’est pas une date : écrivez 2017-03-01 ou 01/03/2017 (le jour d’abord), "
        "ou utilisez une cellule de date."
    )
    assert cell == expected


def test_the_copy_corrected_and_sent_again_is_read_without_its_errors_column(tmp_path: Path) -> None:
    source = uploaded(tmp_path / "envoi.xlsx")
    write_annotated(source, errors_by_row(e for r in read_rows(source) for e in r.errors), tmp_path / "erreurs.xlsx")
    corrected = load_workbook(tmp_path / "erreurs.xlsx")
    corrected["postWorker"]["C4"] = "02/03/2017"
    del corrected["Feuil1"]
    corrected.save(tmp_path / "corrige.xlsx")
    rows = list(read_rows(tmp_path / "corrige.xlsx"))
    assert [r.errors for r in rows] == [(), ()]
    assert rows[1].values == {"workerId": "w2", "facilityCode": "NOPE", "effectiveOn": "2017-03-02", "note": "Ségou"}
    # annotated again, the old errors column is replaced, not followed by another
    write_annotated(tmp_path / "corrige.xlsx", {}, tmp_path / "encore.xlsx")
    assert [c.value for c in load_workbook(tmp_path / "encore.xlsx")["postWorker"][1]] == [*POST, "Errors"]


def test_a_csv_comes_back_as_a_workbook_with_its_file_errors_on_row_one(tmp_path: Path) -> None:
    source = tmp_path / "endLeave.csv"
    source.write_text("workerId;effectiveOn;extra\nAgent;Date;\nw1;hier;\n", encoding="utf-8-sig")
    errors = [e for r in read_rows(source) for e in r.errors]
    assert [e.code for e in errors] == ["UNKNOWN_COLUMN"]
    write_annotated(source, errors_by_row(errors), tmp_path / "erreurs.xlsx", language="en")
    sheet = load_workbook(tmp_path / "erreurs.xlsx")["endLeave"]
    assert [c.value for c in sheet[3]] == ["w1", "hier", None, None]
    assert sheet["C1"].value == "extra"  # the widest row's width
    assert sheet["D1"].value.startswith("Errors: extra: UNKNOWN_COLUMN Row 1 names a column 'extra'")


def test_a_csv_that_names_no_command_gets_its_error_on_row_one(tmp_path: Path) -> None:
    source = tmp_path / "mouvements.csv"
    source.write_text("workerId,effectiveOn\n,\nw1,2017-03-01\n", encoding="utf-8")
    errors = [e for r in read_rows(source) for e in r.errors]
    write_annotated(source, errors_by_row(errors), tmp_path / "erreurs.xlsx", language="en")
    sheet = load_workbook(tmp_path / "erreurs.xlsx")["mouvements"]
    assert sheet["C1"].value.startswith("Errors: UNKNOWN_COMMAND The file 'mouvements.csv' does not say its command")
    assert [c.value for c in sheet[3]] == ["w1", "2017-03-01", None]


def test_a_file_that_cannot_be_read_gives_the_list_of_its_errors(tmp_path: Path) -> None:
    source = tmp_path / "envoi.xlsx"
    source.write_bytes(b"not a workbook")
    errors = [e for r in read_rows(source) for e in r.errors]
    write_annotated(source, errors_by_row(errors), tmp_path / "erreurs.xlsx", language="en")
    rows = [[c.value for c in row] for row in load_workbook(tmp_path / "erreurs.xlsx")["Errors"].iter_rows()]
    assert rows[0] == ["sheet", "row", "column", "value", "code", "message"]
    assert rows[1][:5] == ["envoi.xlsx", 1, None, None, "UNREADABLE_FILE"]
    assert len(rows) == 2
