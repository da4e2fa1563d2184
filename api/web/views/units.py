"""The org tree: a unit's page (its place in the tree, its staffing now, its establishment, and for ADMINs
the forms that change it), and its roster page by page.

Every figure comes from the GraphQL queries ``orgUnit``, ``staffing``, ``establishment`` and ``workers``
run as the visitor. The roster link shows when the API would answer the roster (an HR manager's unit
in scope, an auditor's or an ADMIN's any unit): the page asks, it does not decide.
"""

from datetime import date
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from api.operations import Refused
from api.web.i18n import Formats
from api.web.labels import label
from api.web.pages import SignedIn, Visit
from api.web.tables import Cell, Table, csv_response, figure_cell, pick
from domain.errors import N_

router = APIRouter()

PAGE = 50
MAX_PAGE = 500

UNIT_FIELDS = "code name level sector facilityKind hardToReach openedOn closedOn"
UNIT = f"""
query Unit($code: String!) {{
  orgUnit(code: $code) {{ {UNIT_FIELDS} parent {{ code name level }} children {{ code name level }} }}
}}
"""
FIGURES = """
query Figures($code: String!) {
  staffing(orgUnitCode: $code) { asOf headcount onLeave active qualifiedActive population density qualifiedDensity }
  establishment(orgUnitCode: $code) {
    asOf posts filled vacant surplus vacancyRate byCadreGroup { key posts filled vacant surplus }
  }
}
"""
ROSTER_SIZE = "query RosterSize($code: String!) { workers(orgUnitCode: $code, first: 1) { totalCount } }"
ROSTER = """
query Roster($code: String!, $first: Int, $after: String) {
  orgUnit(code: $code) { code name level }
  workers(orgUnitCode: $code, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node {
      id restricted familyName givenNames civilServiceNumber sex status cadre { code name } facility { code name }
    } }
  }
}
"""
TOP = "query Top { orgUnits(level: COUNTRY) { code name children { code name level } } }"

STAFFING_FIGURES = (
    ("headcount", N_("Headcount")),
    ("onLeave", N_("On leave")),
    ("active", N_("Active")),
    ("qualifiedActive", N_("Qualified, active")),
    ("population", N_("Population")),
    ("density", N_("Density per 10,000")),
    ("qualifiedDensity", N_("Qualified density per 10,000")),
)
ESTABLISHMENT_FIGURES = ("posts", "filled", "vacant", "surplus", "vacancyRate")


def staffing_table(visit: Visit, code: str, staffing: dict[str, Any]) -> Table:
    """The unit's staffing today, one figure a row, each cell marked with its figure and unit."""
    f, t = Formats(visit.language), visit.text
    table = Table("staffing", t("Staffing on %(day)s") % {"day": f.day(staffing["asOf"])}, [t("Figure"), t("Value")])
    for name, heading in STAFFING_FIGURES:
        value = staffing[name]
        text = f.density(value) if name in ("density", "qualifiedDensity") else f.number(value)
        table.add(Cell(t(heading), header=True), figure_cell(value, text, name, code))
    return table


def establishment_table(visit: Visit, code: str, establishment: dict[str, Any]) -> Table | None:
    """Budgeted posts against the workers in post, by cadre group, then the unit's totals (whose cells carry
    the marks); None when no post is set in the unit."""
    if not establishment["byCadreGroup"] and establishment["posts"] == 0:
        return None
    f, t = Formats(visit.language), visit.text
    table = Table(
        "establishment",
        t("Establishment on %(day)s") % {"day": f.day(establishment["asOf"])},
        [t("Cadre group"), t("Posts"), t("Filled"), t("Vacant"), t("Surplus"), t("Vacancy rate")],
    )
    for group in establishment["byCadreGroup"]:
        rate = group["vacant"] / group["posts"] if group["posts"] else None
        table.add(
            Cell(t(label(group["key"])), header=True),
            *(Cell(f.number(group[name])) for name in ESTABLISHMENT_FIGURES[:4]),
            Cell(f.percent(rate)),
        )
    table.add(
        Cell(t("All"), header=True),
        *(
            figure_cell(establishment[name], f.number(establishment[name]), name, code)
            for name in ESTABLISHMENT_FIGURES[:4]
        ),
        figure_cell(establishment["vacancyRate"], f.percent(establishment["vacancyRate"]), "vacancyRate", code),
    )
    return table


def refused(visit: Visit, error: Refused) -> Response:
    code = error.refusal.code
    if code == "NOT_FOUND":
        return visit.render("not_found.html", status_code=404)
    return visit.render("refused.html", status_code=403 if code == "FORBIDDEN" else 400, refusal=error.refusal)


@router.get("/units")
async def units(visit: SignedIn, code: str | None = None) -> Response:
    """The top of the tree; ``?code=`` goes to that unit's page."""
    if code and code.strip():
        return visit.redirect(f"/units/{code.strip()}")
    countries = (await visit.ask(TOP))["orgUnits"]
    return visit.render("units.html", countries=countries)


async def roster_size(visit: Visit, code: str) -> int | None:
    """How many workers the unit's roster lists today, when the API answers the visitor; None when it refuses."""
    try:
        size: int = (await visit.ask(ROSTER_SIZE, {"code": code}))["workers"]["totalCount"]
        return size
    except Refused:
        return None


@router.get("/units/{code}")
async def unit_page(visit: SignedIn, code: str, recorded: int | None = None, csv: str | None = None) -> Response:
    unit = (await visit.ask(UNIT, {"code": code}))["orgUnit"]
    if unit is None:
        return visit.render("not_found.html", status_code=404)
    try:
        figures = await visit.ask(FIGURES, {"code": code})
    except Refused as error:
        return refused(visit, error)
    tables = [staffing_table(visit, code, figures["staffing"])]
    establishment = establishment_table(visit, code, figures["establishment"])
    if establishment is not None:
        tables.append(establishment)
    if csv is not None:
        table = pick(tables, csv)
        if table is None:
            return visit.render("not_found.html", status_code=404)
        return csv_response(table, visit.language, f"{code}-{table.name}")
    return visit.render(
        "unit.html",
        unit=unit,
        tables=tables,
        roster=await roster_size(visit, code),
        recorded=recorded,
    )


def page_size(asked: str | None) -> int:
    try:
        return max(1, min(int(asked or PAGE), MAX_PAGE))
    except ValueError:
        return PAGE


@router.get("/units/{code}/workers")
async def unit_workers(visit: SignedIn, code: str, after: str | None = None, first: str | None = None) -> Response:
    """The unit's roster today, page by page: personal fields only for the workers the visitor may read."""
    size = page_size(first)
    try:
        found = await visit.ask(ROSTER, {"code": code, "first": size, "after": after})
    except Refused as error:
        return refused(visit, error)
    roster = found["workers"]
    query = {"first": str(size)} if size != PAGE else {}
    return visit.render(
        "unit_workers.html",
        unit=found["orgUnit"],
        workers=[edge["node"] for edge in roster["edges"]],
        total=roster["totalCount"],
        after=after,
        first_query=query,
        next_query={**query, "after": roster["pageInfo"]["endCursor"]},
        more=roster["pageInfo"]["hasNextPage"],
        today=date.today().isoformat(),  # the day of the staffing list's downloads (api/web/views/exports.py)
    )
