"""The DHIS2 mapping file and periods: every mistake is named with a stable code before anything is computed."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from api.exports.dhis2_mapping import ExportError, parse_mapping, read_mapping
from api.exports.dhis2_periods import parse_period, period_containing, periods_between

GROUPS = {"DOCTOR": "D", "NURSE": "N", "MIDWIFE": "M", "PHARMACIST": "P", "OTHER": "O"}


def mapping(**rule: Any) -> dict[str, Any]:
    return {"idScheme": "CODE", "orgUnits": {"ML": "MLI"}, "dataValues": [{"dataElement": "E", **rule}]}


def code_of(loaded: Any) -> str:
    with pytest.raises(ExportError) as refused:
        parse_mapping(loaded)
    return refused.value.code


def test_a_total_needs_no_category_option_combos() -> None:
    parsed = parse_mapping(mapping(figure="headcount"))
    assert parsed.id_scheme == "CODE" and parsed.org_units == {"ML": "MLI"}
    assert parsed.rules[0].figure == "headcount" and parsed.rules[0].disaggregate == ()


def test_one_dimension_lists_every_combination() -> None:
    parsed = parse_mapping(mapping(figure="active", disaggregate=["cadreGroup"], categoryOptionCombos=GROUPS))
    assert parsed.rules[0].combos == GROUPS


def test_a_combination_the_mapping_does_not_list_is_an_error_naming_it() -> None:
    partial = {k: v for k, v in GROUPS.items() if k != "PHARMACIST"}
    with pytest.raises(ExportError, match="PHARMACIST") as refused:
        parse_mapping(mapping(figure="active", disaggregate=["cadreGroup"], categoryOptionCombos=partial))
    assert refused.value.code == "MAPPING_COMBINATION_MISSING"


def test_a_combination_that_does_not_exist_is_named() -> None:
    combos = {**GROUPS, "DOKTOR": "X"}
    assert code_of(mapping(figure="active", disaggregate=["cadreGroup"], categoryOptionCombos=combos)) == (
        "MAPPING_COMBINATION_UNKNOWN"
    )


def test_a_staffing_figure_splits_by_two_dimensions_but_no_more() -> None:
    combos = {"DOCTOR,FEMALE": "DOC_F", "DOCTOR, MALE": "DOC_M"}
    (rule,) = parse_mapping(
        mapping(figure="qualifiedActive", disaggregate=["cadreGroup", "sex"], categoryOptionCombos=combos)
    ).rules
    assert rule.disaggregate == ("cadreGroup", "sex") and rule.combos == {
        "DOCTOR,FEMALE": "DOC_F",
        "DOCTOR,MALE": "DOC_M",
    }
    assert code_of(
        mapping(figure="active", disaggregate=["cadreGroup", "sex"], categoryOptionCombos={"MALE,DOCTOR": "X"})
    ) == ("MAPPING_COMBINATION_UNKNOWN")
    three = mapping(figure="active", disaggregate=["cadreGroup", "sex", "sector"], categoryOptionCombos=combos)
    assert code_of(three) == "MAPPING_DISAGGREGATION_UNAVAILABLE"
    assert code_of(mapping(figure="posts", disaggregate=["cadreGroup", "sex"], categoryOptionCombos=combos)) == (
        "MAPPING_DISAGGREGATION_UNAVAILABLE"
    )


def test_a_split_the_read_side_does_not_hold_is_refused() -> None:
    assert code_of(mapping(figure="posts", disaggregate=["sex"], categoryOptionCombos={})) == (
        "MAPPING_DISAGGREGATION_UNAVAILABLE"
    )


@pytest.mark.parametrize(
    ("loaded", "code"),
    [
        ([], "MAPPING_INVALID"),
        ({"orgUnits": {}, "dataValues": [{"figure": "active", "dataElement": "E"}]}, "MAPPING_INVALID"),
        ({"orgUnits": {"ML": "MLI"}, "dataValues": []}, "MAPPING_INVALID"),
        ({**mapping(figure="active"), "extra": 1}, "MAPPING_INVALID"),
        (mapping(figure="density"), "MAPPING_UNKNOWN_FIGURE"),
        (mapping(figure="active", disaggregate=["age"]), "MAPPING_UNKNOWN_DIMENSION"),
        (mapping(figure="active", categoryOptionCombos={"A": "B"}), "MAPPING_INVALID"),
        (mapping(figure="active", dataElement=""), "MAPPING_INVALID"),
        (
            {"orgUnits": {"ML": "MLI"}, "dataValues": [{"figure": "active", "dataElement": "E"}] * 2},
            "MAPPING_INVALID",
        ),
    ],
)
def test_a_malformed_mapping_is_named(loaded: Any, code: str) -> None:
    assert code_of(loaded) == code


def test_a_file_that_is_not_yaml_is_unreadable(tmp_path: Path) -> None:
    bad = tmp_path / "m.yaml"
    bad.write_text("orgUnits: [unclosed", encoding="utf-8")
    with pytest.raises(ExportError) as refused:
        read_mapping(bad)
    assert refused.value.code == "MAPPING_UNREADABLE"
    with pytest.raises(ExportError):
        read_mapping(tmp_path / "missing.yaml")


def test_quarters_and_years_are_labelled_as_dhis2_labels_them_not_as_months() -> None:
    q4 = parse_period("2017Q4")
    assert (q4.interval, q4.start, q4.end, q4.label) == ("QUARTER", date(2017, 10, 1), date(2017, 12, 31), "2017Q4")
    year = parse_period("2017")
    assert (year.interval, year.end, year.label) == ("YEAR", date(2017, 12, 31), "2017")
    month = parse_period("201702")
    assert (month.interval, month.end, month.label) == ("MONTH", date(2017, 2, 28), "201702")


@pytest.mark.parametrize("text", ["2017Q5", "201713", "17", "2017-12", "2017W1", ""])
def test_a_label_that_is_no_dhis2_period_is_refused(text: str) -> None:
    with pytest.raises(ExportError) as refused:
        parse_period(text)
    assert refused.value.code == "PERIOD_INVALID"


def test_periods_run_from_the_one_holding_a_day_to_the_asked_one() -> None:
    first = period_containing(date(2017, 2, 14), "QUARTER")
    assert [p.label for p in periods_between(first, parse_period("2017Q4"))] == ["2017Q1", "2017Q2", "2017Q3", "2017Q4"]
    months = periods_between(period_containing(date(2016, 11, 3), "MONTH"), parse_period("201702"))
    assert [p.label for p in months] == ["201611", "201612", "201701", "201702"]
