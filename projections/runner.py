"""The runner: reads the ledger in order, in batches, and keeps the read tables up to date.

Each batch's rows and the tracking position are written in one transaction, so a crash at any
point leaves the tables at some batch boundary and the next run resumes from there: nothing is
counted twice or skipped. One runner per schema at a time holds an advisory lock; another one
waits for it. The runner wakes on the ledger's NOTIFY and also polls, so a lost notification
only delays it.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

import asyncpg

from projections import ledger_reader, state, store, table_writes
from projections.collector import without_collector
from projections.naming import NAME, quoted
from projections.projector import Projector
from projections.shards import Shard
from projections.store import Target

log = logging.getLogger(__name__)

BATCH = 5000
POLL_SECONDS = 0.5
# Live runners forget the workers they hold past this many, and reload them on demand.
WORKER_CACHE = 50_000

Progress = Callable[[int, int], None]  # (position reached, events in the batch)


class StaleState(Exception):
    """Raised when the tables moved on without this runner (a rebuild was swapped in)."""


def lock_key(schema: str) -> str:
    return f"hrh.projections.{schema}"


async def lock(conn: asyncpg.Connection, schema: str) -> None:
    """Waits for, then holds, the one-runner-per-schema advisory lock (for the session)."""
    await conn.execute("SELECT pg_advisory_lock(hashtext($1))", lock_key(schema))


class NoLedger(LookupError):
    """Raised when the database holds no ledger to project."""


async def open_projector(conn: asyncpg.Connection, target: Target) -> Projector:
    """The projector for ``target``'s tables, creating them (empty) when they do not exist.

    Raises:
        NoLedger: the database has no ledger events table.
    """
    if not await store.ledger_exists(conn, target.events_table):
        raise NoLedger("This database holds no ledger yet: record some events first (hrh demo, hrh import-log).")
    if not await store.exists(conn, target.schema):
        async with conn.transaction():
            await store.create(conn, target.schema, with_indexes=True)
        return Projector()
    return await state.load(conn, target.schema)


async def catch_up(
    conn: asyncpg.Connection,
    target: Target,
    projector: Projector,
    *,
    batch: int = BATCH,
    until: int | None = None,
    progress: Progress | None = None,
    functions: bool = True,
    announce: str | None = None,
    shard: Shard | None = None,
) -> int:
    """Projects every event recorded after the projector's position; returns the position reached.

    Without ``functions`` (a rebuild, whose projector holds every worker), the staffing and flow
    functions are not kept up to date batch by batch: the caller derives them once from the
    workers at the end, in memory (``Projector.derive_functions``), and writes them
    (``function_tables.write_functions``). With ``announce``, each batch's
    transaction NOTIFYs its position on that channel, delivered when it commits. A ``shard`` of a
    split build reads and writes only its own (``projections.shards``), on its own tracking row.

    Raises:
        StaleState: the tracking row is not where this projector left it.
    """
    if projector.generation is None:  # later calls check the tracking row in each batch's transaction
        track = await store.tracking(conn, target.schema, shard)
        if track["position"] != projector.position:
            raise StaleState(f"{target.schema} is at {track['position']}, this runner at {projector.position}")
        projector.generation = track["generation"]
    generation = projector.generation
    projector.deferred = not functions
    only = None if shard is None else shard.reads()
    while until is None or projector.position < until:
        started_at = projector.position
        if only is None:
            items = await ledger_reader.read_events(conn, target.events_table, started_at, batch, until)
            if not items:
                break
            events = [item for item in items if not isinstance(item, int)]
            last, count = items[-1], len(items)
            reached = last if isinstance(last, int) else last.position
        else:  # a shard reads the ledger a span of positions at a time: its share of ``batch`` events, roughly
            assert shard is not None and until is not None, "a shard builds up to a given position"
            reached = min(started_at + batch * shard.count, until)
            events = await ledger_reader.read_range(conn, target.events_table, started_at, reached, only)
            count = len(events)
        needed = projector.workers_needed(events)
        if needed is None or needed:
            await state.load_workers(conn, target.schema, projector, needed)
        projector.apply(events)
        projector.position = reached
        writes = projector.take()
        if shard is not None:
            shard.keep(writes, *projector.org_rectangles())
        async with conn.transaction():
            # The tracking row first: it stays locked until the batch commits, and tables swapped
            # in by a rebuild meanwhile are never written to.
            if not await table_writes.advance(
                conn, target.schema, projector, since=started_at, generation=generation, announce=announce, shard=shard
            ):
                raise StaleState(f"{target.schema} moved on without this runner during a batch")
            await table_writes.write(conn, target.schema, projector, writes, functions=functions)
        if progress is not None:
            progress(projector.position, count)
        if not projector.complete and len(projector.workers) > WORKER_CACHE:
            projector.workers.clear()
        if only is None and count < batch:  # that was the last of the ledger; a caller woken since reads again
            break
    return projector.position


def channel_of(events_table: str) -> str:
    """The channel the ledger NOTIFYs on: its events table's name."""
    return events_table.rpartition(".")[2].strip('"')


