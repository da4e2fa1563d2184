"""Planners (and everyone signed in): a unit's dashboard, and the quarterly regional dashboard.

``/dashboard`` picks a unit; ``/dashboard/<code>`` is DESIGN's shareable link (``interval``,
``from``, ``to``, ``knownAt``, ``lang``); ``/dashboard/<code>/quarterly?quarter=2025Q3`` is the A4
page a regional director publishes each quarter, with the date it was produced and the ledger's
chain head. Every figure comes from one GraphQL operation run as the visitor (aggregates only, so
planners may read it), and every table answers ``?csv=<name>``.
"""

from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.operations import Refusal, Refused
from api.web.i18n import Formats
from api.web.labels import label
from api.web.moments import UNREADABLE_KNOWN_AT
from api.web.pages import SignedIn, Visit
from api.web.tables import csv_response
from api.web.views import dashboard_charts
from api.web.views import dashboard_tables as figures
from api.web.views.dashboard_periods import (
    INTERVALS,
    BadParameter,
    DatesOutOfOrder,
    Span,
    quarterly_span,
    span_of,
)
from domain.errors import N_

router = APIRouter()

KnownAt = Annotated[str | None, Query(alias="knownAt")]
From = Annotated[str | None, Query(alias="from")]

UNITS = """
query Units {
  countries: orgUnits(level: COUNTRY) { code name }
  regions: orgUnits(level: REGION) { code name parent { code } }
  districts: orgUnits(level: DISTRICT) { code name parent { code } }
}
"""

FIGURES = """
  orgUnit(code: $unit, asOf: $to) { code name level parent { code name } }
  densitySeries(orgUnitCode: $unit, from: $from, to: $to, interval: $interval, knownAt: $knownAt) {
    period endOn active qualifiedActive population density qualifiedDensity entries exits
  }
  thresholds { name perTenThousand }
  staffing(orgUnitCode: $unit, asOf: $to, knownAt: $knownAt) {
    asOf knownAt headcount onLeave active qualifiedActive population density qualifiedDensity
    byCadreGroup { key count } bySex { key count } bySector { key count } byFundingSource { key count }
    children { orgUnit { code name } active qualifiedActive population density qualifiedDensity }
  }
  establishment(orgUnitCode: $unit, asOf: $to, knownAt: $knownAt) {
    asOf posts filled vacant surplus vacancyRate byCadreGroup { key posts filled vacant surplus }
    children { orgUnit { code name } posts filled vacant surplus vacancyRate }
  }
  completeness(orgUnitCode: $unit) { workers complete rate missing { key count } }
"""
VARIABLES = "$unit: String!, $from: Date!, $to: Date!, $interval: Interval!, $knownAt: DateTime"
DASHBOARD = f"query Dashboard({VARIABLES}) {{{FIGURES}}}"
QUARTERLY = f"query Quarterly({VARIABLES}) {{{FIGURES}  chainHead {{ position hash }}\n}}"

MESSAGES = {
    "interval": N_("The interval must be YEAR, QUARTER or MONTH, not “{value}”."),
    "from": N_("“From” must be a date written 2017-12-31, from 1900 on, not “{value}”."),
    "to": N_("“To” must be a date written 2017-12-31, from 1900 on, not “{value}”."),
    "knownAt": UNREADABLE_KNOWN_AT,
    "quarter": N_("The quarter must be written like 2025Q3, not “{value}”."),
}
OUT_OF_ORDER = N_("“To” ({to}) is before “from” ({start}).")


def refusal_of(error: BadParameter | DatesOutOfOrder) -> Refusal:
    """A parameter the page cannot read, said as the API says its refusals (code, template, values)."""
    if isinstance(error, DatesOutOfOrder):
        params: dict[str, Any] = {"start": error.start, "to": error.end}
        return Refusal(error.code, OUT_OF_ORDER.format(**params), OUT_OF_ORDER, params)
    template = MESSAGES[error.parameter]
    return Refusal(error.code, template.format(value=error.value), template, {"value": error.value})


def words_of(visit: Visit) -> figures.Words:
    return figures.Words(text=visit.text, label=lambda value: visit.text(label(value)), formats=Formats(visit.language))


