"""What a dashboard's address asks for: its interval, the span of its series, the day of its
snapshots and the moment every figure is "as known at" (DESIGN, "The web pages at `/`": the
shareable link ``/dashboard/<code>?interval=&from=&to=&knownAt=&lang=``).

Without ``from`` and ``to`` a dashboard shows the last 10 years, 8 quarters or 12 months that have
ended by today: a period is in a series when its last day falls within [from, to] (DESIGN,
"Definitions: Series"), so ``from`` defaults to the first day of the earliest of them. The staffing,
establishment and children are taken on ``to``.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from api.web.moments import moment_of

Interval = Literal["YEAR", "QUARTER", "MONTH"]
INTERVALS: tuple[Interval, ...] = ("YEAR", "QUARTER", "MONTH")
MONTHS: dict[Interval, int] = {"YEAR": 12, "QUARTER": 3, "MONTH": 1}
SHOWN: dict[Interval, int] = {"YEAR": 10, "QUARTER": 8, "MONTH": 12}
QUARTERS_ON_A_QUARTERLY_PAGE = 8
YEARS = range(1900, 9999)  # the calendar's first and last years have no period before or after


class BadParameter(ValueError):
    """Raised when a dashboard's address carries a parameter it cannot read: ``parameter`` names it
    (``interval``, ``from``, ``to``, ``knownAt``, ``quarter``), ``value`` is what was sent."""

    code = "BAD_USER_INPUT"

    def __init__(self, parameter: str, value: str) -> None:
        super().__init__(f"{self.code}: {parameter}={value!r}")
        self.parameter = parameter
        self.value = value


class DatesOutOfOrder(ValueError):
    """Raised when a dashboard's ``to`` is before its ``from``."""

    code = "BAD_USER_INPUT"

    def __init__(self, start: date, end: date) -> None:
        super().__init__(f"{self.code}: to ({end}) is before from ({start})")
        self.start = start
        self.end = end


@dataclass(frozen=True)
class Span:
    """A dashboard's question: the series' ``interval`` and [``start``, ``end``], the snapshot's day
    (``end``), and ``known_at`` (None: as known now)."""

    interval: Interval
    start: date
    end: date
    known_at: datetime | None = None

    def variables(self, code: str) -> dict[str, str | None]:
        """The GraphQL variables that ask the dashboard's figures of unit ``code``."""
        return {
            "unit": code,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "interval": self.interval,
            "knownAt": self.known_at.isoformat() if self.known_at else None,
        }

    def link(self) -> dict[str, str]:
        """The query parameters of the shareable link that asks this again (``lang`` aside)."""
        found = {"interval": self.interval, "from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.known_at is not None:
            found["knownAt"] = self.known_at.isoformat()
        return found


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def from_month_index(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def period_start(day: date, interval: Interval) -> date:
    """The first day of the period of ``interval`` that holds ``day``."""
    months = MONTHS[interval]
    return from_month_index(month_index(day) - (day.month - 1) % months)


def next_period_start(day: date, interval: Interval) -> date:
    return from_month_index(month_index(period_start(day, interval)) + MONTHS[interval])


def last_ended(day: date, interval: Interval) -> date:
    """The last day of the latest period of ``interval`` that has ended by ``day`` (``day`` itself
    when it is a period's last day)."""
    following = next_period_start(day, interval)
    if following - timedelta(days=1) == day:
        return day
    return period_start(day, interval) - timedelta(days=1)


def default_start(end: date, interval: Interval, count: int | None = None) -> date:
    """The ``from`` that gives the ``count`` periods (by default 10 years, 8 quarters or 12 months)
    ending last by ``end``."""
    shown = SHOWN[interval] if count is None else count
    latest = period_start(last_ended(end, interval), interval)
    return from_month_index(month_index(latest) - MONTHS[interval] * (shown - 1))


def parse_interval(text: str | None) -> Interval:
    """YEAR, QUARTER or MONTH (any case); YEAR when absent.

    Raises:
        BadParameter: another word.
    """
    if not text:
        return "YEAR"
    for interval in INTERVALS:
        if text.strip().upper() == interval:
            return interval
    raise BadParameter("interval", text)


def parse_day(parameter: str, text: str | None) -> date | None:
    """An ISO date (``2017-12-31``) from 1900 to 9998; None when absent.

    Raises:
        BadParameter: anything else.
    """
    if not text:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise BadParameter(parameter, text) from None
    if day.year not in YEARS:
        raise BadParameter(parameter, text)
    return day


def parse_moment(text: str | None) -> datetime | None:
    """An ISO date-time (UTC unless it says otherwise), or an ISO date for the end of that day;
    None when absent.

    Raises:
        BadParameter: anything else (``knownAt``).
    """
    if not text:
        return None
    try:
        return moment_of(text, end=True)
    except ValueError:
        raise BadParameter("knownAt", text) from None


def span_of(interval: str | None, start: str | None, end: str | None, known_at: str | None, today: date) -> Span:
    """The dashboard's span from its address's parameters, with the defaults filled in.

    Raises:
        BadParameter: a parameter that cannot be read.
        DatesOutOfOrder: ``to`` before ``from``.
    """
    chosen = parse_interval(interval)
    last = parse_day("to", end) or today
    first = parse_day("from", start) or default_start(last, chosen)
    if last < first:
        raise DatesOutOfOrder(first, last)
    return Span(chosen, first, last, parse_moment(known_at))


def parse_quarter(text: str) -> tuple[int, int]:
    """``(year, quarter)`` from a DHIS2 quarter label such as ``2025Q3``.

    Raises:
        BadParameter: anything else (``quarter``).
    """
    written = text.strip().upper()
    year, q, quarter = written[:4], written[4:5], written[5:]
    if len(written) != 6 or q != "Q" or not year.isdigit() or quarter not in ("1", "2", "3", "4"):
        raise BadParameter("quarter", text)
    if int(year) not in YEARS:
        raise BadParameter("quarter", text)
    return int(year), int(quarter)


def quarter_label(day: date) -> str:
    """The DHIS2 label of the quarter holding ``day`` (``2025Q3``)."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarterly_span(quarter: str | None, known_at: str | None, today: date) -> tuple[str, Span]:
    """The quarterly dashboard's quarter (by default the latest ended by ``today``) and its span: the
    8 quarters ending with it, the snapshot on its last day.

    Raises:
        BadParameter: a quarter or a knownAt that cannot be read.
    """
    if quarter:
        year, number = parse_quarter(quarter)
        first = date(year, 3 * number - 2, 1)
        end = next_period_start(first, "QUARTER") - timedelta(days=1)
    else:
        end = last_ended(today, "QUARTER")
    start = default_start(end, "QUARTER", QUARTERS_ON_A_QUARTERLY_PAGE)
    return quarter_label(end), Span("QUARTER", start, end, parse_moment(known_at))
