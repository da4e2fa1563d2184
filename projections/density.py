"""Density series per org unit: stock at each period's end, entries and exits within it.

Periods follow DHIS2 labels ("2017", "2017Q4", "201712"); a period is included when its end
date falls within [from, to]. Entries and exits come from the ``flows`` table (per unit and day,
as known now); as known at an earlier position, the worker flows recorded since are taken back,
or, after a boundary change, every flow known then is attributed with the tree as it was.
"""

import calendar
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime

from projections import vectors as v
from projections.naming import quoted
from projections.org_units import Executor, moves_after, tree_history
from projections.staffing import known_position, per_ten_thousand, populations_by_year, series_known, series_now


@dataclass(frozen=True, slots=True)
class DensityPoint:
    period: str
    start_on: date
    end_on: date
    active: int
    qualified_active: int
    population: int | None
    density: float | None
    qualified_density: float | None
    entries: int
    exits: int


def periods(start: date, end: date, interval: str) -> list[tuple[str, date, date]]:
    """``(label, first day, last day)`` of every period whose last day lies in [start, end]."""
    months = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}[interval]
    out = []
    year, month = start.year, 1 if months == 12 else ((start.month - 1) // months) * months + 1
    while True:
        last_month = month + months - 1
        first = date(year, month, 1)
        last = date(year, last_month, calendar.monthrange(year, last_month)[1])
        if first > end:
            break
        if start <= last <= end:
            label = (
                f"{year}" if months == 12 else f"{year}Q{(month - 1) // 3 + 1}" if months == 3 else f"{year}{month:02d}"
            )
            out.append((label, first, last))
        month += months
        if month > 12:
            year, month = year + 1, 1
    return out


async def _flows_now(
    db: Executor, schema: str, code: str, spans: list[tuple[str, date, date]]
) -> list[tuple[date, int, int]]:
    """Entries and exits per period, as known now: ``(first day, entries, exits)`` for each period with any.

    PostgreSQL sums the daily rows, so what reaches Python is one row per period, however many
    days had movements.
    """
    rows = await db.fetch(
        "SELECT p.first, f.entries, f.exits FROM unnest($2::date[], $3::date[]) p(first, last) CROSS JOIN LATERAL ("
        f"SELECT sum(entries) AS entries, sum(exits) AS exits FROM {quoted(schema)}.flows "
        "WHERE code = $1 AND day BETWEEN p.first AND p.last) f WHERE f.entries IS NOT NULL",
        code,
        [first for _, first, _ in spans],
        [last for *_, last in spans],
    )
    return [(r["first"], int(r["entries"]), int(r["exits"])) for r in rows]


def _shares(code: str, origin: list[str], destination: list[str]) -> tuple[int, int]:
    inside_origin, inside_destination = code in origin, code in destination
    return int(inside_destination and not inside_origin), int(inside_origin and not inside_destination)


async def _flows_known(
    db: Executor, schema: str, code: str, spans: list[tuple[str, date, date]], position: int
) -> list[tuple[date, int, int]]:
    s = quoted(schema)
    start, end = spans[0][1], spans[-1][2]
    moved = await moves_after(db, schema, position)
    if moved:
        out: list[tuple[date, int, int]] = []
        rows = await db.fetch(
            f"SELECT day, origin, destination, false AS since FROM {s}.worker_flows WHERE day BETWEEN $1 AND $2 "
            "AND known_from <= $3 AND (known_to IS NULL OR known_to > $3)",
            start,
            end,
            position,
        )
    else:
        out = await _flows_now(db, schema, code, spans)
        rows = await db.fetch(
            f"SELECT day, origin, destination, known_from > $3 AS since FROM {s}.worker_flows "
            "WHERE day BETWEEN $1 AND $2 "
            "AND ((known_from > $3 AND known_to IS NULL) OR (known_from <= $3 AND known_to > $3))",
            start,
            end,
            position,
        )
    if not rows:
        return out
    tree = await tree_history(db, schema, position if moved else None)
    for r in rows:
        day = r["day"]
        origin = tree.chain(r["origin"], day) if r["origin"] else []
        destination = tree.chain(r["destination"], day) if r["destination"] else []
        entry, exit_ = _shares(code, origin, destination)
        sign = -1 if r["since"] else 1
        if entry or exit_:
            out.append((day, sign * entry, sign * exit_))
    return out


async def density_series(
    db: Executor, schema: str, code: str, start: date, end: date, interval: str, known_at: datetime | None = None
) -> list[DensityPoint]:
    """The unit's series over the periods ending in [start, end], as known at ``known_at``."""
    spans = periods(start, end, interval)
    if not spans:
        return []
    position = await known_position(db, schema, known_at)
    if position is None:
        stock = await series_now(db, schema, code, [last for *_, last in spans])
    else:
        stock = await series_known(db, schema, code, [last for *_, last in spans], position)
    people = await populations_by_year(db, schema, code, sorted({last.year for *_, last in spans}), position)
    if position is None:
        flows = await _flows_now(db, schema, code, spans)
    else:
        flows = await _flows_known(db, schema, code, spans, position)
    starts = [first for _, first, _ in spans]
    totals = [[0, 0] for _ in spans]
    for day, entries, exits in flows:
        i = bisect_right(starts, day) - 1
        if i >= 0 and day <= spans[i][2]:
            totals[i][0] += entries
            totals[i][1] += exits
    points = []
    for (label, first, last), (entries, exits) in zip(spans, totals, strict=True):
        value = stock[last]
        population = people[last.year]
        points.append(
            DensityPoint(
                period=label,
                start_on=first,
                end_on=last,
                active=value[v.ACTIVE],
                qualified_active=value[v.QUALIFIED_ACTIVE],
                population=population,
                density=per_ten_thousand(value[v.ACTIVE], population),
                qualified_density=per_ten_thousand(value[v.QUALIFIED_ACTIVE], population),
                entries=entries,
                exits=exits,
            )
        )
    return points
