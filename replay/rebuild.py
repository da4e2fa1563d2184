"""Rebuilding the read tables from position 0, without downtime, and resumably.

The rebuild fills a shadow schema beside the live one, batch by batch with its own tracking
row, then adds the indexes and renames the shadow into place in one transaction: readers see
the old tables until that moment and the new ones after it. Killed at any point, the next run
finds the shadow schema and resumes from its tracking position.

Each batch commits its rows with the tracking position; only the staffing and flow functions,
which are as known now and rewritten whenever they change, wait for the end: they are written
once, from memory, after the last batch. A resumed rebuild derives them again from the worker
rectangles of the batches already committed (``state.load(..., functions=False)``).

On a machine with two cores, a large ledger is projected by two child processes, each with its
share of the workers (``replay.split``); they then write the functions between them, each the
units it owns.
"""

import asyncio
from collections.abc import Callable

import asyncpg

from projections import function_tables, runner, shards, state, store
from projections.collector import without_collector
from projections.naming import quoted
from projections.projector import Projector
from projections.store import Target
from replay import split

# Events a batch (positions a split build's span, times its processes): the larger, the fewer
# rectangles a later batch closes (``store.PENDING``); a kill loses at most a batch a process.
BATCH = 80_000
ProgressFactory = Callable[[int, int], runner.Progress]  # (start, end) → per-batch callback


async def build(
    url: str,
    conn: asyncpg.Connection,
    target: Target,
    *,
    until: int | None = None,
    progress: ProgressFactory | None = None,
    processes: int | None = None,
    indexes: bool = True,
    batch: int = BATCH,
    notice: Callable[[str], None] | None = None,
) -> int:
    """Builds (or resumes building) ``target.schema`` up to ``until`` (the ledger's head); returns the position.

    A new build of a large ledger is split between processes (``replay.split``; ``processes``
    chooses how many), a split build resumes split. With ``indexes``, the tables are indexed and
    analysed on three more connections as soon as every batch is in, while the staffing and flow
    functions are derived and written (on ``conn``, or by a split build's children): PostgreSQL
    builds the indexes while Python works. ``notice`` is told when the memory available chose
    how many processes (``split.plan``).

    Raises:
        NoLedger: the database has no ledger events table.
    """
    if not await store.ledger_exists(conn, target.events_table):
        raise runner.NoLedger("This database holds no ledger yet: record some events first (hrh demo, hrh import-log).")
    end = until if until is not None else await store.head(conn, target.events_table)
    projector, split_positions = await _open(conn, target, end, processes, notice)
    indexers: list[asyncio.Future[None]] = []

    def finish_tables() -> None:  # every batch is in
        indexers.extend(asyncio.ensure_future(_finish_tables(url, target.schema, group, indexes)) for group in INDEXED)

    try:
        if projector is not None:
            callback = progress(projector.position, end) if progress is not None else None
            with without_collector():
                await runner.catch_up(
                    conn, target, projector, batch=batch, until=end, progress=callback, functions=False
                )
                finish_tables()
                await asyncio.get_running_loop().run_in_executor(None, projector.derive_functions)
                async with conn.transaction():
                    await function_tables.write_functions(conn, target.schema, projector.units, everything=True)
                    if indexes:
                        await store.add_indexes(conn, target.schema, tables=store.FUNCTION_TABLES)
            await asyncio.gather(*indexers)
            await store.drop_pending(conn, target.schema)
        else:
            callback = progress(min(split_positions), end) if progress is not None else None
            await split.project(conn, url, target, end, batch, callback, written=finish_tables)
            if indexes:  # the children wrote the functions: their keys, one connection each
                indexers.extend(
                    asyncio.ensure_future(_finish_tables(url, target.schema, (table,), indexes))
                    for table in store.FUNCTION_TABLES
                )
            await asyncio.gather(*indexers)
            async with conn.transaction():
                await store.drop_pending(conn, target.schema)
                await shards.finish(conn, target.schema, end)
    except BaseException:  # the build stops: so do its index builds (the next run does them again)
        for task in indexers:
            task.cancel()
        await asyncio.gather(*indexers, return_exceptions=True)
        raise
    if callback is not None:
        callback(end, 0)
    return end


