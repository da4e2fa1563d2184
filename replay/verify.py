"""Verification: a fresh replay of the ledger must equal the live read tables, row for row.

The replay goes into a scratch schema, up to the live tables' own position, so both describe the
same events. Row ids are left out of the comparison: they only number rectangles.
"""

from dataclasses import dataclass, field

import asyncpg

from projections import runner, store
from projections.naming import quoted
from projections.store import Target
from replay.rebuild import build


@dataclass
class Difference:
    table: str
    only_live: int
    only_replay: int
    examples: list[str] = field(default_factory=list)


async def columns(conn: asyncpg.Connection, schema: str, table: str) -> list[str]:
    """The columns to compare, as expressions: json ones as jsonb (json has no equality)."""
    rows = await conn.fetch(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 "
        "ORDER BY ordinal_position",
        schema,
        table,
    )
    return [
        f"{quoted(r['column_name'])}{'::jsonb' if r['data_type'] == 'json' else ''}"
        for r in rows
        if r["column_name"] not in ("id", "updated_at", "generation", "next_row_id")
    ]


async def compare(conn: asyncpg.Connection, live: str, replay: str, table: str) -> Difference | None:
    names = ", ".join(await columns(conn, live, table))
    a, b = f"{quoted(live)}.{table}", f"{quoted(replay)}.{table}"
    only_live = await conn.fetch(f"SELECT {names} FROM {a} EXCEPT ALL SELECT {names} FROM {b} LIMIT 1000")
    only_replay = await conn.fetch(f"SELECT {names} FROM {b} EXCEPT ALL SELECT {names} FROM {a} LIMIT 1000")
    if not only_live and not only_replay:
        return None
    examples = [f"live only: {dict(r)}" for r in only_live[:3]] + [f"replay only: {dict(r)}" for r in only_replay[:3]]
    return Difference(table, len(only_live), len(only_replay), examples)


async def verify(url: str, target: Target, *, processes: int | None = None) -> tuple[int, list[Difference]]:
    """Replays the ledger into a scratch schema (with ``processes``, see ``rebuild.build``) and
    compares; returns (position, differences)."""
    conn = await asyncpg.connect(url)
    scratch = target.named(f"{target.schema}_verify")
    try:
        if not await store.exists(conn, target.schema):
            raise LookupError(f"There are no read tables in {target.schema!r} yet: run `hrh rebuild` first.")
        await runner.lock(conn, scratch.schema)
        await conn.execute(f"DROP SCHEMA IF EXISTS {quoted(scratch.schema)} CASCADE")
        live_position = (await store.tracking(conn, target.schema))["position"]
        await build(url, conn, scratch, until=live_position, processes=processes, indexes=False)
        differences = []
        for table in store.TABLES:
            difference = await compare(conn, target.schema, scratch.schema, table)
            if difference is not None:
                differences.append(difference)
        return live_position, differences
    finally:
        await conn.execute(f"DROP SCHEMA IF EXISTS {quoted(scratch.schema)} CASCADE")
        await conn.close()