def projected_channel(schema: str) -> str:
    """The channel an announcing runner NOTIFYs the position it committed on."""
    return f"{schema}.projected"


async def run(
    url: str, target: Target, stop: asyncio.Event, *, poll: float = POLL_SECONDS, announce: bool = False
) -> None:
    """Keeps ``target``'s tables live until ``stop`` is set; reconnects after a lost connection.

    With ``announce``, each position committed is NOTIFYed on ``projected_channel``, so that
    servers in other processes can wake the requests waiting for it (``api.projecting``).
    A database without a ledger yet is looked at again each second.
    """
    delay = 1.0
    while not stop.is_set():
        wait = delay
        try:
            await _run(url, target, stop, poll, announce)
        except NoLedger as nothing:  # expected on a new database
            log.warning("%s Waiting for it.", nothing)
            wait = 1.0
        except (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError) as error:
            log.warning("projection runner lost its connection (%s); retrying in %.0f s", error, delay)
            delay = min(delay * 2, 60.0)
        except Exception:
            # A bug or bad data: say so loudly and try again (from the tables), slower each time.
            log.exception("projection runner failed; retrying in %.0f s", delay)
            delay = min(delay * 2, 60.0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=wait)


async def _run(url: str, target: Target, stop: asyncio.Event, poll: float, announce: bool) -> None:
    conn = await asyncpg.connect(url)
    try:
        await lock(conn, target.schema)
        wake = asyncio.Event()
        await conn.add_listener(channel_of(target.events_table), lambda *_: wake.set())
        with without_collector():  # every unit's functions: left out of later collections
            projector = await open_projector(conn, target)
        channel = projected_channel(target.schema) if announce else None
        while not stop.is_set():
            wake.clear()
            try:
                await catch_up(conn, target, projector, announce=channel)
            except StaleState as stale:
                log.info("reloading: %s", stale)
                with without_collector():
                    projector = await open_projector(conn, target)
                continue
            waiter = asyncio.ensure_future(wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait({waiter, stopper}, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
            for task in (waiter, stopper):
                task.cancel()
    finally:
        with contextlib.suppress(Exception):
            await conn.close()


async def position(conn: asyncpg.Connection | asyncpg.Pool, schema: str) -> int:
    value = await conn.fetchval(f"SELECT position FROM {quoted(schema)}.tracking WHERE name = $1", NAME)
    return int(value or 0)


async def wait_for(pool: asyncpg.Pool, schema: str, target_position: int, timeout: float) -> bool:
    """Waits until the read tables include ``target_position``, reading the tracking row every
    10 ms; False on timeout. Servers wake on the runner's announcements instead (``api.projecting``)."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(asyncpg.UndefinedTableError):  # not built yet
            if await position(pool, schema) >= target_position:
                return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        await asyncio.sleep(min(remaining, 0.01))
