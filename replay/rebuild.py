"""Rebuilding the read tables from position 0, without downtime, and resumably.

The rebuild fills a shadow schema beside the live one, batch by batch with its own tracking
row, then adds the indexes and renames the shadow into place in one transaction: readers see
the old tables until that moment and the new ones after it. Killed at any point, the next run
finds the shadow schema and resumes from its tracking position.

Each batch commits its rows with the tracking position; only the staffing and flow functions,
which are as known now and rewritten whenever they change, wait for the end: they are written
once, from memory, after the last batch. A resumed rebuild derives them again from the worker
rectangles of the batches already committed (``state.load(..., functions=False)``).
"""

import asyncio
from collections.abc import Callable

import asyncpg

from projections import runner, state, store
from projections.collector import without_collector
from projections.projector import Projector
from projections.store import Target

BATCH = 20_000
ProgressFactory = Callable[[int, int], runner.Progress]  # (start, end) → per-batch callback


async def build(
    conn: asyncpg.Connection, indexer: asyncpg.Connection, target: Target, *, progress: ProgressFactory | None = None
) -> int:
    """Builds (or resumes building) ``target.schema`` up to the ledger's head; returns the position.

    The indexes are built at the end on ``indexer``, a second connection, while the staffing and
    flow functions are written on ``conn``: PostgreSQL builds them while Python packs the pieces.

    Raises:
        NoLedger: the database has no ledger events table.
    """
    if not await store.ledger_exists(conn, target.events_table):
        raise runner.NoLedger("This database holds no ledger yet: record some events first (hrh demo, hrh import-log).")
    projector: Projector | None = None
    if await store.exists(conn, target.schema):
        try:
            with without_collector():
                projector = await state.load(conn, target.schema, functions=False)
        except store.OutdatedReadTables:  # left by an older version: start again
            await conn.execute(f"DROP SCHEMA {store.quoted(target.schema)} CASCADE")
    if projector is None:
        async with conn.transaction():
            await store.create(conn, target.schema, with_indexes=False)
        projector = Projector()
    end = await store.head(conn, target.events_table)
    callback = progress(projector.position, end) if progress is not None else None
    with without_collector():
        reached = await runner.catch_up(
            conn, target, projector, batch=BATCH, until=end, progress=callback, functions=False
        )

        async def write_functions() -> None:
            async with conn.transaction():
                await store.write_functions(conn, target.schema, projector, everything=True)

        async def add_indexes() -> None:
            async with indexer.transaction():
                await store.add_indexes(indexer, target.schema, analyze=False)

        await asyncio.gather(write_functions(), add_indexes())
    await store.analyze_tables(conn, target.schema)
    return reached


async def rebuild(url: str, target: Target, *, progress: ProgressFactory | None = None) -> int:
    """Rebuilds ``target``'s tables into its shadow schema, then swaps them in."""
    conn = await asyncpg.connect(url)
    indexer = await asyncpg.connect(url)
    try:
        shadow = target.shadow
        await runner.lock(conn, shadow.schema)
        reached = await build(conn, indexer, shadow, progress=progress)
        await swap(conn, shadow.schema, target.schema)
        return reached
    finally:
        await indexer.close()
        await conn.close()


async def swap(conn: asyncpg.Connection, shadow: str, live: str) -> None:
    """Puts the shadow tables in place of the live ones, in one transaction."""
    old = store.quoted(f"{live}_old")
    async with conn.transaction():
        await conn.execute(f"DROP SCHEMA IF EXISTS {old} CASCADE")
        if await store.exists(conn, live):
            await conn.execute(f"ALTER SCHEMA {store.quoted(live)} RENAME TO {old}")
        await conn.execute(f"ALTER SCHEMA {store.quoted(shadow)} RENAME TO {store.quoted(live)}")
        await conn.execute(f"DROP SCHEMA IF EXISTS {old} CASCADE")


def run(url: str, target: Target, *, progress: ProgressFactory | None = None) -> int:
    return asyncio.run(rebuild(url, target, progress=progress))
