"""The accounts table of a database from before tokens expired: it gains its columns on the next
start, its tokens keep working until 90 days after their user was created, and then expire; its
users have no password (they sign in by token only), and the web sessions' tables appear beside it."""

import asyncio
import uuid

import asyncpg
import pytest

from api.database import scratch_database
from projections import accounts

pytestmark = pytest.mark.integration


def test_an_accounts_table_from_before_expiry_is_brought_up_to_date(server_url: str) -> None:
    async def main(url: str) -> tuple[accounts.Account | None, accounts.Account | None]:
        conn = await asyncpg.connect(url)
        try:
            # The table as it was: no expiry, no revocation; one user of last week, one of last year.
            await conn.execute(f"CREATE SCHEMA {accounts.SCHEMA}")
            await conn.execute(
                f"CREATE TABLE {accounts.SCHEMA}.users (name text PRIMARY KEY, role text NOT NULL, scope_code text, "
                "token_hash text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now(), created_by text)"
            )
            for name, age in (("recent", "7 days"), ("old", "400 days")):
                await conn.execute(
                    f"INSERT INTO {accounts.SCHEMA}.users (name, role, token_hash, created_at) "
                    f"VALUES ($1, 'PLANNER', $2, now() - interval '{age}')",
                    name,
                    accounts.token_hash(f"token-of-{name}"),
                )

            # The next start brings it up to date, twice over without harm.
            await accounts.ensure_table(conn)
            await accounts.ensure_table(conn)
            tables = {
                r["tablename"]
                for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", accounts.SCHEMA)
            }
            assert tables == {"users", "web_sessions", "sign_in_failures"}
            return await accounts.by_token(conn, "token-of-recent"), await accounts.by_token(conn, "token-of-old")
        finally:
            await conn.close()

    with scratch_database(server_url, f"hrh_accounts_{uuid.uuid4().hex[:10]}") as url:
        recent, old = asyncio.run(main(url))

    assert recent is not None and recent.status == "active" and recent.created_at is not None
    assert recent.expires_at is not None and (recent.expires_at - recent.created_at).days == accounts.DEFAULT_TOKEN_DAYS
    assert old is not None and old.status == "expired"
    assert not recent.has_password and not old.has_password


def test_processes_starting_at_once_make_the_tables_once(server_url: str) -> None:
    async def main(url: str) -> None:
        conns = [await asyncpg.connect(url) for _ in range(4)]
        try:
            await asyncio.gather(*(accounts.ensure_table(conn) for conn in conns))
        finally:
            for conn in conns:
                await conn.close()

    with scratch_database(server_url, f"hrh_accounts_{uuid.uuid4().hex[:10]}") as url:
        asyncio.run(main(url))