@router.get("/dashboard")
async def units(visit: SignedIn, unit: str | None = None) -> Response:
    """The unit picker; sent with ``unit``, the unit's dashboard (keeping the other parameters)."""
    if unit and unit.strip():
        rest = {k: v for k, v in visit.request.query_params.items() if k != "unit" and v}
        query = f"?{urlencode(rest)}" if rest else ""
        return visit.redirect(f"/dashboard/{quote(unit.strip(), safe='')}{query}")
    found = await visit.ask(UNITS)
    districts: dict[str, list[dict[str, Any]]] = {}
    for district in found["districts"]:
        districts.setdefault((district["parent"] or {}).get("code", ""), []).append(district)
    return visit.render(
        "dashboard_units.html",
        countries=found["countries"],
        regions=found["regions"],
        districts=districts,
        intervals=INTERVALS,
    )


@router.get("/dashboard/{code}")
async def dashboard(
    visit: SignedIn,
    code: str,
    interval: str | None = None,
    start: From = None,
    to: str | None = None,
    known_at: KnownAt = None,
    csv: str | None = None,
) -> Response:
    """A unit's dashboard over a span, every figure as known at ``knownAt``."""
    asked = {"interval": interval or "", "from": start or "", "to": to or "", "knownAt": known_at or ""}
    try:
        span = span_of(interval, start, to, known_at, date.today())
    except (BadParameter, DatesOutOfOrder) as error:
        return refused_form(visit, code, asked, refusal_of(error))
    answer = await figures_of(visit, code, span, DASHBOARD)
    if isinstance(answer, Refusal):
        return refused_form(visit, code, asked, answer)
    if answer is None:
        return visit.render("not_found.html", status_code=404)
    shown = {**span.link(), "knownAt": known_at or ""}
    return page(visit, code, span, answer, "dashboard.html", csv, asked=shown, intervals=INTERVALS)


@router.get("/dashboard/{code}/quarterly")
async def quarterly(
    visit: SignedIn, code: str, quarter: str | None = None, known_at: KnownAt = None, csv: str | None = None
) -> Response:
    """The quarterly dashboard of a region (or any unit), laid out for an A4 page."""
    try:
        shown_quarter, span = quarterly_span(quarter, known_at, date.today())
    except BadParameter as error:
        return visit.render("refused.html", status_code=400, refusal=refusal_of(error))
    answer = await figures_of(visit, code, span, QUARTERLY)
    if isinstance(answer, Refusal):
        return visit.render("refused.html", status_code=status_of(answer), refusal=answer)
    if answer is None:
        return visit.render("not_found.html", status_code=404)
    produced = datetime.now(UTC)
    return page(visit, code, span, answer, "dashboard_quarterly.html", csv, quarter=shown_quarter, produced=produced)


async def figures_of(visit: Visit, code: str, span: Span, document: str) -> figures.Answer | Refusal | None:
    """The GraphQL answer for unit ``code`` over ``span``; None for a code that names no unit."""
    try:
        answer: figures.Answer = await visit.ask(document, span.variables(code))
    except Refused as refused:
        return None if refused.refusal.code == "NOT_FOUND" else refused.refusal
    return answer if answer["orgUnit"] is not None else None


def status_of(refusal: Refusal) -> int:
    return 403 if refusal.code in ("FORBIDDEN", "UNAUTHENTICATED") else 400


def refused_form(visit: Visit, code: str, asked: dict[str, str], refusal: Refusal) -> Response:
    """The dashboard's form again, with what was asked and why it cannot be shown."""
    return visit.render(
        "dashboard.html",
        status_code=status_of(refusal),
        code=code,
        asked=asked,
        intervals=INTERVALS,
        refusal=refusal,
        unit=None,
        span=None,
        tables={},
        charts=[],
        share_url=None,
    )


def page(
    visit: Visit, code: str, span: Span, answer: figures.Answer, template: str, csv: str | None, **context: Any
) -> Response:
    """The page of unit ``code``'s figures over ``span``, or with ``csv``, one of its tables."""
    words = words_of(visit)
    tables = figures.tables(answer, code, words)
    if csv is not None:
        table = tables.get(csv)
        if table is None:
            return visit.render("not_found.html", status_code=404)
        return csv_response(table, visit.language, f"{code}-{table.name}-{span.end.isoformat()}")
    share = {**span.link(), "lang": visit.language}
    other = "en" if visit.language == "fr" else "fr"
    this_page = {k: v for k, v in visit.request.query_params.items() if k not in ("csv", "lang")}
    return visit.render(
        template,
        code=code,
        span=span,
        unit=answer["orgUnit"],
        answer=answer,
        tables=tables,
        charts=dashboard_charts.charts(answer, words),
        share_url=f"/dashboard/{quote(code, safe='')}?{urlencode(share)}",
        other_language=other,
        other_language_url=f"{visit.request.url.path}?{urlencode({**this_page, 'lang': other})}",
        refusal=None,
        **context,
    )
