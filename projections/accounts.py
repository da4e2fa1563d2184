"""Users: names, roles, scopes, hashed tokens and passwords, with their expiry and revocation.

Users are configuration of the service, not workforce history, so they live in a plain table
(``hrh_accounts.users``) beside the ledger and outside the read-model schema that rebuilds
replace. Tokens are random and only their SHA-256 is stored. A token expires a set number of
days after it is issued, and renewing the user gives them a new one; a revoked user's token is
refused from then on, and the row stays, so that the name is not given to anyone else. A user
may also have a password, for the web pages; only its argon2id hash is stored
(``password_hash``), and a user without one signs in by token only.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import asyncpg

SCHEMA = "hrh_accounts"
LOCK = 0x68726875  # "hrhu": serialises the creation of users, whose names are unique without regard to case
DEFAULT_TOKEN_DAYS = 90  # HRH_TOKEN_DAYS by default; also the lifetime given to tokens issued before tokens expired


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    role: str
    scope_code: str | None
    created_at: datetime | None = None
    created_by: str | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    expired: bool = False
    """Whether ``expires_at`` had passed when the account was read (by the database's clock)."""
    has_password: bool = False

    @property
    def status(self) -> str:
        return "revoked" if self.revoked_at is not None else "expired" if self.expired else "active"


class AccountExists(Exception):
    """Raised when a user of that name, or of the same name in another case, already exists."""


class AccountRevoked(Exception):
    """Raised when a revoked user is to be renewed: a revocation is final, and the name stays taken."""

    def __init__(self, revoked: Account) -> None:
        super().__init__(f"{revoked.name} was revoked")
        self.account = revoked


COLUMNS = (
    "name, role, scope_code, created_at, created_by, expires_at, revoked_at, expires_at <= now() AS expired, "
    "password_hash IS NOT NULL AS has_password"
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def ensure_table(conn: asyncpg.Connection) -> None:
    """Creates the accounts' tables, or brings older ones up to date; several processes may call it at once."""
    async with conn.transaction():
        # Concurrent CREATE ... IF NOT EXISTS can still collide in the catalogue: one at a time.
        await conn.execute("SELECT pg_advisory_xact_lock($1)", LOCK)
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        await conn.execute(
            f"CREATE TABLE IF NOT EXISTS {SCHEMA}.users (name text PRIMARY KEY, role text NOT NULL, scope_code text, "
            "token_hash text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now(), created_by text)"
        )
        columns = {
            r["column_name"]
            for r in await conn.fetch(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'users'",
                SCHEMA,
            )
        }
        if not {"expires_at", "revoked_at"} <= columns:
            # A table from before tokens expired: its tokens expire DEFAULT_TOKEN_DAYS after their creation.
            await conn.execute(
                f"ALTER TABLE {SCHEMA}.users ADD COLUMN IF NOT EXISTS expires_at timestamptz, "
                "ADD COLUMN IF NOT EXISTS revoked_at timestamptz"
            )
            await conn.execute(
                f"UPDATE {SCHEMA}.users SET expires_at = created_at + make_interval(days => $1) "
                "WHERE expires_at IS NULL",
                DEFAULT_TOKEN_DAYS,
            )
        if "password_hash" not in columns:
            # A table from before the web pages: its users sign in by token only until given a password.
            await conn.execute(f"ALTER TABLE {SCHEMA}.users ADD COLUMN IF NOT EXISTS password_hash text")
        await ensure_sign_in_tables(conn)


async def ensure_sign_in_tables(conn: asyncpg.Connection) -> None:
    """The web pages' sessions and the failed sign-ins (``projections/web_sessions.py`` reads and writes them)."""
    await conn.execute(
        f"CREATE TABLE IF NOT EXISTS {SCHEMA}.web_sessions (id_hash text PRIMARY KEY, "
        f"user_name text NOT NULL REFERENCES {SCHEMA}.users (name) ON DELETE CASCADE, csrf_token text NOT NULL, "
        "created_at timestamptz NOT NULL DEFAULT now(), last_seen_at timestamptz NOT NULL DEFAULT now())"
    )
    await conn.execute(f"CREATE INDEX IF NOT EXISTS web_sessions_user ON {SCHEMA}.web_sessions (user_name)")
    await conn.execute(
        f"CREATE TABLE IF NOT EXISTS {SCHEMA}.sign_in_failures (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
        "name_key text NOT NULL, address text NOT NULL, failed_at timestamptz NOT NULL DEFAULT now())"
    )
    for column in ("name_key", "address"):
        await conn.execute(
            f"CREATE INDEX IF NOT EXISTS sign_in_failures_{column} ON {SCHEMA}.sign_in_failures ({column}, failed_at)"
        )


async def create(
    conn: asyncpg.Connection,
    name: str,
    role: str,
    scope_code: str | None,
    created_by: str,
    *,
    token_days: int,
    password_hash: str | None = None,
) -> tuple[Account, str]:
    """Creates a user; returns it with its token (shown once, stored hashed), valid ``token_days`` days.

    ``password_hash`` (argon2id) lets the user sign in to the web pages; without it, tokens only.

    Raises:
        AccountExists: a user of that name exists, in whatever case, revoked or not.
    """
    await ensure_table(conn)
    token = secrets.token_urlsafe(32)
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", LOCK)
        taken = [n for n in await names(conn) if n.casefold() == name.casefold()]
        if taken:
            raise AccountExists(f"A user named {taken[0]!r} exists already; names are unique whatever their case.")
        row = await conn.fetchrow(
            f"INSERT INTO {SCHEMA}.users (name, role, scope_code, token_hash, created_by, expires_at, password_hash) "
            "VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6), $7) "
            f"RETURNING {COLUMNS}",
            name,
            role,
            scope_code,
            token_hash(token),
            created_by,
            token_days,
            password_hash,
        )
    return account(row), token


async def reissue(
    conn: asyncpg.Connection,
    name: str,
    role: str,
    scope_code: str | None,
    *,
    token_days: int = DEFAULT_TOKEN_DAYS,
    password_hash: str | None = None,
) -> str:
    """Creates the user, or gives an existing one a new token and password, ending their web
    sessions (the demo's ready-made users)."""
    await ensure_table(conn)
    token = secrets.token_urlsafe(32)
    async with conn.transaction():
        await conn.execute(f"DELETE FROM {SCHEMA}.web_sessions WHERE user_name = $1", name)
        await conn.execute(
            f"INSERT INTO {SCHEMA}.users (name, role, scope_code, token_hash, created_by, expires_at, password_hash) "
            "VALUES ($1, $2, $3, $4, 'hrh demo', now() + make_interval(days => $5), $6) "
            "ON CONFLICT (name) DO UPDATE SET role = $2, scope_code = $3, token_hash = $4, "
            "expires_at = excluded.expires_at, revoked_at = NULL, password_hash = $6",
            name,
            role,
            scope_code,
            token_hash(token),
            token_days,
            password_hash,
        )
    return token


async def by_token(db: asyncpg.Connection | asyncpg.Pool, token: str) -> Account | None:
    """The account a token was issued to, revoked or expired or not; None when no account has it."""
    try:
        row = await db.fetchrow(f"SELECT {COLUMNS} FROM {SCHEMA}.users WHERE token_hash = $1", token_hash(token))
    except (asyncpg.UndefinedTableError, asyncpg.UndefinedColumnError):
        return None
    return account(row) if row else None


async def names(conn: asyncpg.Connection) -> list[str]:
    return [r["name"] for r in await conn.fetch(f"SELECT name FROM {SCHEMA}.users")]


async def listing(conn: asyncpg.Connection) -> list[Account]:
    """Every user, by name, without their token's hash."""
    await ensure_table(conn)
    return [account(r) for r in await conn.fetch(f"SELECT {COLUMNS} FROM {SCHEMA}.users ORDER BY lower(name), name")]


async def revoke(conn: asyncpg.Connection, name: str) -> Account | None:
    """Revokes the user named ``name`` (in whatever case), from now; returns the account as it is
    afterwards (revoked earlier, if it was), or None when there is no such user."""
    await ensure_table(conn)
    exact = await recorded_name(conn, name)
    if exact is None:
        return None
    row = await conn.fetchrow(
        f"UPDATE {SCHEMA}.users SET revoked_at = coalesce(revoked_at, now()) WHERE name = $1 RETURNING {COLUMNS}",
        exact,
    )
    return account(row) if row else None


async def renew(conn: asyncpg.Connection, name: str, *, token_days: int) -> tuple[Account, str] | None:
    """Gives the user named ``name`` (in whatever case) a new token, valid ``token_days`` days from
    now: their old token stops working and their web sessions end, so that they sign in again.
    Returns the account as it is afterwards and the token; None when there is no such user.

    Raises:
        AccountRevoked: the user is revoked.
    """
    await ensure_table(conn)
    exact = await recorded_name(conn, name)
    if exact is None:
        return None
    token = secrets.token_urlsafe(32)
    async with conn.transaction():
        row = await conn.fetchrow(
            f"UPDATE {SCHEMA}.users SET token_hash = $2, expires_at = now() + make_interval(days => $3) "
            f"WHERE name = $1 AND revoked_at IS NULL RETURNING {COLUMNS}",
            exact,
            token_hash(token),
            token_days,
        )
        if row is None:
            revoked = await conn.fetchrow(f"SELECT {COLUMNS} FROM {SCHEMA}.users WHERE name = $1", exact)
            if revoked is None:  # removed meanwhile: there is no such user
                return None
            raise AccountRevoked(account(revoked))
        await conn.execute(f"DELETE FROM {SCHEMA}.web_sessions WHERE user_name = $1", exact)
    return account(row), token


async def recorded_name(conn: asyncpg.Connection, name: str) -> str | None:
    """The name as recorded of the user named ``name`` in whatever case; None when there is none."""
    found = [n for n in await names(conn) if n.casefold() == name.casefold()]
    return name if name in found else found[0] if found else None


async def set_password(conn: asyncpg.Connection, name: str, password_hash: str) -> Account | None:
    """Gives the user named ``name`` (in whatever case) a new password hash and ends their web
    sessions; None when there is no such user."""
    await ensure_table(conn)
    exact = await recorded_name(conn, name)
    if exact is None:
        return None
    async with conn.transaction():
        row = await conn.fetchrow(
            f"UPDATE {SCHEMA}.users SET password_hash = $2 WHERE name = $1 RETURNING {COLUMNS}", exact, password_hash
        )
        await conn.execute(f"DELETE FROM {SCHEMA}.web_sessions WHERE user_name = $1", exact)
    return account(row) if row else None


async def with_password(db: asyncpg.Connection | asyncpg.Pool, name: str) -> tuple[Account, str | None] | None:
    """The account named ``name`` (the exact name first, else in another case) and its password
    hash (None when it has none); None when there is no such account."""
    row = await db.fetchrow(
        f"SELECT {COLUMNS}, password_hash FROM {SCHEMA}.users WHERE name = $1 OR lower(name) = lower($1) "
        "ORDER BY name = $1 DESC LIMIT 1",
        name,
    )
    return (account(row), row["password_hash"]) if row else None


async def replace_password_hash(db: asyncpg.Connection | asyncpg.Pool, name: str, old: str, new: str) -> None:
    """Stores ``new``, the same password hashed with today's parameters, unless it changed meanwhile."""
    await db.execute(
        f"UPDATE {SCHEMA}.users SET password_hash = $3 WHERE name = $1 AND password_hash = $2", name, old, new
    )


def account(row: asyncpg.Record) -> Account:
    return Account(
        name=row["name"],
        role=row["role"],
        scope_code=row["scope_code"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
        expired=bool(row["expired"]),
        has_password=bool(row["has_password"]),
    )
