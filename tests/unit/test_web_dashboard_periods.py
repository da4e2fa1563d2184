"""A dashboard's address: its interval, its span's defaults (the last 10 years, 8 quarters or 12
months ended by today), its "as known at", and the quarterly page's quarter."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from api.web.views.dashboard_periods import (
    BadParameter,
    DatesOutOfOrder,
    Span,
    default_start,
    last_ended,
    parse_moment,
    quarterly_span,
    span_of,
)
from projections.density import periods

TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("interval", "labels"),
    [
        ("YEAR", [str(y) for y in range(2016, 2026)]),
        ("QUARTER", ["2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]),
        ("MONTH", [f"2025{m:02d}" for m in range(12, 13)] + [f"2026{m:02d}" for m in range(1, 12)]),
    ],
)
def test_by_default_a_series_shows_the_last_periods_ended_by_today(interval: str, labels: list[str]) -> None:
    span = span_of(interval, None, None, None, TODAY)
    assert span.end == TODAY and span.known_at is None
    # The series the API computes for that span (the same periods function as densitySeries).
    assert [label for label, _, _ in periods(span.start, span.end, interval)] == labels


def test_a_period_ending_on_to_is_the_last_one_shown() -> None:
    span = span_of("YEAR", None, "2024-12-31", None, TODAY)
    assert span.start == date(2015, 1, 1)
    assert [label for label, _, _ in periods(span.start, span.end, "YEAR")][-1] == "2024"
    assert len(periods(span.start, span.end, "YEAR")) == 10


def test_the_interval_defaults_to_year_and_reads_any_case() -> None:
    assert span_of(None, None, None, None, TODAY).interval == "YEAR"
    assert span_of("quarter", None, None, None, TODAY).interval == "QUARTER"


def test_from_and_to_are_taken_as_given() -> None:
    span = span_of("MONTH", "2020-01-15", "2020-06-30", None, TODAY)
    assert (span.start, span.end) == (date(2020, 1, 15), date(2020, 6, 30))
    assert span.link() == {"interval": "MONTH", "from": "2020-01-15", "to": "2020-06-30"}


@pytest.mark.parametrize(
    ("interval", "start", "end", "known_at", "parameter"),
    [
        ("WEEK", None, None, None, "interval"),
        (None, "2020-13-01", None, None, "from"),
        (None, None, "31/12/2020", None, "to"),
        (None, None, "9999-12-31", None, "to"),
        (None, "1899-12-31", None, None, "from"),
        (None, None, None, "yesterday", "knownAt"),
    ],
)
def test_a_parameter_that_cannot_be_read_is_named(
    interval: str | None, start: str | None, end: str | None, known_at: str | None, parameter: str
) -> None:
    with pytest.raises(BadParameter) as refused:
        span_of(interval, start, end, known_at, TODAY)
    assert refused.value.parameter == parameter and refused.value.code == "BAD_USER_INPUT"


def test_to_before_from_is_refused() -> None:
    with pytest.raises(DatesOutOfOrder) as refused:
        span_of("YEAR", "2020-01-01", "2019-12-31", None, TODAY)
    assert (refused.value.start, refused.value.end) == (date(2020, 1, 1), date(2019, 12, 31))


def test_known_at_is_a_moment_in_utc_unless_it_says_otherwise() -> None:
    assert parse_moment("2021-03-01T10:00:00") == datetime(2021, 3, 1, 10, tzinfo=UTC)
    assert parse_moment("2021-03-01T10:00:00Z") == datetime(2021, 3, 1, 10, tzinfo=UTC)
    bamako_plus_one = timezone(timedelta(hours=1))
    assert parse_moment("2021-03-01T10:00:00+01:00") == datetime(2021, 3, 1, 10, tzinfo=bamako_plus_one)
    # A date alone: everything recorded that day.
    assert parse_moment("2021-03-01") == datetime(2021, 3, 1, 23, 59, 59, 999999, tzinfo=UTC)
    span = span_of(None, None, None, "2021-03-01", TODAY)
    assert span.variables("ML")["knownAt"] == "2021-03-01T23:59:59.999999+00:00"
    assert span.link()["knownAt"] == "2021-03-01T23:59:59.999999+00:00"


def test_the_variables_ask_the_graphql_query_what_the_address_asks() -> None:
    span = Span("QUARTER", date(2023, 10, 1), date(2025, 9, 30))
    assert span.variables("ML-R1") == {
        "unit": "ML-R1",
        "from": "2023-10-01",
        "to": "2025-09-30",
        "interval": "QUARTER",
        "knownAt": None,
    }


@pytest.mark.parametrize(
    ("day", "interval", "ended"),
    [
        (date(2026, 12, 6), "YEAR", date(2025, 12, 31)),
        (date(2026, 12, 31), "YEAR", date(2026, 12, 31)),
        (date(2026, 12, 6), "QUARTER", date(2026, 9, 30)),
        (date(2026, 3, 31), "QUARTER", date(2026, 3, 31)),
        (date(2026, 3, 1), "MONTH", date(2026, 2, 28)),
        (date(2024, 2, 29), "MONTH", date(2024, 2, 29)),
    ],
)
def test_the_last_period_ended_by_a_day(day: date, interval: str, ended: date) -> None:
    assert last_ended(day, interval) == ended  # type: ignore[arg-type]


def test_default_start_counts_whole_periods_back() -> None:
    assert default_start(date(2026, 12, 6), "QUARTER") == date(2024, 10, 1)
    assert default_start(date(2026, 12, 6), "MONTH") == date(2025, 12, 1)
    assert default_start(date(2026, 12, 6), "YEAR", 3) == date(2023, 1, 1)


def test_the_quarterly_page_shows_eight_quarters_ending_with_its_quarter() -> None:
    quarter, span = quarterly_span("2025q3", None, TODAY)
    assert quarter == "2025Q3" and span.interval == "QUARTER"
    assert (span.start, span.end) == (date(2023, 10, 1), date(2025, 9, 30))
    assert next(label for label, _, _ in periods(span.start, span.end, "QUARTER")) == "2023Q4"
    assert len(periods(span.start, span.end, "QUARTER")) == 8


def test_the_quarterly_page_defaults_to_the_last_quarter_ended() -> None:
    assert quarterly_span(None, None, TODAY)[0] == "2026Q3"
    assert quarterly_span(None, None, date(2026, 1, 5))[0] == "2025Q4"


@pytest.mark.parametrize("quarter", ["2025Q5", "2025-Q3", "Q3 2025", "25Q3", "9999Q4", "2025Q"])
def test_a_quarter_that_cannot_be_read_is_refused(quarter: str) -> None:
    with pytest.raises(BadParameter) as refused:
        quarterly_span(quarter, None, TODAY)
    assert refused.value.parameter == "quarter"
