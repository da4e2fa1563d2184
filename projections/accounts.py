"""API users: names, roles, scopes and hashed tokens.

Users are configuration of the service, not workforce history, so they live in a plain table
(``hrh_accounts.users``) beside the ledger and outside the read-model schema that rebuilds
replace. Tokens are random and only their SHA-256 is stored.
"""

import hashlib
import secrets
from dataclasses import dataclass

import asyncpg

SCHEMA = "hrh_accounts"


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    role: str
    scope_code: str | None


class AccountExists(Exception):
    """Raised when a user of that name already exists."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def ensure_table(conn: asyncpg.Connection) -> None:
    await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    await conn.execute(
        f"CREATE TABLE IF NOT EXISTS {SCHEMA}.users (name text PRIMARY KEY, role text NOT NULL, scope_code text, "
        "token_hash text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now(), created_by text)"
    )


async def create(
    conn: asyncpg.Connection, name: str, role: str, scope_code: str | None, created_by: str
) -> tuple[Account, str]:
    """Creates a user; returns it with its token (shown once, stored hashed).

    Raises:
        AccountExists: a user of that name exists.
    """
    await ensure_table(conn)
    token = secrets.token_urlsafe(32)
    try:
        await conn.execute(
            f"INSERT INTO {SCHEMA}.users (name, role, scope_code, token_hash, created_by) VALUES ($1, $2, $3, $4, $5)",
            name,
            role,
            scope_code,
            token_hash(token),
            created_by,
        )
    except asyncpg.UniqueViolationError:
        raise AccountExists(f"A user named {name!r} exists already.") from None
    return Account(name, role, scope_code), token


async def reissue(conn: asyncpg.Connection, name: str, role: str, scope_code: str | None) -> str:
    """Creates the user, or gives an existing one a new token (the demo's ready-made users)."""
    await ensure_table(conn)
    token = secrets.token_urlsafe(32)
    await conn.execute(
        f"INSERT INTO {SCHEMA}.users (name, role, scope_code, token_hash, created_by) "
        "VALUES ($1, $2, $3, $4, 'hrh demo') "
        "ON CONFLICT (name) DO UPDATE SET role = $2, scope_code = $3, token_hash = $4",
        name,
        role,
        scope_code,
        token_hash(token),
    )
    return token


async def by_token(db: asyncpg.Connection | asyncpg.Pool, token: str) -> Account | None:
    try:
        row = await db.fetchrow(
            f"SELECT name, role, scope_code FROM {SCHEMA}.users WHERE token_hash = $1", token_hash(token)
        )
    except asyncpg.UndefinedTableError:
        return None
    return Account(row["name"], row["role"], row["scope_code"]) if row else None
