"""Staffing, population and completeness queries (DESIGN, "Definitions").

Figures as known now come straight from the ``staffing`` step functions: one indexed row per
unit. Figures as known at an earlier position start from those and take back what was recorded
since, dated up to the day: the worker changes (+1 of a worker's figures where a period starts,
-1 where it ends) opened after it are taken back and those closed after it added back. Those are
the back-dated changes only, so the cost does not grow with the ledger. When a unit was moved
after that position, the areas themselves differ, and the figures are summed from every change
known then.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from projections import vectors as v
from projections.naming import quoted
from projections.org_units import (
    Executor,
    chains,
    children_codes,
    children_on_days,
    moves_after,
    position_at,
    tree_history,
)
from projections.org_units import cadres as all_cadres
from projections.pieces import STAFFING, VectorTable

Vector = tuple[int, ...]


@dataclass(slots=True)
class StaffingRecord:
    code: str
    as_of: date
    known_at: datetime | None
    headcount: int
    on_leave: int
    active: int
    qualified_active: int
    population: int | None
    density: float | None
    qualified_density: float | None
    by_cadre_group: dict[str, int]
    by_sex: dict[str, int]
    by_sector: dict[str, int]
    by_funding_source: dict[str, int]
    children: list["StaffingRecord"] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CompletenessRecord:
    code: str
    workers: int
    complete: int
    rate: float
    missing: dict[str, int]


def per_ten_thousand(count: int, population: int | None) -> float | None:
    if not population:
        return None
    return count / population * 10_000


def record(code: str, as_of: date, known_at: datetime | None, value: Vector, population: int | None) -> StaffingRecord:
    return StaffingRecord(
        code=code,
        as_of=as_of,
        known_at=known_at,
        headcount=value[v.HEADCOUNT],
        on_leave=value[v.ON_LEAVE],
        active=value[v.ACTIVE],
        qualified_active=value[v.QUALIFIED_ACTIVE],
        population=population,
        density=per_ten_thousand(value[v.ACTIVE], population),
        qualified_density=per_ten_thousand(value[v.QUALIFIED_ACTIVE], population),
        by_cadre_group=v.breakdown(value, "byCadreGroup"),
        by_sex=v.breakdown(value, "bySex"),
        by_sector=v.breakdown(value, "bySector"),
        by_funding_source=v.breakdown(value, "byFundingSource"),
    )


async def values_now(
    db: Executor, schema: str, codes: list[str], day: date, table: VectorTable = STAFFING
) -> dict[str, Vector]:
    """Each unit's staffing vector (or ``table``'s) on ``day``, as known now (zero when it has none):
    one probe of the table's key a unit."""
    rows = await db.fetch(
        f"SELECT c.code, s.counts FROM unnest($1::text[]) c(code) CROSS JOIN LATERAL ("
        f"SELECT counts, valid_to FROM {quoted(schema)}.{table.name} t WHERE t.code = c.code AND t.valid_from <= $2 "
        "ORDER BY t.valid_from DESC LIMIT 1) s WHERE s.valid_to IS NULL OR s.valid_to > $2",
        codes,
        day,
    )
    found = {r["code"]: tuple(r["counts"]) for r in rows}
    zero = (0,) * table.size
    return {code: found.get(code, zero) for code in codes}


async def series_now(db: Executor, schema: str, code: str, days: list[date]) -> dict[date, Vector]:
    """One unit's staffing vector on each of ``days``, as known now."""
    rows = await db.fetch(
        f"SELECT d.day, s.counts FROM unnest($2::date[]) d(day) CROSS JOIN LATERAL ("
        f"SELECT counts, valid_to FROM {quoted(schema)}.staffing t WHERE t.code = $1 AND t.valid_from <= d.day "
        "ORDER BY t.valid_from DESC LIMIT 1) s WHERE s.valid_to IS NULL OR s.valid_to > d.day",
        code,
        days,
    )
    found = {r["day"]: tuple(r["counts"]) for r in rows}
    return {day: found.get(day, v.ZERO) for day in days}


def _add(total: list[int], value: Vector, sign: int) -> None:
    for i, x in enumerate(value):
        total[i] += sign * x


