"""``hrh export nhwa --year Y``: the NHWA figures of DESIGN's Definitions, for the country and each region.

Every figure is asked of GraphQL in-process as the exporting user (aggregates only, so a PLANNER may run
it): Module 1 from the joint counts of ``Staffing.breakdown`` (occupation by each NHWA dimension) on 31
December of Y, Module 5 from ``workforceFlows`` over Y, the vacancy rate from ``establishment``. They are
all read as known at one moment: ``--known-at`` when given, else the moment the export pinned the ledger's
head (``api.exports.dhis2.pinned_moment``), so the export reflects one ledger position.

The figures become tidy rows (``Row``): ``module, org_unit, occupation, breakdown, category, value``, as
DESIGN spells them. The occupation is the cadre's ISCO-08 code, ``unknown`` for a cadre without one, and
``all`` for the unit's total over every occupation.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from api.access import User
from api.exports.dhis2 import pinned_moment
from api.exports.dhis2_mapping import ExportError
from api.graphql.context import Services
from api.operations import execute
from domain.values import Sex

ALL = "all"
UNKNOWN = "unknown"
# Module 1's breakdowns (the CSV's ``breakdown``), each as GraphQL's StaffingDimension, and its fixed
# categories in the templates' order (facility types are the kinds the ledger has).
MODULE_1 = {
    "sex": ("SEX", ("female", "male", UNKNOWN)),
    "age_band": ("AGE_BAND", ("<25", "25-34", "35-44", "45-54", "55-64", "65+", UNKNOWN)),
    "ownership": ("OWNERSHIP", ("public", "private not-for-profit", "private for-profit", UNKNOWN)),
    "facility_type": ("FACILITY_TYPE", ()),
    "place_of_birth": ("PLACE_OF_BIRTH", ("national", "foreign", UNKNOWN)),
    "place_of_training": ("PLACE_OF_TRAINING", ("domestic", "foreign", UNKNOWN)),
}
# Module 5: GraphQL's FlowKind as the CSV's (breakdown, category); a transfer across the unit's boundary is
# an entry or an exit of the unit, shown apart as the category ``transfer``.
FLOWS = {
    "ENTRY": ("entries", None),
    "TRANSFER_IN": ("entries", "transfer"),
    "EXIT_VOLUNTARY": ("exits", "voluntary"),
    "EXIT_INVOLUNTARY": ("exits", "involuntary"),
    "EXIT_OTHER": ("exits", "other"),
    "TRANSFER_OUT": ("exits", "transfer"),
}
EXIT_CATEGORIES = ("voluntary", "involuntary", "other", "transfer")
SEXES = MODULE_1["sex"][1]
LOWERED = {*(sex.name for sex in Sex), "UNKNOWN"}

POSITION = "query($knownAt: DateTime) { ledgerPosition(knownAt: $knownAt) }"
COUNTRIES = "query($asOf: Date) { orgUnits(level: COUNTRY, asOf: $asOf) { code } }"
REGIONS = """query($code: String!, $asOf: Date!, $knownAt: DateTime) {
  staffing(orgUnitCode: $code, asOf: $asOf, knownAt: $knownAt) { children { orgUnit { code level } } }
}"""
FIGURES = """query($code: String!, $asOf: Date!, $from: Date!, $knownAt: DateTime, $country: String!) {
  staffing(orgUnitCode: $code, asOf: $asOf, knownAt: $knownAt) {
    active population total: breakdown(by: [OCCUPATION]) { keys count } SPLITS
  }
  workforceFlows(orgUnitCode: $code, from: $from, to: $asOf, knownAt: $knownAt, by: [OCCUPATION, SEX]) {
    flow keys count
  }
  establishment(orgUnitCode: $code, asOf: $asOf, knownAt: $knownAt) { posts vacant vacancyRate }
}""".replace(
    "SPLITS",
    " ".join(
        f"{name}: breakdown(by: [OCCUPATION, {dimension}], country: $country) {{ keys count }}"
        for name, (dimension, _) in MODULE_1.items()
    ),
)


@dataclass(frozen=True)
class Row:
    """One tidy row: ``value`` is a count, a density (None when the unit has no population) or a rate."""

    module: int
    org_unit: str
    occupation: str
    breakdown: str
    category: str
    value: int | float | None


@dataclass(frozen=True)
class UnitFigures:
    """One unit's answer: its rows, and what the workbook shows beside them."""

    code: str
    active: int
    population: int | None
    vacancy_rate: float | None
    rows: list[Row]


