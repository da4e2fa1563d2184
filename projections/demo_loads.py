"""The mark ``hrh demo`` leaves on a ledger it loads: begun before the first event, finished after the last.

A ledger whose mark is begun but not finished holds an interrupted load, which must never pass
for the whole demo; a ledger without a mark was not loaded by the demo, and gets no demo users.
Like the accounts, the mark lives in a plain table beside the ledger (``hrh_demo.load``), outside
the read-model schema that rebuilds replace.
"""

from dataclasses import dataclass
from datetime import datetime

import asyncpg

SCHEMA = "hrh_demo"


@dataclass(frozen=True, slots=True)
class DemoLoad:
    seed: int
    scale: float
    started_at: datetime
    finished_at: datetime | None


async def ensure_table(conn: asyncpg.Connection) -> None:
    await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    await conn.execute(
        f"CREATE TABLE IF NOT EXISTS {SCHEMA}.load (one boolean PRIMARY KEY DEFAULT true CHECK (one), "
        "seed bigint NOT NULL, scale double precision NOT NULL, "
        "started_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz)"
    )


async def mark(conn: asyncpg.Connection) -> DemoLoad | None:
    """The ledger's demo mark, if the demo loaded it (or began to)."""
    if not await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{SCHEMA}.load"):
        return None
    row = await conn.fetchrow(f"SELECT seed, scale, started_at, finished_at FROM {SCHEMA}.load")
    return DemoLoad(row["seed"], row["scale"], row["started_at"], row["finished_at"]) if row else None


async def begin(conn: asyncpg.Connection, seed: int, scale: float) -> None:
    """Marks the ledger as being loaded by the demo (replacing any earlier mark)."""
    await ensure_table(conn)
    async with conn.transaction():
        await conn.execute(f"DELETE FROM {SCHEMA}.load")
        await conn.execute(f"INSERT INTO {SCHEMA}.load (seed, scale) VALUES ($1, $2)", seed, scale)


async def finish(conn: asyncpg.Connection) -> None:
    """Marks the demo's load as complete."""
    await conn.execute(f"UPDATE {SCHEMA}.load SET finished_at = now()")