FIGURES = "facility, status, cadre, sex, sector, funding_source, present"
# Changes known now but not at $2 count against their sign; those known then but not now, with it.
SINCE = (
    f"SELECT day, {FIGURES}, -sign AS n FROM {{s}}.worker_changes "
    "WHERE known_to IS NULL AND known_from > $2 AND day <= $1 "
    f"UNION ALL SELECT day, {FIGURES}, sign AS n FROM {{s}}.worker_changes "
    "WHERE known_to IS NOT NULL AND int8range(known_from, known_to) @> $2::bigint AND day <= $1"
)
THEN = (
    f"SELECT day, {FIGURES}, sign AS n FROM {{s}}.worker_changes "
    "WHERE known_from <= $2 AND (known_to IS NULL OR known_to > $2) AND day <= $1"
)


async def _netted(db: Executor, schema: str, last: date, position: int, *, since: bool, by_day: bool) -> list[Any]:
    """Staffing changes dated up to ``last``, netted per facility and figures (and day) in SQL.

    With ``since``, what was recorded after ``position`` (to take back from the figures known
    now); otherwise everything known at ``position``. A worker's event that goes last on their
    timeline only adds changes on its own date, so the changes recorded after ``position`` and
    dated up to ``last`` are the back-dated ones: their number does not grow with the ledger.
    """
    keys = f"day, {FIGURES}" if by_day else FIGURES
    query = (SINCE if since else THEN).format(s=quoted(schema))
    return list(
        await db.fetch(
            f"SELECT {keys}, sum(n) AS n FROM ({query}) c GROUP BY {keys} HAVING sum(n) <> 0", last, position
        )
    )


async def values_known(db: Executor, schema: str, codes: list[str], day: date, position: int) -> dict[str, Vector]:
    """Each unit's staffing vector on ``day``, as known at ledger ``position``."""
    moved = await moves_after(db, schema, position)
    if moved:
        totals = {code: [0] * v.SIZE for code in codes}
    else:
        totals = {code: list(value) for code, value in (await values_now(db, schema, codes, day)).items()}
    rows = await _netted(db, schema, day, position, since=not moved, by_day=False)
    if rows:
        # Changes taken back from the figures known now follow the tree known now.
        up = await chains(db, schema, [r["facility"] for r in rows], day, position if moved else None)
        cadres = await cadre_infos(db, schema)
        for r in rows:
            value = _period_vector(r, cadres)
            for unit in up[r["facility"]]:
                if unit in totals:
                    _add(totals[unit], value, r["n"])
    return {code: tuple(total) for code, total in totals.items()}


async def series_known(db: Executor, schema: str, code: str, days: list[date], position: int) -> dict[date, Vector]:
    """One unit's staffing vector on each of ``days``, as known at ledger ``position``."""
    moved = await moves_after(db, schema, position)
    if moved:
        totals = {day: [0] * v.SIZE for day in days}
    else:
        totals = {day: list(value) for day, value in (await series_now(db, schema, code, days)).items()}
    rows = await _netted(db, schema, max(days), position, since=not moved, by_day=True) if days else []
    if rows:
        tree = await tree_history(db, schema, position if moved else None)
        cadres = await cadre_infos(db, schema)
        for r in rows:
            value = _period_vector(r, cadres)
            for day in days:
                if day >= r["day"] and code in tree.chain(r["facility"], day):
                    _add(totals[day], value, r["n"])
    return {day: tuple(total) for day, total in totals.items()}


async def cadre_infos(db: Executor, schema: str) -> dict[str, v.CadreInfo]:
    return {c.code: c for c in await all_cadres(db, schema)}


def _period_vector(r: Any, cadres: dict[str, v.CadreInfo]) -> Vector:
    worker = (r["sex"], r["sector"], r["funding_source"], r["present"])
    return v.vector_of(cadres.get(r["cadre"]), r["status"] == "ON_LEAVE", worker)


async def known_position(db: Executor, schema: str, known_at: datetime | None) -> int | None:
    return None if known_at is None else await position_at(db, schema, known_at)


async def populations(
    db: Executor, schema: str, codes: list[str], year: int, position: int | None
) -> dict[str, int | None]:
    """Population(U, year) per Definitions, with the fall-back to the children, as known at ``position``."""
    return (await populations_in(db, schema, codes, [year], position))[year]


