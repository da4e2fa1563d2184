"""A dashboard's tables and charts from a GraphQL answer: every figure a cell marked as DESIGN says
(data-figure, data-unit, data-period; a breakdown's key and measure), densities to one decimal in the
page's language, every table its own CSV."""

from typing import Any

from api.web.i18n import Formats
from api.web.tables import Table, csv_text
from api.web.views.dashboard_charts import charts
from api.web.views.dashboard_tables import Figure, Words, tables

ANSWER: dict[str, Any] = {
    "orgUnit": {"code": "ML-R1", "name": "Mopti", "level": "REGION", "parent": {"code": "ML", "name": "Mali"}},
    "densitySeries": [
        {
            "period": "2016",
            "endOn": "2016-12-31",
            "active": 120,
            "qualifiedActive": 60,
            "population": 200_000,
            "density": 6.0,
            "qualifiedDensity": 3.0,
            "entries": 14,
            "exits": 2,
        },
        {
            "period": "2017",
            "endOn": "2017-12-31",
            "active": 12_345,
            "qualifiedActive": 1234,
            "population": 2_057_000,
            "density": 60.01458,
            "qualifiedDensity": 5.99902,
            "entries": 0,
            "exits": 1,
        },
        {
            "period": "2018",
            "endOn": "2018-12-31",
            "active": 0,
            "qualifiedActive": 0,
            "population": None,
            "density": None,
            "qualifiedDensity": None,
            "entries": 0,
            "exits": 0,
        },
    ],
    "thresholds": [
        {"name": "WHO World Health Report 2006 (22.8, rounded to 23)", "perTenThousand": 22.8},
        {"name": "A Universal Truth (2013)", "perTenThousand": 34.5},
        {"name": "SDG index threshold", "perTenThousand": 44.5},
    ],
    "staffing": {
        "asOf": "2018-12-31",
        "knownAt": None,
        "headcount": 130,
        "onLeave": 10,
        "active": 120,
        "qualifiedActive": 60,
        "population": 200_000,
        "density": 6.0,
        "qualifiedDensity": 3.0,
        "byCadreGroup": [{"key": "NURSE", "count": 50}, {"key": "MIDWIFE", "count": 10}, {"key": "OTHER", "count": 60}],
        "bySex": [{"key": "FEMALE", "count": 70}, {"key": "MALE", "count": 50}],
        "bySector": [{"key": "PUBLIC", "count": 120}],
        "byFundingSource": [{"key": "STATE", "count": 100}, {"key": "PARTNER", "count": 20}],
        "children": [
            {
                "orgUnit": {"code": "ML-D11", "name": "Bandiagara"},
                "active": 80,
                "qualifiedActive": 40,
                "population": 120_000,
                "density": 6.6667,
                "qualifiedDensity": 3.3333,
            },
            {
                "orgUnit": {"code": "ML-D12", "name": "Douentza"},
                "active": 40,
                "qualifiedActive": 20,
                "population": None,
                "density": None,
                "qualifiedDensity": None,
            },
        ],
    },
    "establishment": {
        "asOf": "2018-12-31",
        "posts": 12,
        "filled": 9,
        "vacant": 4,
        "surplus": 1,
        "vacancyRate": 1 / 3,
        "byCadreGroup": [{"key": "NURSE", "posts": 12, "filled": 9, "vacant": 4, "surplus": 1}],
        "children": [
            {
                "orgUnit": {"code": "ML-D11", "name": "Bandiagara"},
                "posts": 12,
                "filled": 9,
                "vacant": 4,
                "surplus": 1,
                "vacancyRate": 1 / 3,
            },
            {
                "orgUnit": {"code": "ML-D12", "name": "Douentza"},
                "posts": 0,
                "filled": 0,
                "vacant": 0,
                "surplus": 0,
                "vacancyRate": None,
            },
        ],
    },
    "completeness": {
        "workers": 130,
        "complete": 117,
        "rate": 0.9,
        "missing": [{"key": "civilServiceNumber", "count": 10}, {"key": "birthDate", "count": 3}],
    },
}


def words(language: str) -> Words:
    return Words(text=lambda message: message, label=lambda value: value.lower(), formats=Formats(language))


def figures(table: Table) -> dict[tuple[str, ...], str]:
    """The table's figure cells, by their marks."""
    found = {}
    for row in table.rows:
        for cell in row:
            if cell.figure is not None:
                marks = cell.marks
                key = tuple(
                    marks.get(m, "") for m in ("data-figure", "data-unit", "data-period", "data-key", "data-measure")
                )
                assert key not in found
                found[key] = cell.text
    return found


def test_every_table_of_the_dashboard_has_its_name() -> None:
    made = tables(ANSWER, "ML-R1", words("en"))
    assert list(made) == [
        "density",
        "thresholds",
        "flows",
        "staffing",
        "byCadreGroup",
        "bySex",
        "bySector",
        "byFundingSource",
        "children",
        "establishment",
        "establishment-children",
        "completeness",
    ]
    assert all(name == table.name for name, table in made.items())


