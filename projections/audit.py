"""The audit trail: every event of the org units, cadres and workers, in ledger order.

The ledger's internal bookkeeping (command receipts, the civil-service-number and facility-roster
registries) is not part of the trail: it records nothing a person decided.

The trail can be narrowed to an org unit (``docs/audit.md``, "The trail of an org unit"): an event
lies in unit U when, on the event's day, U is (or is an ancestor of) a unit the event concerns,
following the tree as of that day, as known now:
- an org unit's event concerns that unit, and a move also the parent it leaves;
- a worker's event concerns the facilities its history row names (a posting's, a transfer's
  origin and destination, a departure's origin) and the worker's home facility on the day (the
  latest posting or transfer in force effective on or before it, or failing that the first one
  after it: the rule of ``Worker.home_facility`` and ``mobility.homes``);
- a cadre's event concerns no unit.
The event's day is its effective date (a training's start), or the UTC day it was recorded when it
has none (corrections, retractions, population estimates).
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.cadre import Cadre
from domain.org_unit import OrgUnit
from domain.worker import Worker
from projections.handlers import event_classes_of
from projections.naming import quoted
from projections.org_units import Executor
from projections.writes import kind_name

# The kinds of event the trail holds, as its ``kind`` column names them (``HIRED``, ``MOVED``, ...).
KINDS = frozenset(kind_name(c.__name__) for aggregate in (OrgUnit, Cadre, Worker) for c in event_classes_of(aggregate))

COLUMNS = (
    "position, aggregate, aggregate_id, subject, kind, effective_on, recorded_at, recorded_by, authority, "
    "backdated, retracted"
)
# The first window of ledger positions an org unit's trail is looked for in (``audit_trail``).
MIN_WINDOW = 1024
DAY = "coalesce(e.effective_on, (e.recorded_at AT TIME ZONE 'UTC')::date)"

# The units in U's subtree, each with the days it lies there (U itself: always), as known now:
# each step down keeps the days the child's parent is the unit above (``org_tree``'s pieces).
INSIDE = (
    "inside(code, span) AS ("
    "  SELECT {unit}::text, daterange(NULL, NULL)"
    "  UNION ALL"
    "  SELECT t.code, daterange(t.valid_from, t.valid_to) * i.span"
    "  FROM {s}.org_tree t JOIN inside i ON t.parent = i.code"
    "  WHERE t.known_to IS NULL AND daterange(t.valid_from, t.valid_to) && i.span)"
)
# The units an event names in its history row: an org unit's event its unit, a move also the
# parent it leaves; a worker's event the facilities it names (cadres' events name none).
NAMED = (
    "named AS (SELECT e.position FROM {s}.events e CROSS JOIN LATERAL (VALUES"
    "  (CASE WHEN e.aggregate = 'OrgUnit' THEN e.subject END),"
    "  (CASE WHEN e.aggregate = 'Worker' OR e.kind = 'MOVED' THEN e.from_code END),"
    "  (CASE WHEN e.aggregate = 'Worker' THEN e.to_code END)) AS n(code)"
    f"  JOIN inside i ON i.code = n.code WHERE i.span @> {DAY} AND {{window}})"
)
# Each worker's home facility over time: a stint from each posting or transfer in force to the
# next one (the first stint back to the beginning of time), for the workers of the window's events.
STINTS = (
    "placed AS (SELECT aggregate_id, effective_on, position, to_code FROM {s}.events"
    "  WHERE aggregate = 'Worker' AND kind IN ('POSTED', 'TRANSFERRED') AND NOT retracted AND aggregate_id IN ("
    "    SELECT e.aggregate_id FROM {s}.events e WHERE e.aggregate = 'Worker' AND {window})),"
    "stints AS (SELECT aggregate_id AS worker, to_code AS facility, daterange("
    "    CASE WHEN row_number() OVER w = 1 THEN NULL ELSE effective_on END, lead(effective_on) OVER w) AS span"
    "  FROM placed WINDOW w AS (PARTITION BY aggregate_id ORDER BY effective_on, position)),"
    "homed AS (SELECT e.position FROM {s}.events e JOIN stints h ON h.worker = e.aggregate_id"
    "  JOIN inside i ON i.code = h.facility WHERE e.aggregate = 'Worker' AND h.span @> e.effective_on"
    "  AND i.span @> e.effective_on AND {window})"
)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    position: int
    aggregate: str
    aggregate_id: UUID
    subject: str | None
    kind: str
    effective_on: date | None
    recorded_at: datetime
    recorded_by: str
    authority: str | None
    backdated: bool
    retracted: bool


@dataclass(frozen=True, slots=True)
class TrailFilter:
    """What narrows the trail; None lets everything through. ``org_unit`` is a unit's code (see the
    module's docstring), ``kind`` one of ``KINDS``, ``start`` and ``end`` bound the recording time."""

    worker_id: UUID | None = None
    recorded_by: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    org_unit: str | None = None
    kind: str | None = None


