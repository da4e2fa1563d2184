"""Reads that all see one ledger position: an export that writes as it reads (the FHIR Bundle) cannot read
again when the read tables move under it, so every query it runs goes to one connection inside one
``REPEATABLE READ, READ ONLY`` transaction: a PostgreSQL snapshot, taken at its first statement.

The connection comes from the pool queries read from now (``Services.read_pool``): the primary's, or a
streaming replica's, where a repeatable-read snapshot works as well (a hot standby runs read-only
transactions). Only the pool's choice changes: the queries, the resolvers and the access rules are those of
any other read (``api.operations``).

A GraphQL document resolves its fields concurrently (each DataLoader sends its batch on its own), and a
connection runs one statement at a time, so the snapshot takes the statements in turn.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields
from typing import Any

import asyncpg

from api.graphql.context import Services


class Snapshot:
    """One connection in a snapshot transaction, standing in for a pool: the statements the read queries send
    (``fetch``, ``fetchrow``, ``fetchval``, ``execute``), one at a time."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self.turn = asyncio.Lock()

    async def fetch(self, query: str, *args: Any, timeout: float | None = None) -> list[Any]:
        async with self.turn:
            return list(await self.conn.fetch(query, *args, timeout=timeout))

    async def fetchrow(self, query: str, *args: Any, timeout: float | None = None) -> Any:
        async with self.turn:
            return await self.conn.fetchrow(query, *args, timeout=timeout)

    async def fetchval(self, query: str, *args: Any, column: int = 0, timeout: float | None = None) -> Any:
        async with self.turn:
            return await self.conn.fetchval(query, *args, column=column, timeout=timeout)

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:
        async with self.turn:
            return str(await self.conn.execute(query, *args, timeout=timeout))


@dataclass
class PinnedServices(Services):
    """Services whose queries all read one snapshot; everything else (the primary for accounts, the ledger)
    is the app's."""

    snapshot: Snapshot | None = None

    def read_pool(self) -> asyncpg.Pool:
        """The snapshot, which answers the calls the read queries make on a pool."""
        return self.snapshot if self.snapshot is not None else super().read_pool()


@asynccontextmanager
async def one_snapshot(services: Services) -> AsyncIterator[Services]:
    """``services`` whose reads all see the read tables as they were at the first read, until the block ends.

    A long snapshot holds back vacuum on the primary, and on a replica it may be cancelled by the replay of a
    vacuum (``max_standby_streaming_delay``): the reader then gets the error, as any query would.
    """
    async with services.read_pool().acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        given = {f.name: getattr(services, f.name) for f in fields(services)}
        yield PinnedServices(**given, snapshot=Snapshot(conn))