@dataclass(frozen=True)
class NhwaExport:
    """The NHWA figures of ``year`` for the country then each region, and what they reflect."""

    year: int
    country: str  # the ISO 3166-1 alpha-2 code places of birth and training are compared with
    position: int
    known_at: datetime
    units: list[UnitFigures]

    @property
    def reference_date(self) -> date:
        return date(self.year, 12, 31)

    @property
    def rows(self) -> list[Row]:
        return [row for unit in self.units for row in unit.rows]

    def statement(self) -> str:
        """One line for standard error: what the export reflects, so that it can be reproduced."""
        return (
            f"NHWA {self.year}: {len(self.units)} units, {len(self.rows)} figures; reference date "
            f"{self.reference_date.isoformat()}; reflects ledger position {self.position}, knownAt "
            f"{self.known_at.isoformat()}"
        )

    def suggested_name(self, extension: str) -> str:
        return f"hrh-nhwa-{self.year}-position-{self.position}.{extension}"


def category(key: str) -> str:
    """A GraphQL key as the NHWA category: a sex or UNKNOWN in lower case (``FEMALE`` → ``female``); the
    other keys (age bands, ownership, facility kinds, places) as they are."""
    return key.lower() if key in LOWERED else key


def occupation(key: str) -> str:
    return UNKNOWN if key == "UNKNOWN" else key


def module_1(code: str, staffing: dict[str, Any], kinds: tuple[str, ...] = ()) -> list[Row]:
    """Module 1's rows of one unit: per occupation (then ``all``) its total, density and each breakdown, every
    category of a breakdown listed (the facility types: ``kinds``, and any other the unit has)."""
    totals = {occupation(c["keys"][0]): c["count"] for c in staffing["total"]}
    totals[ALL] = staffing["active"]
    population = staffing["population"]
    rows: list[Row] = []
    for job, total in totals.items():
        rows.append(Row(1, code, job, "total", "", total))
        rows.append(Row(1, code, job, "density", "", total / population * 10_000 if population else None))
    for name, (_, listed) in MODULE_1.items():
        fixed = kinds if name == "facility_type" else listed
        split: dict[tuple[str, str], int] = {}
        for c in staffing[name]:
            job, kind = occupation(c["keys"][0]), category(c["keys"][1])
            for key in ((job, kind), (ALL, kind)):
                split[key] = split.get(key, 0) + c["count"]
        categories = list(fixed) + sorted({kind for _, kind in split} - set(fixed))
        rows += [Row(1, code, job, name, kind, split.get((job, kind), 0)) for job in totals for kind in categories]
    return rows


def module_5(code: str, flows: list[dict[str, Any]], occupations: list[str]) -> list[Row]:
    """Module 5's rows of one unit: entries and exits per occupation (then ``all``), in total, by category
    (exits: by reason; both: transfers across the boundary apart) and by sex."""
    found: dict[tuple[str, str, str], int] = {}
    for f in flows:
        breakdown, kind = FLOWS[f["flow"]]
        job, sex = occupation(f["keys"][0]), category(f["keys"][1])
        for j in (job, ALL):
            for key in ((j, breakdown, ""), (j, breakdown, sex), *(((j, breakdown, kind),) if kind else ())):
                found[key] = found.get(key, 0) + f["count"]
    jobs = list(dict.fromkeys([*occupations, *(job for job, _, _ in found if job != ALL), ALL]))
    rows: list[Row] = []
    for job in jobs:
        for breakdown, kinds in (("entries", ("transfer", *SEXES)), ("exits", (*EXIT_CATEGORIES, *SEXES))):
            rows += [Row(5, code, job, breakdown, kind, found.get((job, breakdown, kind), 0)) for kind in ("", *kinds)]
    return rows