def trail_query(
    schema: str, where: TrailFilter, after: int, first: int, upto: int | None = None
) -> tuple[str, list[Any]]:
    """The SQL of a page of the trail (``first`` + 1 rows after position ``after``, up to position ``upto``
    when given), and its arguments."""
    s = quoted(schema)
    args: list[Any] = [after, first + 1, upto]
    conditions = ["position > $1", "($3::bigint IS NULL OR position <= $3)"]
    for column, value in (
        ("aggregate_id = ${}::uuid", where.worker_id),
        ("recorded_by = ${}", where.recorded_by),
        ("recorded_at >= ${}::timestamptz", where.start),
        ("recorded_at <= ${}::timestamptz", where.end),
        ("kind = ${}", where.kind),
    ):
        if value is not None:
            args.append(value)
            conditions.append(column.format(len(args)))
    select = f"SELECT {COLUMNS} FROM {s}.events WHERE {' AND '.join(conditions)}"
    if where.org_unit is None:
        return f"{select} ORDER BY position LIMIT $2", args
    args.append(where.org_unit)
    window = "e.position > $1 AND e.position <= $3"
    parts = {"s": s, "unit": f"${len(args)}", "window": window}
    ctes = ", ".join(part.format(**parts) for part in (INSIDE, NAMED, STINTS))
    matched = "position IN (SELECT position FROM named UNION SELECT position FROM homed)"
    return f"WITH RECURSIVE {ctes} {select} AND {matched} ORDER BY position LIMIT $2", args


async def audit_trail(
    db: Executor, schema: str, where: TrailFilter, *, first: int = 50, after: int | None = None
) -> tuple[list[AuditRecord], bool]:
    """A page of the trail after position ``after``, filtered; (page, has next page).

    An org unit's trail is looked for in windows of ledger positions, each twice as wide as the one before,
    until the page is full: which events lie in the unit is worked out for a window's events only (and
    their workers' placements), so a page near the start of a large unit's trail costs what the page holds,
    not what the whole ledger does.
    """
    start = after or 0
    if where.org_unit is None:
        query, args = trail_query(schema, where, start, first)
        rows = list(await db.fetch(query, *args))
    else:
        rows = []
        last = await db.fetchval(f"SELECT max(position) FROM {quoted(schema)}.events") or 0
        span = max(MIN_WINDOW, 4 * (first + 1))
        while start < last and len(rows) <= first:
            query, args = trail_query(schema, where, start, first - len(rows), upto=start + span)
            rows += await db.fetch(query, *args)
            start, span = start + span, span * 2
    page = [
        AuditRecord(
            position=r["position"],
            aggregate=r["aggregate"],
            aggregate_id=r["aggregate_id"],
            subject=r["subject"],
            kind=r["kind"],
            effective_on=r["effective_on"],
            recorded_at=r["recorded_at"],
            recorded_by=r["recorded_by"] or "",
            authority=r["authority"],
            backdated=r["backdated"],
            retracted=r["retracted"],
        )
        for r in rows[:first]
    ]
    return page, len(rows) > first
