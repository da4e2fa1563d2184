"""Writing one batch of the projector's rows, and moving the tracking row with it, in the caller's transaction."""

import uuid
from typing import Any

import asyncpg
import orjson

from projections.function_tables import write_functions
from projections.intervals import Row
from projections.naming import NAME, quoted
from projections.projector import DATA, Projector, Writes
from projections.search import search_keys
from projections.shards import Shard
from projections.store import PENDING, PENDING_SHOWN
from projections.worker_projection import IDENTITY


async def _write_rows(
    conn: asyncpg.Connection,
    schema: str,
    table: str,
    sink_rows: tuple[list[Row], list[tuple[int, int]]],
    *,
    bulk: bool,
) -> None:
    opened, closed = sink_rows
    if closed and bulk:
        records = [(table, row_id, position) for row_id, position in closed]
        await conn.copy_records_to_table(PENDING, schema_name=schema, records=records)
    elif closed:
        await conn.execute(
            f"UPDATE {quoted(schema)}.{table} t SET known_to = x.p FROM unnest($1::bigint[], $2::bigint[]) x(id, p) "
            "WHERE t.id = x.id",
            [c[0] for c in closed],
            [c[1] for c in closed],
        )
    if opened:
        await conn.copy_records_to_table(table, schema_name=schema, records=opened)


async def advance(
    conn: asyncpg.Connection,
    schema: str,
    projector: Projector,
    *,
    since: int,
    generation: uuid.UUID,
    announce: str | None = None,
    shard: Shard | None = None,
) -> bool:
    """Moves the tracking row to the projector's position, if it is still at ``since`` in
    ``generation``; False (nothing changed) when it is not. The caller holds the transaction: the
    row stays locked until it ends. With ``announce``, the position is also NOTIFYed on that
    channel, which PostgreSQL delivers at commit.
    """
    update = (
        f"UPDATE {quoted(schema)}.tracking SET position = $2, next_row_id = $3, updated_at = now() "
        "WHERE name = $1 AND position = $4 AND generation = $5 RETURNING position"
    )
    name = NAME if shard is None else shard.name
    arguments: list[Any] = [name, projector.position, projector.next_row_id(), since, generation]
    if announce is not None:
        update = f"WITH t AS ({update}) SELECT pg_notify($6, position::text) FROM t"
        arguments.append(announce)
    return len(await conn.fetch(update, *arguments)) == 1


async def write(
    conn: asyncpg.Connection, schema: str, projector: Projector, writes: Writes, *, functions: bool = True
) -> None:
    """Writes a batch's rows; the caller holds the transaction, and moves the tracking row (``advance``).

    Without ``functions`` (a bulk build, whose tables get their keys at its end), the staffing and
    flow functions are left unwritten (the build writes them once, at the end), and the
    rectangles this batch closes that earlier batches wrote are recorded in ``PENDING``, to be
    closed by ``apply_pending``; so are its updates of earlier batches' history rows, in
    ``PENDING_SHOWN`` (``apply_pending_shown``).
    """
    s = quoted(schema)
    if writes.events:
        records = list(writes.events.values())  # the batch's own lists: it is done with them
        for row in records:
            row[DATA] = orjson.dumps(row[DATA], option=orjson.OPT_NON_STR_KEYS).decode()
        await conn.copy_records_to_table("events", schema_name=schema, records=records)
    bulk = not functions
    if writes.shown and bulk:
        batch = projector.position
        pending = [(position, batch, *shown) for position, shown in writes.shown.items()]
        await conn.copy_records_to_table(PENDING_SHOWN, schema_name=schema, records=pending)
    elif writes.shown:
        items = list(writes.shown.items())
        await conn.execute(
            f"UPDATE {s}.events e SET from_code = x.f, to_code = x.t, retracted = x.r "
            "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bool[]) x(p, f, t, r) WHERE e.position = x.p",
            [p for p, _ in items],
            [v[0] for _, v in items],
            [v[1] for _, v in items],
            [v[2] for _, v in items],
        )
    for table, sink in projector.rectangles().items():
        await _write_rows(conn, schema, table, sink.take(), bulk=bulk)
    if functions:
        await write_functions(conn, schema, projector.units)
    if writes.workers:
        ids = list(writes.workers)
        await conn.execute(f"DELETE FROM {s}.workers WHERE id = ANY($1::uuid[])", ids)
        people = []
        for worker_id in ids:
            state = projector.workers[worker_id]
            people.append((worker_id, *map(state.identity.get, IDENTITY), *search_keys(state.identity)))
        await conn.copy_records_to_table("workers", schema_name=schema, records=people)
    if writes.units:
        codes = list(writes.units)
        await conn.execute(f"DELETE FROM {s}.org_units WHERE code = ANY($1::text[])", codes)
        units = [projector.tree.units[c] for c in codes]
        await conn.copy_records_to_table(
            "org_units",
            schema_name=schema,
            records=[
                (u.code, u.id, u.name, u.level, u.sector, u.facility_kind, u.hard_to_reach, u.opened_on, u.closed_on)
                for u in units
            ],
        )
    if writes.cadres:
        codes = list(writes.cadres)
        await conn.execute(f"DELETE FROM {s}.cadres WHERE code = ANY($1::text[])", codes)
        cadres = [projector.cadres[c] for c in codes]
        await conn.copy_records_to_table(
            "cadres",
            schema_name=schema,
            records=[(c.code, c.name, c.isco08, c.group, c.qualified) for c in cadres],
        )
    if writes.populations:
        await conn.copy_records_to_table("populations", schema_name=schema, records=writes.populations)
