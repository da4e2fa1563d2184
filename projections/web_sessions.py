"""The web pages' sessions and the failed sign-ins that limit how often a name or an address may try.

Both live in the accounts' schema (``projections/accounts.py`` creates the tables), so that every
server process sees the same sessions and counts the same failures. A session is stored by the
SHA-256 of its id, never the id itself. Every moment is the database's clock, shared by all the
processes.

A sign-in attempt is counted as a failure *before* its password is checked, under a lock on its
name and one on its address, and forgiven when the password is right: so that many attempts sent
at once cannot all pass the count before any of them is recorded.
"""

from dataclasses import dataclass
from datetime import timedelta

import asyncpg

from projections.accounts import SCHEMA

SESSIONS = f"{SCHEMA}.web_sessions"
FAILURES = f"{SCHEMA}.sign_in_failures"
USERS = f"{SCHEMA}.users"
NAME_LOCKS, ADDRESS_LOCKS = 0x68726E, 0x687261  # "hrn", "hra": advisory lock classes, one per counted key
TOUCH_EVERY = timedelta(minutes=1)  # a session's last_seen_at is written at most this often
MAX_SESSION_HOURS = 168  # the longest absolute lifetime the settings may give; older sessions are removed


@dataclass(frozen=True, slots=True)
class AttemptLimits:
    """How many failed sign-ins a name, and an address, may have within ``window``."""

    per_name: int
    per_address: int
    window: timedelta


class TooManyFailures(Exception):
    """Raised when a name or an address has had as many failed sign-ins as the limits allow
    within their window; ``retry_after`` is how many seconds until one more is allowed."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class SessionRow:
    """A live session: whose it is, as their account reads now, and its CSRF token."""

    user_name: str
    role: str
    scope_code: str | None
    csrf_token: str


async def begin_attempt(pool: asyncpg.Pool, name_key: str, address: str, limits: AttemptLimits) -> int:
    """Counts a sign-in attempt as failed, until :func:`forgive` says otherwise; returns its id.

    Raises:
        TooManyFailures: the name or the address has used up its failures; nothing is recorded.
    """
    async with pool.acquire() as conn, conn.transaction():
        # Names first, then addresses: two attempts never wait on each other's locks in a cycle.
        await conn.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", NAME_LOCKS, name_key)
        await conn.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", ADDRESS_LOCKS, address)
        await conn.execute(f"DELETE FROM {FAILURES} WHERE failed_at <= now() - $1::interval", limits.window)
        waits = [
            await wait_for(conn, "name_key", name_key, limits.per_name, limits.window),
            await wait_for(conn, "address", address, limits.per_address, limits.window),
        ]
        longest = max((w for w in waits if w is not None), default=None)
        if longest is not None:
            raise TooManyFailures(longest)
        attempt: int = await conn.fetchval(
            f"INSERT INTO {FAILURES} (name_key, address) VALUES ($1, $2) RETURNING id", name_key, address
        )
    return attempt


async def wait_for(conn: asyncpg.Connection, column: str, key: str, limit: int, window: timedelta) -> int | None:
    """Seconds until the key has fewer than ``limit`` failures within ``window``; None when it has already.

    The ``limit``-th most recent failure is the one whose leaving the window lets one more attempt in.
    """
    seconds: int | None = await conn.fetchval(
        f"SELECT greatest(1, ceil(extract(epoch FROM failed_at + $3::interval - now())))::int FROM {FAILURES} "
        f"WHERE {column} = $1 AND failed_at > now() - $3::interval ORDER BY failed_at DESC OFFSET $2 LIMIT 1",
        key,
        limit - 1,
        window,
    )
    return seconds


async def forgive(pool: asyncpg.Pool, attempt: int, name_key: str) -> None:
    """The attempt ``attempt`` succeeded: it is no failure, and the name's earlier failures are forgotten.

    The address's failures stay: a right password for one name says nothing of the other names tried from there.
    """
    await pool.execute(f"DELETE FROM {FAILURES} WHERE id = $1 OR name_key = $2", attempt, name_key)


async def open_session(
    pool: asyncpg.Pool, id_hash: str, user_name: str, csrf_token: str, *, forget_after: timedelta
) -> None:
    """Stores a new session; sessions older than ``forget_after`` (whatever the settings) are removed."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"DELETE FROM {SESSIONS} WHERE created_at <= now() - $1::interval", forget_after)
        await conn.execute(
            f"INSERT INTO {SESSIONS} (id_hash, user_name, csrf_token) VALUES ($1, $2, $3)",
            id_hash,
            user_name,
            csrf_token,
        )


async def live_session(pool: asyncpg.Pool, id_hash: str, *, idle: timedelta, lifetime: timedelta) -> SessionRow | None:
    """The session stored as ``id_hash``, when it has been used within ``idle``, is younger than
    ``lifetime``, and its user is neither revoked nor expired; None otherwise.

    A live session's ``last_seen_at`` moves to now when it is older than :data:`TOUCH_EVERY`; a
    session found but not live is deleted. One statement does all three.
    """
    row = await pool.fetchrow(
        f"""
        WITH found AS (
            SELECT s.id_hash, s.csrf_token, s.last_seen_at, u.name, u.role, u.scope_code,
                   s.last_seen_at > now() - $2::interval AND s.created_at > now() - $3::interval
                   AND u.revoked_at IS NULL AND (u.expires_at IS NULL OR u.expires_at > now()) AS live
            FROM {SESSIONS} s JOIN {USERS} u ON u.name = s.user_name
            WHERE s.id_hash = $1
        ), touched AS (
            UPDATE {SESSIONS} s SET last_seen_at = now() FROM found f
            WHERE s.id_hash = f.id_hash AND f.live AND f.last_seen_at <= now() - $4::interval
            RETURNING s.id_hash
        ), ended AS (
            DELETE FROM {SESSIONS} s USING found f WHERE s.id_hash = f.id_hash AND NOT f.live RETURNING s.id_hash
        )
        SELECT name, role, scope_code, csrf_token, live FROM found
        """,
        id_hash,
        idle,
        lifetime,
        TOUCH_EVERY,
    )
    if row is None or not row["live"]:
        return None
    return SessionRow(row["name"], row["role"], row["scope_code"], row["csrf_token"])


async def end_session(pool: asyncpg.Pool, id_hash: str) -> None:
    """Deletes the session stored as ``id_hash``, if there is one."""
    await pool.execute(f"DELETE FROM {SESSIONS} WHERE id_hash = $1", id_hash)
