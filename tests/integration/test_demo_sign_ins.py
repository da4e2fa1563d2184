"""``hrh demo`` prints the web address and, for each role, a name and a password that sign in to
the pages, beside the token; each run gives fresh ones, and the previous run's stop working."""

import asyncio
import uuid
from collections.abc import Iterator

import asyncpg
import pytest

from api.access import Role, User
from api.cli.demo_commands import DEMO_USERS, DemoSignIn, demo_users, print_sign_ins
from api.database import scratch_database
from api.sign_in import SignInRefused, sign_in
from projections import accounts

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def url(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, f"hrh_demo_sign_in_{uuid.uuid4().hex[:10]}") as made:
        yield made


def who_signs_in(url: str, sign_ins: list[DemoSignIn]) -> list[User | str]:
    """Each demo user's signed-in user, or the refusal's code, with their printed password."""

    async def attempts() -> list[User | str]:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
        try:
            found: list[User | str] = []
            for s in sign_ins:
                try:
                    found.append((await sign_in(pool, s.name, s.password, f"demo-{uuid.uuid4().hex}")).user)
                except SignInRefused as refused:
                    found.append(refused.code)
            return found
        finally:
            await pool.close()

    return asyncio.run(attempts())


def test_each_demo_user_signs_in_with_what_the_demo_printed(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    first = asyncio.run(demo_users(url, 90))
    print_sign_ins(first, "127.0.0.1", 8000)
    printed = capsys.readouterr().out

    # The web address, and each user's line: role, name, scope, password, token.
    assert "http://127.0.0.1:8000/ " in printed and "http://127.0.0.1:8000/graphql" in printed
    for s in first:
        assert f"{s.role} {s.name} {s.scope or '-'} {s.password} {s.token}" in " ".join(printed.split())
    assert [(s.name, s.role, s.scope) for s in first] == [(n, r, sc) for n, (r, sc) in DEMO_USERS.items()]

    # Each signs in as their role and scope; their token names them too.
    users = [User(s.name, Role[s.role], s.scope) for s in first]
    assert who_signs_in(url, first) == users
    assert asyncio.run(tokens_name(url, first)) == [s.name for s in first]

    # The next run gives new passwords: the old ones are refused, the new ones work.
    second = asyncio.run(demo_users(url, 90))
    assert all(a.password != b.password and len(b.password) >= 16 for a, b in zip(first, second, strict=True))
    assert who_signs_in(url, first) == ["BAD_CREDENTIALS"] * len(first)
    assert who_signs_in(url, second) == users


async def tokens_name(url: str, sign_ins: list[DemoSignIn]) -> list[str | None]:
    conn = await asyncpg.connect(url)
    try:
        return [a.name if (a := await accounts.by_token(conn, s.token)) else None for s in sign_ins]
    finally:
        await conn.close()
