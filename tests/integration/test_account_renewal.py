"""Renewing a user (``projections.accounts.renew``): a new token, valid the days given, the old one
no one's; a revoked user stays revoked, an unknown name is no one's."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import asyncpg
import pytest

from api.database import scratch_database
from projections import accounts

pytestmark = pytest.mark.integration


async def in_database(url: str, story: Callable[[asyncpg.Connection], Awaitable[None]]) -> None:
    conn = await asyncpg.connect(url)
    try:
        await accounts.ensure_table(conn)
        await story(conn)
    finally:
        await conn.close()


def test_renewing_replaces_the_token_and_refuses_a_revoked_or_unknown_user(server_url: str) -> None:
    async def story(conn: asyncpg.Connection) -> None:
        _, first = await accounts.create(conn, f"Clerk {uuid.uuid4().hex[:8]}", "PLANNER", None, "t", token_days=9)
        named = await accounts.by_token(conn, first)
        assert named is not None
        renewed = await accounts.renew(conn, named.name, token_days=90)
        assert renewed is not None and renewed[1] != first
        account, token = renewed
        assert account.status == "active" and account.expires_at is not None
        days = (account.expires_at - await conn.fetchval("SELECT now()")).total_seconds() / 86400
        assert 89.99 < days <= 90
        assert await accounts.by_token(conn, first) is None  # the old token is no one's now

        await accounts.revoke(conn, named.name)
        with pytest.raises(accounts.AccountRevoked) as refused:
            await accounts.renew(conn, named.name, token_days=90)
        assert refused.value.account.revoked_at is not None
        still = await accounts.by_token(conn, token)  # still the revoked user's, and refused as revoked
        assert still is not None and still.status == "revoked"
        assert await accounts.renew(conn, "Nobody Of That Name", token_days=90) is None

    with scratch_database(server_url, f"hrh_renew_{uuid.uuid4().hex[:10]}") as url:
        asyncio.run(in_database(url, story))
