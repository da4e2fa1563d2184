"""DHIS2 periods: the labels ``2017``, ``2017Q4`` and ``201712``, their dates, and the runs between them."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from api.exports.dhis2_mapping import ExportError

YEAR = re.compile(r"(\d{4})")
QUARTER = re.compile(r"(\d{4})Q([1-4])")
MONTH = re.compile(r"(\d{4})(0[1-9]|1[0-2])")


@dataclass(frozen=True, order=True)
class Period:
    """One DHIS2 period: its interval (as GraphQL's ``Interval``), first and last day, and label."""

    start: date
    end: date
    interval: str
    label: str

    def following(self) -> "Period":
        return period_starting(self.end + timedelta(days=1), self.interval)


def period_starting(start: date, interval: str) -> Period:
    """The period of ``interval`` that begins on ``start`` (the first day of a year, quarter or month)."""
    if interval == "YEAR":
        return Period(start, date(start.year, 12, 31), interval, f"{start.year}")
    months = 3 if interval == "QUARTER" else 1
    month = start.month + months
    after = date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    end = after - timedelta(days=1)
    label = f"{start.year}Q{(start.month - 1) // 3 + 1}" if interval == "QUARTER" else f"{start.year}{start.month:02d}"
    return Period(start, end, interval, label)


def parse_period(text: str) -> Period:
    """The period a DHIS2 label names.

    Raises:
        ExportError: not a year (``2017``), a quarter (``2017Q4``) or a month (``201712``) (PERIOD_INVALID).
    """
    if match := YEAR.fullmatch(text):
        return period_starting(date(int(match[1]), 1, 1), "YEAR")
    if match := QUARTER.fullmatch(text):
        return period_starting(date(int(match[1]), 3 * int(match[2]) - 2, 1), "QUARTER")
    if match := MONTH.fullmatch(text):
        return period_starting(date(int(match[1]), int(match[2]), 1), "MONTH")
    raise ExportError(
        "PERIOD_INVALID",
        f"--period {text!r} is not a DHIS2 period: give a year (2017), a quarter (2017Q4) or a month (201712)",
    )


def period_containing(day: date, interval: str) -> Period:
    """The period of ``interval`` that holds ``day``."""
    if interval == "YEAR":
        return period_starting(date(day.year, 1, 1), interval)
    if interval == "QUARTER":
        return period_starting(date(day.year, 3 * ((day.month - 1) // 3) + 1, 1), interval)
    return period_starting(date(day.year, day.month, 1), interval)


def periods_between(first: Period, last: Period) -> list[Period]:
    """Every period from ``first`` to ``last``, both included (of ``last``'s interval)."""
    found: list[Period] = []
    current = period_containing(first.start, last.interval)
    while current <= last:
        found.append(current)
        current = current.following()
    return found
