"""The pure parts of the audit and org-tree pages: the period's bounds, the filter read from an address,
the served audit document's anchors, and the tables of figures with DESIGN's marks."""

import fnmatch
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from starlette.datastructures import QueryParams

from api.web.i18n import translations
from api.web.tables import csv_text
from api.web.views.audit import AUDIT_DOC, KIND_ORDER, anchor, audit_doc_html, moment_of, trail_filter
from api.web.views.units import establishment_table, staffing_table
from projections.audit import KINDS


@dataclass
class Speaking:
    """What the tables need of a visit: its language."""

    language: str

    def text(self, message: str) -> str:
        return translations(self.language).gettext(message)


def test_a_day_bounds_the_period_from_its_first_to_its_last_moment_in_utc() -> None:
    assert moment_of("2024-01-31", end=False) == datetime(2024, 1, 31, tzinfo=UTC)
    assert moment_of("2024-01-31", end=True) == datetime(2024, 2, 1, tzinfo=UTC) - timedelta(microseconds=1)
    assert moment_of("2024-01-31T10:00", end=True) == datetime(2024, 1, 31, 10, tzinfo=UTC)
    bamako_plus_two = moment_of("2024-01-31T10:00+02:00", end=False)
    assert bamako_plus_two.utcoffset() == timedelta(hours=2) and bamako_plus_two.tzinfo == timezone(timedelta(hours=2))
    with pytest.raises(ValueError):
        moment_of("2024-02-30", end=False)


def test_the_filter_keeps_what_was_typed_and_sends_the_api_its_variables() -> None:
    where = trail_filter(QueryParams("from=2024-01-01&to=2024-01-31&kind=MOVED&orgUnitCode=+R1+&recordedBy="))
    assert where.typed["orgUnitCode"] == "R1" and where.typed["recordedBy"] == ""
    assert where.variables == {
        "recordedBy": None,
        "from": "2024-01-01T00:00:00+00:00",
        "to": "2024-01-31T23:59:59.999999+00:00",
        "orgUnitCode": "R1",
        "kind": "MOVED",
        "workerId": None,
    }
    # A date that is not one goes to the API as typed: it refuses it with its own code.
    assert trail_filter(QueryParams("from=31/01/2024")).variables["from"] == "31/01/2024"


def test_every_kind_of_event_is_offered_once() -> None:
    assert sorted(KIND_ORDER) == sorted(KINDS)
    assert KIND_ORDER[:3] == ["HIRED", "POSTED", "TRANSFERRED"]


def test_the_audit_document_is_served_with_its_anchors_and_its_script() -> None:
    assert anchor("The trail of an org unit") == "the-trail-of-an-org-unit"
    assert anchor("`hrh verify`") == "hrh-verify"
    html = audit_doc_html()
    assert html is not None
    assert '<h2 id="checking-an-export-independently">' in html
    assert "hashlib.sha256((previous + &quot;\\n&quot; + digest).encode()).hexdigest()" in html


def test_the_served_audit_document_is_docs_audit_md_and_goes_into_the_package() -> None:
    # The page reads it inside the api package (a link to docs/audit.md in a checkout), which the
    # package data names, so that an installed wheel serves it too.
    root = Path(__file__).resolve().parents[2]
    package = root / "api"
    assert AUDIT_DOC.read_text(encoding="utf-8") == (root / "docs" / "audit.md").read_text(encoding="utf-8")
    inside = AUDIT_DOC.relative_to(package.resolve()).as_posix()
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["api"]
    assert any(fnmatch.fnmatch(inside, pattern) for pattern in patterns), (inside, patterns)


def test_the_staffing_cells_carry_their_figure_and_unit_and_densities_one_decimal() -> None:
    staffing = {
        "asOf": "2024-06-30",
        "headcount": 1234,
        "onLeave": 4,
        "active": 1230,
        "qualifiedActive": 1000,
        "population": 2_000_000,
        "density": 6.26,
        "qualifiedDensity": None,
    }
    table = staffing_table(Speaking("fr"), "MOP", staffing)  # type: ignore[arg-type]
    cells = {row[1].figure: row[1] for row in table.rows}
    assert {cell.unit for cell in cells.values()} == {"MOP"}
    assert cells["headcount"].text == "1\u202f234"
    assert cells["density"].text == "6,3"
    assert cells["qualifiedDensity"].text == ""
    assert csv_text(table, "fr").startswith("\ufeff")


def test_the_establishment_table_marks_the_totals_and_is_absent_without_posts() -> None:
    none_set = {"asOf": "2024-06-30", "posts": 0, "filled": 3, "vacant": 0, "surplus": 0, "vacancyRate": None}
    assert establishment_table(Speaking("en"), "F1", {**none_set, "byCadreGroup": []}) is None  # type: ignore[arg-type]
    groups = [{"key": "NURSE", "posts": 3, "filled": 1, "vacant": 2, "surplus": 0}]
    found = {"asOf": "2024-06-30", "posts": 3, "filled": 1, "vacant": 2, "surplus": 0, "vacancyRate": 2 / 3}
    table = establishment_table(Speaking("en"), "F1", {**found, "byCadreGroup": groups})  # type: ignore[arg-type]
    assert table is not None
    nurses, total = table.rows
    assert all(cell.figure is None for cell in nurses)
    assert [(c.figure, c.unit, c.text) for c in total[1:]] == [
        ("posts", "F1", "3"),
        ("filled", "F1", "1"),
        ("vacant", "F1", "2"),
        ("surplus", "F1", "0"),
        ("vacancyRate", "F1", "66.7 %"),
    ]