async def populations_by_year(
    db: Executor, schema: str, code: str, years: list[int], position: int | None
) -> dict[int, int | None]:
    """Population(U, Y) for each year, as ``populations`` gives it."""
    return {year: found[code] for year, found in (await populations_in(db, schema, [code], years, position)).items()}


async def populations_in(
    db: Executor, schema: str, codes: list[str], years: list[int], position: int | None
) -> dict[int, dict[str, int | None]]:
    """Population(U, Y) for each of ``codes`` and ``years``, with the fall-back to the children, as
    known at ``position``.

    The years' estimates are read at once (a few per area and year). The fall-back then reads the
    children of the units without one, level by level for every year together (the tree of each
    year's 31 December), only as deep as it must: a year with no estimate at all (this year's,
    before any is recorded) leaves every unit without one, at no further cost.
    """
    rows = await db.fetch(
        f"SELECT DISTINCT ON (year, code) year, code, population FROM {quoted(schema)}.populations "
        "WHERE year = ANY($1::int[]) AND ($2::bigint IS NULL OR position <= $2) ORDER BY year, code, position DESC",
        years,
        position,
    )
    found: dict[int, dict[str, int | None]] = {year: {} for year in years}
    for r in rows:
        found[int(r["year"])][r["code"]] = int(r["population"])
    asked: dict[int, dict[str, list[str]]] = {year: {} for year in years}  # unit → the children it falls back to
    missing = {year: [c for c in dict.fromkeys(codes) if c not in found[year]] for year in years if found[year]}
    while any(missing.values()):
        wanted = list(dict.fromkeys(c for codes_missing in missing.values() for c in codes_missing))
        days = {year: date(year, 12, 31) for year in missing}
        below = await children_on_days(db, schema, wanted, list(days.values()), position)
        for year, codes_missing in missing.items():
            asked[year].update((code, below[days[year]][code]) for code in codes_missing)
        missing = {
            year: [
                c
                for code in codes_missing
                for c in below[days[year]][code]
                if c not in found[year] and c not in asked[year]
            ]
            for year, codes_missing in missing.items()
        }
    for year in years:
        for code in reversed(list(asked[year])):  # children were asked after their parents
            _resolve(code, asked[year], found[year])
    return {year: {code: found[year].get(code) for code in codes} for year in years}


def _resolve(code: str, children: dict[str, list[str]], found: dict[str, int | None]) -> int | None:
    """``code``'s population: its estimate, else its children's sum when each has one (None otherwise),
    noted in ``found``."""
    if code in found:
        return found[code]
    below = children.get(code, [])
    parts = [_resolve(child, children, found) for child in below]
    total = sum(p for p in parts if p is not None) if below and all(p is not None for p in parts) else None
    found[code] = total
    return total


async def staffing(
    db: Executor, schema: str, code: str, as_of: date, known_at: datetime | None = None
) -> StaffingRecord | None:
    """Staffing(U, D) and each child's, as known at ``known_at`` (now when None); None for an unknown unit."""
    position = await known_position(db, schema, known_at)
    exists = await db.fetchval(f"SELECT EXISTS (SELECT 1 FROM {quoted(schema)}.org_units WHERE code = $1)", code)
    if not exists:
        return None
    children = (await children_codes(db, schema, [code], as_of, position))[code]
    codes = [code, *children]
    if position is None:
        values = await values_now(db, schema, codes, as_of)
    else:
        values = await values_known(db, schema, codes, as_of, position)
    people = await populations(db, schema, codes, as_of.year, position)
    result = record(code, as_of, known_at, values[code], people[code])
    result.children = [record(c, as_of, known_at, values[c], people[c]) for c in children]
    return result


async def completeness(db: Executor, schema: str, code: str, today: date) -> CompletenessRecord:
    """Among workers in post in the unit on ``today``, the share with a complete record."""
    value = (await values_now(db, schema, [code], today))[code]
    workers, complete = value[v.HEADCOUNT], value[v.COMPLETE]
    missing = {name: value[v.MISSING + i] for i, name in enumerate(v.REQUIRED)}
    return CompletenessRecord(code, workers, complete, complete / workers if workers else 0.0, missing)