async def _open(
    conn: asyncpg.Connection, target: Target, end: int, processes: int | None, notice: Callable[[str], None] | None
) -> tuple[Projector | None, list[int]]:
    """The build to go on with: a one-process projector, or else the shards' positions (a split build).

    An unfinished build is resumed as it was started; a new one is split by ``split.processes_for``.
    """
    if await store.exists(conn, target.schema):
        try:
            await store.tracking(conn, target.schema)  # refuses tables of another version
            split_positions = await shards.positions(conn, target.schema)
            if split_positions:
                return None, split_positions
            await store.resume_pending(conn, target.schema)  # the state loads from the open rectangles
            with without_collector():
                return await state.load(conn, target.schema, functions=False), []
        except store.OutdatedReadTables:  # left by an older version: start again
            await conn.execute(f"DROP SCHEMA {quoted(target.schema)} CASCADE")
    chosen = split.processes_for(end, processes)
    count = chosen.processes
    if chosen.note is not None and notice is not None:
        notice(chosen.note)
    async with conn.transaction():
        await store.create(conn, target.schema, with_indexes=False)
        if count > 1:
            await shards.create_rows(conn, target.schema, count)
    return (None, [0] * count) if count > 1 else (Projector(), [])


# The tables other than the functions, in three groups of about the same cost to close, index and
# analyse, each on a connection of its own (each table declares its group: ``projections.tables``).
INDEXED = tuple(store.GROUPED.values())


async def _finish_tables(url: str, schema: str, tables: tuple[str, ...], indexes: bool) -> None:
    """On a connection of its own, once every batch is in: closes the rectangles of ``tables``
    that later batches closed (``store.apply_pending``), then (with ``indexes``) builds the
    tables' indexes, updates the history rows that later batches showed anew (with ``events``,
    found by its key: ``store.apply_pending_shown``), and analyses the tables."""
    conn = await asyncpg.connect(url)
    try:
        await store.apply_pending(conn, schema, tables)
        if indexes:
            async with conn.transaction():
                await store.add_indexes(conn, schema, tables=tables, analyze=False)
        if "events" in tables:
            await store.apply_pending_shown(conn, schema)
        if indexes:
            await store.analyze_tables(conn, schema, tables)
    finally:
        await conn.close()


async def rebuild(
    url: str,
    target: Target,
    *,
    progress: ProgressFactory | None = None,
    processes: int | None = None,
    batch: int = BATCH,
    notice: Callable[[str], None] | None = None,
) -> int:
    """Rebuilds ``target``'s tables into its shadow schema, then swaps them in (``notice``: see ``build``)."""
    conn = await asyncpg.connect(url)
    try:
        shadow = target.shadow
        await runner.lock(conn, shadow.schema)
        reached = await build(url, conn, shadow, progress=progress, processes=processes, batch=batch, notice=notice)
        await swap(conn, shadow.schema, target.schema)
        return reached
    finally:
        await conn.close()


async def swap(conn: asyncpg.Connection, shadow: str, live: str) -> None:
    """Puts the shadow tables in place of the live ones, in one transaction, then drops the old ones.

    The transaction renames the two schemas, once no runner's batch is writing to the live
    tables: it holds their tracking row's table in SHARE mode, which waits for the batches under
    way (each one writes its tracking row first) and holds back the next ones, which then find
    the new tables' tracking row and stop (``runner.StaleState``). Readers wait for none of
    it. The old tables are dropped after the commit, once the readers still inside them are done;
    from the commit on, every new statement reads the new tables. A swap stopped before that drop
    leaves the old schema, which the next swap drops first.
    """
    old = quoted(f"{live}_old")
    await conn.execute(f"DROP SCHEMA IF EXISTS {old} CASCADE")
    async with conn.transaction():
        if await store.exists(conn, live):
            await conn.execute(f"LOCK TABLE {quoted(live)}.tracking IN SHARE MODE")
            await conn.execute(f"ALTER SCHEMA {quoted(live)} RENAME TO {old}")
        await conn.execute(f"ALTER SCHEMA {quoted(shadow)} RENAME TO {quoted(live)}")
    await conn.execute(f"DROP SCHEMA IF EXISTS {old} CASCADE")
