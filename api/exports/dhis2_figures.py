"""The figures a DHIS2 export sends, asked of GraphQL in-process as the exporting user: the same
resolvers, query functions and access rules as ``/graphql``, so the numbers are the API's."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from api.access import User
from api.exports.dhis2_mapping import ESTABLISHMENT, FLOWS, STOCKS, ExportError, Mapping
from api.exports.dhis2_periods import Period
from api.graphql.context import Services
from api.operations import execute

STAFFING = """query($code: String!, $asOf: Date!, $knownAt: DateTime) {
  staffing(orgUnitCode: $code, asOf: $asOf, knownAt: $knownAt) { headcount onLeave active qualifiedActive %s }
}"""
# A split as ``Staffing.breakdown`` asks it: GraphQL's enum names of the figures and the dimensions.
FIGURE_ENUMS = {
    "headcount": "HEADCOUNT",
    "onLeave": "ON_LEAVE",
    "active": "ACTIVE",
    "qualifiedActive": "QUALIFIED_ACTIVE",
}
DIMENSION_ENUMS = {"cadreGroup": "CADRE_GROUP", "sex": "SEX", "sector": "SECTOR", "fundingSource": "FUNDING_SOURCE"}
ESTABLISHMENT_QUERY = """query($code: String!, $asOf: Date!, $knownAt: DateTime) {
  establishment(orgUnitCode: $code, asOf: $asOf, knownAt: $knownAt) {
    posts filled vacant byCadreGroup { key posts filled vacant }
  }
}"""
SERIES = """query($code: String!, $from: Date!, $to: Date!, $interval: Interval!, $knownAt: DateTime) {
  densitySeries(orgUnitCode: $code, from: $from, to: $to, interval: $interval, knownAt: $knownAt) {
    period entries exits
  }
}"""
UNIT = "query($code: String!, $asOf: Date) { orgUnit(code: $code, asOf: $asOf) { code parent { code } } }"
Split = tuple[str, tuple[str, ...]]  # a figure, and the dimensions it is split by


@dataclass
class Figures:
    """One unit's figures for one period: totals by figure name, and splits by (figure, dimensions), each as
    {categories joined by ",": count}, only the combinations with workers (establishment: every group)."""

    totals: dict[str, int] = field(default_factory=dict)
    splits: dict[Split, dict[str, int]] = field(default_factory=dict)


def staffing_query(splits: list[Split]) -> str:
    """The staffing query, with one aliased ``breakdown`` per split of a staffing figure."""
    asked = " ".join(
        f"s{i}: breakdown(by: [{', '.join(DIMENSION_ENUMS[d] for d in dimensions)}], "
        f"figure: {FIGURE_ENUMS[figure]}) {{ keys count }}"
        for i, (figure, dimensions) in enumerate(splits)
    )
    return STAFFING % asked


async def unit_figures(
    services: Services, user: User, mapping: Mapping, code: str, periods: list[Period], known_at: datetime
) -> dict[str, Figures]:
    """The figures of unit ``code`` for each period (by label): stocks and the establishment at the period's
    end date, flows over the period, all as known at ``known_at``.

    Raises:
        api.operations.Refused: GraphQL refused a query (an unknown unit, a role that may not read it).
    """
    wanted = {rule.figure for rule in mapping.rules}
    splits = list(dict.fromkeys((r.figure, r.disaggregate) for r in mapping.rules if r.disaggregate))
    stock_splits = [split for split in splits if split[0] in STOCKS]
    query = staffing_query(stock_splits)
    found = {p.label: Figures() for p in periods}
    for p in periods:
        figures = found[p.label]
        asked = {"code": code, "asOf": p.end.isoformat(), "knownAt": known_at.isoformat()}
        staffing = (await execute(services, user, query, asked))["staffing"]
        for name in STOCKS:
            figures.totals[name] = staffing[name]
        for i, split in enumerate(stock_splits):
            figures.splits[split] = {",".join(c["keys"]): c["count"] for c in staffing[f"s{i}"]}
        if wanted & set(ESTABLISHMENT):
            posts = (await execute(services, user, ESTABLISHMENT_QUERY, asked))["establishment"]
            for name in ESTABLISHMENT:
                figures.totals[name] = posts[name]
                figures.splits[(name, ("cadreGroup",))] = {g["key"]: g[name] for g in posts["byCadreGroup"]}
    if wanted & set(FLOWS) and periods:
        asked_series = {
            "code": code,
            "from": periods[0].start.isoformat(),
            "to": periods[-1].end.isoformat(),
            "interval": periods[-1].interval,
            "knownAt": known_at.isoformat(),
        }
        for point in (await execute(services, user, SERIES, asked_series))["densitySeries"]:
            if point["period"] in found:
                found[point["period"]].totals.update(entries=point["entries"], exits=point["exits"])
    return found


async def units_under(services: Services, user: User, mapping: Mapping, unit: str, period: Period) -> list[str]:
    """The mapped units that are ``unit`` or lie below it on the period's end date, in the mapping's order.

    Raises:
        ExportError: ``unit`` is unknown (NOT_FOUND), or neither it nor any unit below it is mapped
            (UNIT_NOT_MAPPED).
    """
    day = period.end.isoformat()
    if (await execute(services, user, UNIT, {"code": unit, "asOf": day}))["orgUnit"] is None:
        raise ExportError("NOT_FOUND", f"--unit {unit}: no org unit has this code")
    chosen = []
    for code in mapping.org_units:
        current: str | None = code
        while current is not None and current != unit:
            found: Any = (await execute(services, user, UNIT, {"code": current, "asOf": day}))["orgUnit"]
            current = found["parent"]["code"] if found and found["parent"] else None
        if current == unit:
            chosen.append(code)
    if not chosen:
        raise ExportError(
            "UNIT_NOT_MAPPED", f"--unit {unit}: neither it nor any unit below it is among the mapping's orgUnits"
        )
    return chosen
