"""Catching the read tables up with the ledger before a server opens, so that it never answers stale figures.

After ``hrh import-log``, or a server that was down while others recorded, the read tables lag
the ledger. ``hrh serve`` catches them up first, with progress, and opens its port after: its
first answer is as current as its last. When another runner holds the tables' lock (another
server on the same database, or ``hrh project``), that runner keeps them current: the server
waits until it has reached the ledger's head, showing its progress.
"""

import asyncio

import asyncpg

from projections import runner, sessions, store
from projections.store import Target
from replay.rebuild import ProgressFactory

FOLLOW_SECONDS = 0.2


async def catch_up(url: str, target: Target, progress: ProgressFactory | None = None) -> int:
    """Brings ``target``'s existing read tables up to the ledger's head; returns the position reached.

    Tables already there are left without loading the projector's state, which grows with the ledger: an
    export's process would otherwise hold it all for nothing (docs/performance.md, "Exports at scale 1").
    """
    conn = await asyncpg.connect(url)
    try:
        head = await store.head(conn, target.events_table)
        if not await sessions.try_lock(conn, target.schema):
            return await _follow(conn, target, head, progress)
        if await store.exists(conn, target.schema):
            reached = int((await store.tracking(conn, target.schema))["position"])
            if reached >= head:  # nothing to project: the projector's state, which grows with the ledger, unread
                return reached
        projector = await runner.open_projector(conn, target)
        advance = progress(projector.position, head) if progress is not None and head > projector.position else None
        return await runner.catch_up(conn, target, projector, progress=advance)
    finally:
        await conn.close()


async def _follow(conn: asyncpg.Connection, target: Target, head: int, progress: ProgressFactory | None) -> int:
    """Waits until the runner that holds the lock has projected up to ``head``."""
    reached = await runner.position(conn, target.schema)
    advance = progress(reached, head) if progress is not None and head > reached else None
    while reached < head:
        await asyncio.sleep(FOLLOW_SECONDS)
        reached = await runner.position(conn, target.schema)
        if advance is not None:
            advance(reached, 0)
    return reached
