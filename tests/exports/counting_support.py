"""A pool that counts the SQL statements an export sends, through it or the connections it lends (the FHIR
export reads one snapshot, on a connection it takes from the pool)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

STATEMENTS = ("fetch", "fetchrow", "fetchval", "execute")


class CountingConnection:
    """A connection that counts the statements sent through it into ``counter``."""

    def __init__(self, conn: Any, counter: "CountingPool") -> None:
        self.conn, self.counter = conn, counter

    def __getattr__(self, name: str) -> Any:
        if name in STATEMENTS:
            self.counter.statements += 1
        return getattr(self.conn, name)


class CountingPool:
    """A pool that counts the statements sent through it or its connections (asyncpg's Pool has slots: it
    cannot be patched)."""

    def __init__(self, pool: Any) -> None:
        self.pool, self.statements = pool, 0

    def __getattr__(self, name: str) -> Any:
        found = getattr(self.pool, name)
        if name in STATEMENTS:
            self.statements += 1
        return found

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[CountingConnection]:
        async with self.pool.acquire() as conn:
            yield CountingConnection(conn, self)
