"""Joint counts: the workers of an area on a day, counted by several of their traits at once.

Staffing's vector (``projections.vectors``) holds each breakdown of ``active`` on its own, which is all a
dashboard needs; a DHIS2 category combination ([cadreGroup, sex]) or an NHWA table (occupation by age band)
needs the traits crossed. Those counts are grouped here in SQL from the bitemporal rows themselves: the
``worker_periods`` in force on the day and known at the position, at the facilities that lie in the area on
that day (``org_tree`` as known at the same position). They count the same workers as Staffing(U, D), so
every joint count sums to the staffing figure, and its one-dimension marginals are Staffing's breakdowns.

The traits of a worker's period (sex, sector, funding source, cadre) are as known at the position; the
identity fields only the ``workers`` table holds (birth date, country of birth, country of qualification)
and a facility's kind are as known now.
"""

from datetime import date

from projections.naming import quoted
from projections.org_units import Executor

UNKNOWN = "UNKNOWN"
NHWA_UNKNOWN = "unknown"
AGE_BANDS = ("<25", "25-34", "35-44", "45-54", "55-64", "65+", NHWA_UNKNOWN)
OWNERSHIP = {"PUBLIC": "public", "PARAPUBLIC": "public", "COMMUNITY": "private not-for-profit"}
OWNERSHIP_PRIVATE = "private for-profit"
PLACES_OF_BIRTH = ("national", "foreign", NHWA_UNKNOWN)
PLACES_OF_TRAINING = ("domestic", "foreign", NHWA_UNKNOWN)

# Whole years from the birth date to the day the worker is counted on (``d.day``), as "Age" says.
AGE = "date_part('year', age(d.day, w.birth_date))"
AGE_BAND = (
    f"CASE WHEN w.birth_date IS NULL THEN '{NHWA_UNKNOWN}' WHEN {AGE} < 25 THEN '<25' WHEN {AGE} < 35 THEN '25-34' "
    f"WHEN {AGE} < 45 THEN '35-44' WHEN {AGE} < 55 THEN '45-54' WHEN {AGE} < 65 THEN '55-64' ELSE '65+' END"
)


def _place(column: str, national: str) -> str:
    """National (or domestic) when the country is the one given ($3), foreign otherwise, unknown when absent."""
    return (
        f"CASE WHEN {column} IS NULL THEN '{NHWA_UNKNOWN}' "
        f"WHEN upper({column}) = upper(given.country) THEN '{national}' ELSE 'foreign' END"
    )


OWNERSHIP_CASE = (
    "CASE "
    + " ".join(f"WHEN q.sector = '{sector}' THEN '{owner}'" for sector, owner in OWNERSHIP.items())
    + f" WHEN q.sector = 'PRIVATE' THEN '{OWNERSHIP_PRIVATE}' ELSE '{NHWA_UNKNOWN}' END"
)

# Each dimension as an SQL expression over a worker's period ``q``, its cadre ``c``, its identity ``w``, its
# facility ``f``, the day ``d.day`` it is counted on and the ``given`` country. A missing trait is a category
# of its own, never dropped: the counts add up.
DIMENSIONS: dict[str, str] = {
    "cadreGroup": "coalesce(c.grp, 'OTHER')",  # as Staffing: a worker whose cadre is unknown counts as OTHER
    "sex": f"coalesce(q.sex, '{UNKNOWN}')",
    "sector": f"coalesce(q.sector, '{UNKNOWN}')",
    "fundingSource": f"coalesce(q.funding_source, '{UNKNOWN}')",
    "occupation": f"coalesce(nullif(c.isco08, ''), '{UNKNOWN}')",
    "ageBand": AGE_BAND,
    "ownership": OWNERSHIP_CASE,
    "facilityType": f"coalesce(nullif(f.facility_kind, ''), '{NHWA_UNKNOWN}')",
    "placeOfBirth": _place("w.country_of_birth", "national"),
    "placeOfTraining": _place("w.qualification_country", "domestic"),
}
NEEDS_COUNTRY = ("placeOfBirth", "placeOfTraining")

# Staffing's figures as the statuses of a worker's period (and the cadre's ``qualified`` for the last).
FIGURES: dict[str, tuple[tuple[str, ...], bool]] = {
    "headcount": (("POSTED", "ON_LEAVE"), False),
    "onLeave": (("ON_LEAVE",), False),
    "active": (("POSTED",), False),
    "qualifiedActive": (("POSTED",), True),
}


