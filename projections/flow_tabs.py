"""Flows of an area over a span of days, counted by the workers' traits (NHWA Module 5, DESIGN "Definitions").

The same machinery as the joint counts of the stock (``projections.cross_tabs``): each flow is tied to one
of the worker's periods (``worker_periods`` as known at the position), whose traits give its categories.

- An *entry* is a hire or a rehire in force, effective in the span. It lies where the posting that follows
  it on the timeline (before any later hire) placed the worker, following the tree on that posting's date;
  a hire never posted (as known then) lies in no area. Its traits are those of the posting's period.
- An *exit* is a departure effective in the span whose origin (from the timeline, ``worker_flows``) is in
  the area, split by its reason: voluntary (RESIGNATION, EMIGRATION), involuntary (DEATH, DISMISSAL,
  RETIREMENT, END_OF_CONTRACT) or other. Its traits are those of the last period in post before it.
- A *transfer in* (*out*) is a transfer effective in the span whose destination (origin) is in the area
  and whose origin (destination) is not, both on its date: boundary crossings, kept apart from the
  entries and exits of the workforce. Its traits are those of the period it starts.
"""

from datetime import date

from projections import cross_tabs
from projections.cross_tabs import in_force, known, traits_joins
from projections.naming import quoted
from projections.org_units import Executor

VOLUNTARY = ("RESIGNATION", "EMIGRATION")
INVOLUNTARY = ("DEATH", "DISMISSAL", "RETIREMENT", "END_OF_CONTRACT")
FLOWS = ("ENTRY", "EXIT_VOLUNTARY", "EXIT_INVOLUNTARY", "EXIT_OTHER", "TRANSFER_IN", "TRANSFER_OUT")


