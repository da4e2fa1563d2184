"""Reading the ledger for the projections: its events after a position, decoded (``projections.events``)."""

import asyncpg

from projections.events import LedgerEvent, decode


async def read_events(
    conn: asyncpg.Connection, events_table: str, after: int, limit: int, until: int | None = None
) -> list[LedgerEvent | int]:
    """The next stored events after ``after`` (up to ``until``), decoded; internal ones as bare positions."""
    # The internal aggregates' states are not projected: leave them on the server.
    rows = await conn.fetch(
        "SELECT notification_id, originator_id, originator_version, topic, "
        "CASE WHEN topic LIKE 'hrh:Worker.%' OR topic LIKE 'hrh:OrgUnit.%' OR topic LIKE 'hrh:Cadre.%' "
        f"THEN state END FROM {events_table} "
        "WHERE notification_id > $1 AND ($3::bigint IS NULL OR notification_id <= $3) "
        "ORDER BY notification_id LIMIT $2",
        after,
        limit,
        until,
    )
    out: list[LedgerEvent | int] = []
    for position, originator_id, version, topic, state in rows:
        event = decode(position, originator_id, version, topic, state)
        out.append(event if event is not None else position)
    return out


async def read_range(
    conn: asyncpg.Connection, events_table: str, after: int, upto: int, only: str
) -> list[LedgerEvent]:
    """The stored events after ``after`` up to ``upto`` that ``only`` (a condition from
    ``Shard.reads``) admits, decoded.

    A range of positions, not a LIMIT: the planner cannot tell how many rows such a condition
    admits, and would rather scan and sort every later row than walk the index to the first few.
    """
    rows = await conn.fetch(
        f"SELECT notification_id, originator_id, originator_version, topic, state FROM {events_table} "
        f"WHERE notification_id > $1 AND notification_id <= $2 AND {only} ORDER BY notification_id",
        after,
        upto,
    )
    return [e for e in (decode(*row) for row in rows) if e is not None]
