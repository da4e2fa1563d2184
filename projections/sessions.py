"""Who works on this database: the ``hrh`` processes connected to it, and whether a runner holds its lock.

Each ``hrh serve`` connects under an application name that says which process it is and where
it listens (``api.presence``); ``hrh project`` likewise. PostgreSQL lists every session with its
application name (``pg_stat_activity``), so any process can learn who else is there.
"""

import asyncpg

from projections import runner


async def named(conn: asyncpg.Connection, prefixes: tuple[str, ...]) -> list[str]:
    """The application names, starting with one of ``prefixes``, of the other sessions on this database."""
    rows = await conn.fetch(
        "SELECT DISTINCT application_name FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name LIKE ANY($1) "
        "ORDER BY application_name",
        [prefix.replace("%", r"\%").replace("_", r"\_") + "%" for prefix in prefixes],
    )
    return [str(row["application_name"]) for row in rows]


async def runner_running(conn: asyncpg.Connection | asyncpg.Pool, schema: str) -> bool:
    """Whether a projection runner holds ``schema``'s one-runner lock (``projections.runner.lock``) now."""
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND ((classid::bigint << 32) | objid::bigint) = hashtext($1)::bigint)",
            runner.lock_key(schema),
        )
    )


async def try_lock(conn: asyncpg.Connection, schema: str) -> bool:
    """Takes ``schema``'s one-runner lock for the session if no runner holds it; False if one does."""
    return bool(await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", runner.lock_key(schema)))