def known(alias: str, position: int | None, param: str) -> str:
    """The condition on a bitemporal row ``alias`` to be known at ``position`` (given as ``param``; None: now)."""
    if position is None:
        return f"{alias}.known_to IS NULL"
    return f"{alias}.known_from <= {param} AND ({alias}.known_to IS NULL OR {alias}.known_to > {param})"


def in_force(alias: str, day: str) -> str:
    """The condition on a row ``alias`` to be valid on ``day`` (an SQL expression)."""
    return f"{alias}.valid_from <= {day} AND ({alias}.valid_to IS NULL OR {alias}.valid_to > {day})"


def area_below(schema: str, position: int | None) -> str:
    """The CTEs ``given(country)`` ($3) and ``area(code)``: unit $1 and every unit below it on day $2, as known
    at position $5."""
    return (
        "WITH RECURSIVE given(country) AS (SELECT $3::text), area(code) AS (SELECT $1::text UNION SELECT t.code FROM "
        f"{quoted(schema)}.org_tree t JOIN area a ON t.parent = a.code "
        f"WHERE {known('t', position, '$5')} AND {in_force('t', '$2')}) "
    )


def traits_joins(schema: str) -> str:
    """The joins that give a worker's period ``q`` its cadre ``c``, identity ``w`` and facility ``f``."""
    s = quoted(schema)
    return (
        f"LEFT JOIN {s}.cadres c ON c.code = q.cadre LEFT JOIN {s}.workers w ON w.id = q.worker_id "
        f"LEFT JOIN {s}.org_units f ON f.code = q.facility "
    )


def grouped(dimensions: list[str], before: int = 0) -> tuple[str, str]:
    """The select list of ``dimensions`` (as ``k0``, ``k1``, ...) and its GROUP BY, after ``before`` columns."""
    keys = ", ".join(f"{DIMENSIONS[d]} AS k{i}" for i, d in enumerate(dimensions))
    return keys, ", ".join(str(before + i + 1) for i in range(len(dimensions)))


def check_dimensions(dimensions: list[str], country: str | None) -> None:
    """Checks that ``dimensions`` can be counted.

    Raises:
        ValueError: none, an unknown or repeated one, or a place of birth or training without ``country``.
    """
    if not dimensions or len(set(dimensions)) != len(dimensions):
        raise ValueError("give one or more dimensions, each once")
    unknown = [d for d in dimensions if d not in DIMENSIONS]
    if unknown:
        raise ValueError(f"unknown dimension {unknown[0]!r}")
    if country is None and any(d in NEEDS_COUNTRY for d in dimensions):
        raise ValueError("a place of birth or training needs the country")


async def joint_counts(
    db: Executor,
    schema: str,
    code: str,
    day: date,
    position: int | None,
    dimensions: list[str],
    figure: str = "active",
    country: str | None = None,
) -> dict[tuple[str, ...], int]:
    """The workers counted in ``figure`` of Staffing(``code``, ``day``) as known at ``position`` (None: now), by
    the categories of ``dimensions`` taken together; only the combinations with workers.

    Raises:
        ValueError: ``check_dimensions`` refuses ``dimensions``.
    """
    check_dimensions(dimensions, country)
    statuses, qualified_only = FIGURES[figure]
    keys, groups = grouped(dimensions)
    rows = await db.fetch(
        area_below(schema, position)
        + f"SELECT {keys}, count(*) AS n FROM {quoted(schema)}.worker_periods q JOIN area ON area.code = q.facility "
        + "CROSS JOIN given CROSS JOIN (SELECT $2::date AS day) d "
        + traits_joins(schema)
        + f"WHERE {known('q', position, '$5')} AND {in_force('q', '$2')} AND q.status = ANY($4::text[]) "
        + ("AND coalesce(c.qualified, false) " if qualified_only else "")
        + f"GROUP BY {groups} ORDER BY {groups}",
        code,
        day,
        country,
        list(statuses),
        *((position,) if position is not None else ()),
    )
    return {tuple(r[f"k{i}"] for i in range(len(dimensions))): int(r["n"]) for r in rows}