async def unit_figures(
    services: Services, user: User, code: str, year: int, known_at: datetime, country: str, kinds: tuple[str, ...]
) -> UnitFigures:
    """The NHWA figures of unit ``code`` for ``year``, as known at ``known_at``, listing the facility ``kinds``."""
    asked = {
        "code": code,
        "asOf": date(year, 12, 31).isoformat(),
        "from": date(year, 1, 1).isoformat(),
        "knownAt": known_at.isoformat(),
        "country": country,
    }
    answer = await execute(services, user, FIGURES, asked)
    staffing = answer["staffing"]
    stock = module_1(code, staffing, kinds)
    jobs = list(dict.fromkeys(row.occupation for row in stock if row.occupation != ALL))
    rows = stock + module_5(code, answer["workforceFlows"], jobs)
    posts = answer["establishment"]
    return UnitFigures(code, staffing["active"], staffing["population"], posts["vacancyRate"], rows)


async def country_and_regions(services: Services, user: User, year: int, known_at: datetime) -> list[str]:
    """The country (the one unit of level COUNTRY open on 31 December of ``year``), then its regions then.

    Raises:
        ExportError: no country, or more than one (COUNTRY_UNCLEAR).
    """
    day = date(year, 12, 31).isoformat()
    countries = [u["code"] for u in (await execute(services, user, COUNTRIES, {"asOf": day}))["orgUnits"]]
    if len(countries) != 1:
        found = ", ".join(countries) or "none"
        raise ExportError("COUNTRY_UNCLEAR", f"NHWA reports one country; on {day} the ledger has {found}")
    asked = {"code": countries[0], "asOf": day, "knownAt": known_at.isoformat()}
    children = (await execute(services, user, REGIONS, asked))["staffing"]["children"]
    return [countries[0], *(c["orgUnit"]["code"] for c in children if c["orgUnit"]["level"] == "REGION")]


async def nhwa_figures(
    services: Services, user: User, year: int, *, known_at: datetime | None = None, country: str | None = None
) -> NhwaExport:
    """The NHWA export of ``year`` as known at ``known_at`` (None: the ledger's head, pinned); places of birth
    and training are compared with ``country`` (None: the country unit's code, when it is two letters).

    Raises:
        ExportError: a year out of range (BAD_USER_INPUT), no single country (COUNTRY_UNCLEAR), no ISO code
            for the country (COUNTRY_CODE_NEEDED), or the read tables cannot be pinned.
        api.operations.Refused: GraphQL refused a query.
    """
    if not 1900 <= year <= 9998:
        raise ExportError("BAD_USER_INPUT", f"--year {year}: give a year from 1900 to 9998")
    if known_at is None:
        position, known_at = await pinned_moment(services, user)
    else:
        position = (await execute(services, user, POSITION, {"knownAt": known_at.isoformat()}))["ledgerPosition"]
    codes = await country_and_regions(services, user, year, known_at)
    iso = country or codes[0]
    if len(iso) != 2 or not iso.isalpha():
        raise ExportError(
            "COUNTRY_CODE_NEEDED",
            f"the country's code {codes[0]!r} is no ISO 3166-1 alpha-2 code: give it with --country (such as ML)",
        )
    whole = await unit_figures(services, user, codes[0], year, known_at, iso.upper(), ())
    # A region's facilities are the country's, so the country's facility types are every region's columns.
    kinds = tuple(dict.fromkeys(r.category for r in whole.rows if r.breakdown == "facility_type"))
    units = [
        whole,
        *[await unit_figures(services, user, code, year, known_at, iso.upper(), kinds) for code in codes[1:]],
    ]
    return NhwaExport(year, iso.upper(), position, known_at, units)