def _listed(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def event_known(alias: str, schema: str, position: int | None) -> str:
    """The condition on a row ``alias`` of the ``events`` table to be in force as known at ``position`` ($5):
    recorded by then, and not retracted by a retraction recorded by then."""
    if position is None:
        return f"NOT {alias}.retracted"
    return (
        f"{alias}.position <= $5 AND NOT EXISTS (SELECT 1 FROM {quoted(schema)}.events r "
        f"WHERE r.aggregate_id = {alias}.aggregate_id AND r.kind = 'RETRACTED' AND r.position <= $5 "
        f"AND (r.data->>'retracted_version')::int = {alias}.version)"
    )


def _moves(schema: str, position: int | None) -> str:
    """The CTE ``moves``: every entry, departure and transfer in [$2, $3], with the day it places the worker."""
    s = quoted(schema)
    hire = "n.aggregate = 'Worker' AND n.kind IN ('HIRED', 'REHIRED')"
    # The posting that follows a hire (postings are the flows without an origin), before any later hire.
    posting = (
        f"SELECT p.destination, p.day FROM {s}.worker_flows p WHERE p.worker_id = h.aggregate_id "
        f"AND {known('p', position, '$5')} AND p.origin IS NULL AND (p.day, p.position) > (h.effective_on, h.position) "
        f"AND NOT EXISTS (SELECT 1 FROM {s}.events n WHERE n.aggregate_id = h.aggregate_id AND {hire} "
        f"AND {event_known('n', schema, position)} AND (n.effective_on, n.position) > (h.effective_on, h.position) "
        "AND (n.effective_on, n.position) < (p.day, p.position)) ORDER BY p.day, p.position LIMIT 1"
    )
    return (
        "moves AS ("
        "SELECT 'ENTRY' AS flow, h.aggregate_id AS worker_id, h.effective_on AS day, NULL::text AS origin, "
        f"p.destination, p.day AS placed_on, NULL::text AS reason FROM {s}.events h CROSS JOIN LATERAL ({posting}) p "
        "WHERE h.aggregate = 'Worker' AND h.kind IN ('HIRED', 'REHIRED') AND h.effective_on BETWEEN $2 AND $3 "
        f"AND {event_known('h', schema, position)} "
        "UNION ALL "
        "SELECT CASE WHEN m.destination IS NULL THEN 'EXIT' ELSE 'TRANSFER' END, m.worker_id, m.day, m.origin, "
        f"m.destination, m.day, e.reason FROM {s}.worker_flows m LEFT JOIN {s}.events e ON e.position = m.position "
        f"WHERE {known('m', position, '$5')} AND m.day BETWEEN $2 AND $3 AND m.origin IS NOT NULL)"
    )


def _ends(schema: str, position: int | None) -> str:
    """The CTEs ``numbered`` (the moves, with an id and the traits of the period they take them from: the worker's
    latest period at a facility from the day the move places them) and ``up``: each move's origin ('o') and
    destination ('d') with their ancestors on that day, as known at the position."""
    s = quoted(schema)
    return (
        "counted AS (SELECT row_number() OVER () AS id, moves.* FROM moves), "
        # Each move's period looked up by the worker's index (every row of a worker, current or not), so the
        # cost follows the moves, not the size of the periods table.
        "periods AS (SELECT m.id, true AS found, q.cadre, q.facility, q.sex, q.sector, q.funding_source "
        f"FROM counted m CROSS JOIN LATERAL (SELECT * FROM {s}.worker_periods q WHERE q.worker_id = m.worker_id "
        f"AND {known('q', position, '$5')} AND q.facility IS NOT NULL AND q.valid_from <= m.placed_on "
        "ORDER BY q.valid_from DESC LIMIT 1) q), "
        "numbered AS (SELECT m.*, p.found, p.cadre AS p_cadre, p.facility AS p_facility, p.sex AS p_sex, "
        "p.sector AS p_sector, p.funding_source AS p_funding FROM counted m LEFT JOIN periods p ON p.id = m.id), "
        "seeds AS (SELECT id, 'd' AS side, destination AS code, placed_on AS day FROM numbered "
        "WHERE destination IS NOT NULL UNION ALL SELECT id, 'o', origin, placed_on FROM numbered "
        "WHERE origin IS NOT NULL), "
        "up AS (SELECT * FROM seeds UNION SELECT up.id, up.side, t.parent, up.day FROM up "
        f"JOIN {s}.org_tree t ON t.code = up.code AND {known('t', position, '$5')} "
        f"AND {in_force('t', 'up.day')} WHERE t.parent IS NOT NULL) "
    )


# The period whose traits a move takes, carried by ``numbered`` (joining the periods again by their id, which has
# no index, scanned the whole table once per move).
PERIOD = (
    "CROSS JOIN LATERAL (SELECT CASE WHEN m.found THEN m.worker_id END AS worker_id, m.p_cadre AS cadre, "
    "m.p_facility AS facility, m.p_sex AS sex, m.p_sector AS sector, m.p_funding AS funding_source) q "
)
KIND = (
    "CASE WHEN m.flow = 'ENTRY' THEN 'ENTRY' "
    f"WHEN m.flow = 'EXIT' AND m.reason IN ({_listed(VOLUNTARY)}) THEN 'EXIT_VOLUNTARY' "
    f"WHEN m.flow = 'EXIT' AND m.reason IN ({_listed(INVOLUNTARY)}) THEN 'EXIT_INVOLUNTARY' "
    "WHEN m.flow = 'EXIT' THEN 'EXIT_OTHER' WHEN m.to_in THEN 'TRANSFER_IN' ELSE 'TRANSFER_OUT' END"
)
COUNTED = (
    "(m.flow = 'ENTRY' AND m.to_in) OR (m.flow = 'EXIT' AND m.from_in) "
    "OR (m.flow = 'TRANSFER' AND m.from_in <> m.to_in)"
)


async def flow_counts(
    db: Executor,
    schema: str,
    code: str,
    first: date,
    last: date,
    position: int | None,
    dimensions: list[str],
    country: str | None = None,
) -> dict[tuple[str, ...], int]:
    """The flows of area ``code`` effective in [``first``, ``last``] as known at ``position`` (None: now), by
    kind (``FLOWS``) then the categories of ``dimensions`` (the traits on the flow's day); only those with any.

    Raises:
        ValueError: ``cross_tabs.check_dimensions`` refuses ``dimensions``.
    """
    if dimensions:
        cross_tabs.check_dimensions(dimensions, country)
    keys, groups = cross_tabs.grouped(dimensions, before=1)
    side = "EXISTS (SELECT 1 FROM up WHERE up.id = n.id AND up.side = '{}' AND up.code = $1)"
    rows = await db.fetch(
        "WITH RECURSIVE given(country) AS (SELECT $4::text), "
        + _moves(schema, position)
        + ", "
        + _ends(schema, position)
        + f"SELECT {KIND} AS kind{', ' + keys if keys else ''}, count(*) AS n FROM "
        + f"(SELECT n.*, {side.format('o')} AS from_in, {side.format('d')} AS to_in FROM numbered n) m "
        + PERIOD
        + traits_joins(schema)
        + "CROSS JOIN given CROSS JOIN LATERAL (SELECT m.day AS day) d "
        + f"WHERE {COUNTED} GROUP BY 1{', ' + groups if groups else ''}",
        code,
        first,
        last,
        country,
        *((position,) if position is not None else ()),
    )
    return {(r["kind"], *(r[f"k{i}"] for i in range(len(dimensions)))): int(r["n"]) for r in rows}