def test_the_density_series_cells_carry_figure_unit_and_period() -> None:
    density = figures(tables(ANSWER, "ML-R1", words("fr"))["density"])
    assert density["qualifiedDensity", "ML-R1", "2016", "", ""] == "3,0"
    assert density["qualifiedDensity", "ML-R1", "2017", "", ""] == "6,0"  # one decimal: 5.99902
    assert density["density", "ML-R1", "2017", "", ""] == "60,0"
    assert density["active", "ML-R1", "2017", "", ""] == "12\u202f345"
    # No population: no density, an empty cell (still marked).
    assert density["qualifiedDensity", "ML-R1", "2018", "", ""] == ""
    assert density["population", "ML-R1", "2018", "", ""] == ""
    assert len(density) == 3 * 5


def test_english_writes_densities_and_counts_its_own_way() -> None:
    density = figures(tables(ANSWER, "ML-R1", words("en"))["density"])
    assert density["qualifiedDensity", "ML-R1", "2017", "", ""] == "6.0"
    assert density["active", "ML-R1", "2017", "", ""] == "12,345"


def test_entries_and_exits_per_period() -> None:
    flows = figures(tables(ANSWER, "ML-R1", words("en"))["flows"])
    assert flows == {
        ("entries", "ML-R1", "2016", "", ""): "14",
        ("exits", "ML-R1", "2016", "", ""): "2",
        ("entries", "ML-R1", "2017", "", ""): "0",
        ("exits", "ML-R1", "2017", "", ""): "1",
        ("entries", "ML-R1", "2018", "", ""): "0",
        ("exits", "ML-R1", "2018", "", ""): "0",
    }


def test_a_breakdown_names_its_field_its_key_and_its_measure() -> None:
    made = tables(ANSWER, "ML-R1", words("en"))
    assert figures(made["byCadreGroup"]) == {
        ("byCadreGroup", "ML-R1", "", "NURSE", "count"): "50",
        ("byCadreGroup", "ML-R1", "", "MIDWIFE", "count"): "10",
        ("byCadreGroup", "ML-R1", "", "OTHER", "count"): "60",
    }
    # The row's header is the key's label in the page's language.
    assert [row[0].text for row in made["bySex"].rows] == ["female", "male"]
    cell = made["byFundingSource"].rows[1][1]
    assert isinstance(cell, Figure)
    assert cell.marks == {
        "data-figure": "byFundingSource",
        "data-unit": "ML-R1",
        "data-key": "PARTNER",
        "data-measure": "count",
    }


def test_the_staffing_snapshot_and_the_children_side_by_side() -> None:
    made = tables(ANSWER, "ML-R1", words("en"))
    staffing = figures(made["staffing"])
    assert staffing["onLeave", "ML-R1", "", "", ""] == "10"
    assert staffing["qualifiedDensity", "ML-R1", "", "", ""] == "3.0"
    children = figures(made["children"])
    assert children["qualifiedDensity", "ML-D11", "", "", ""] == "3.3"
    assert children["active", "ML-D12", "", "", ""] == "40"
    assert children["density", "ML-D12", "", "", ""] == ""
    assert [row[0].text for row in made["children"].rows] == ["Bandiagara (ML-D11)", "Douentza (ML-D12)"]


def test_vacancy_against_the_establishment() -> None:
    made = tables(ANSWER, "ML-R1", words("fr"))
    establishment = figures(made["establishment"])
    assert establishment["posts", "ML-R1", "", "", ""] == "12"
    assert establishment["vacancyRate", "ML-R1", "", "", ""] == "33,3 %"
    assert establishment["byCadreGroup", "ML-R1", "", "NURSE", "vacant"] == "4"
    assert establishment["byCadreGroup", "ML-R1", "", "NURSE", "surplus"] == "1"
    by_child = figures(made["establishment-children"])
    assert by_child["vacancyRate", "ML-D12", "", "", ""] == ""
    assert by_child["filled", "ML-D11", "", "", ""] == "9"


def test_completeness_and_what_the_records_lack() -> None:
    completeness = figures(tables(ANSWER, "ML-R1", words("en"))["completeness"])
    assert completeness["rate", "ML-R1", "", "", ""] == "90.0 %"
    assert completeness["missing", "ML-R1", "", "birthDate", "count"] == "3"


def test_a_table_as_csv_is_what_the_page_shows() -> None:
    density = tables(ANSWER, "ML-R1", words("fr"))["density"]
    lines = csv_text(density, "fr").lstrip("\ufeff").splitlines()
    assert lines[0].split(";")[:2] == ["Period", "Qualified density"]
    assert lines[2].split(";")[:3] == ["2017", "6,0", "60,0"]
    assert "12345" in lines[2].split(";"), "a count's digits are not grouped, so that Excel reads a number"


def test_the_charts_draw_the_same_figures_with_the_thresholds() -> None:
    drawn = {chart["id"]: chart for chart in charts(ANSWER, words("en"))}
    density = drawn["chart-density"]
    assert density["type"] == "line" and density["labels"] == ["2016", "2017", "2018"]
    assert density["series"][0]["values"] == [3.0, 5.99902, None]
    assert [s["values"] for s in density["series"][1:]] == [[22.8] * 3, [34.5] * 3, [44.5] * 3]
    assert {s["role"] for s in density["series"][1:]} == {"threshold"}
    assert drawn["chart-flows"]["series"][1]["values"] == [2, 1, 0]
    assert drawn["chart-children"]["labels"] == ["Bandiagara", "Douentza"]
    assert drawn["chart-bySex"]["horizontal"] is True
    assert drawn["chart-establishment"]["series"][0]["values"] == [12]
