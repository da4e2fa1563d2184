"""Signing in to the web pages, against PostgreSQL: a name and a password open a session that names
its user as a token would; wrong passwords, unknown names and token-only users are refused alike;
failures are limited by name and by address, as the settings say; sessions end when idle, when too
old, when their user is revoked or expired, and on signing out; a user who gives the right password
is told their access expired or was revoked, and a renewed user signs in again. Time moves by moving
the stored moments back in SQL."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Literal, TypeVar

import asyncpg
import pytest
from argon2 import Parameters, PasswordHasher, extract_parameters

from api import passwords
from api.access import Role, User
from api.database import scratch_database
from api.settings import Settings
from api.sign_in import (
    LIMITS,
    SESSION_COOKIE,
    SignInRefused,
    WebSession,
    csrf_matches,
    session_of,
    sign_in,
    sign_out,
)
from projections import accounts
from projections.web_sessions import AttemptLimits

pytestmark = pytest.mark.integration
T = TypeVar("T")
PASSWORD = "correct horse battery"
SETTINGS = Settings(database_url=None, session_idle_minutes=60, session_hours=12)
SESSIONS, FAILURES, USERS = (f"{accounts.SCHEMA}.{t}" for t in ("web_sessions", "sign_in_failures", "users"))


@pytest.fixture(scope="module")
def url(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, f"hrh_sign_in_{uuid.uuid4().hex[:10]}") as made:
        yield made


def run(url: str, story: Callable[[asyncpg.Pool], Awaitable[T]]) -> T:
    """Runs ``story`` with a pool on the database at ``url``, its accounts' tables made."""

    async def main() -> T:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=12)
        try:
            async with pool.acquire() as conn:
                await accounts.ensure_table(conn)
            return await story(pool)
        finally:
            await pool.close()

    return asyncio.run(main())


async def new_user(
    pool: asyncpg.Pool, role: str = "PLANNER", scope: str | None = None, password: str | None = PASSWORD
) -> str:
    """A user of a fresh name, with ``password`` (none when None); returns the name."""
    name = f"Clerk {uuid.uuid4().hex[:8]}"
    hashed = passwords.hashed(password) if password is not None else None
    async with pool.acquire() as conn:
        await accounts.create(conn, name, role, scope, "test", token_days=90, password_hash=hashed)
    return name


def address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


async def refusal(pool: asyncpg.Pool, name: str, password: str, at: str) -> SignInRefused:
    with pytest.raises(SignInRefused) as refused:
        await sign_in(pool, name, password, at)
    return refused.value


def test_a_user_signs_in_and_their_session_names_them_as_a_token_would(url: str) -> None:
    async def story(pool: asyncpg.Pool) -> None:
        # An HR manager signs in, typing their name in another case and with spaces around it.
        name = await new_user(pool, "HR_MANAGER", "MOP")
        session = await sign_in(pool, f"  {name.upper()} ", PASSWORD, address())
        assert session.user == User(name, Role.HR_MANAGER, "MOP")
        assert len(session.session_id) >= 43 and len(session.csrf_token) >= 43

        # The cookie's value finds the session again, with the same user and CSRF token.
        again = await session_of(pool, session.session_id, SETTINGS)
        assert again == WebSession(session.session_id, session.user, session.csrf_token)

        # The database keeps the id's hash only.
        stored = await pool.fetchval(f"SELECT id_hash FROM {SESSIONS} WHERE user_name = $1", name)
        assert stored == accounts.token_hash(session.session_id) and session.session_id not in stored

        # Another sign-in is another session; an id no one was given names no one.
        other = await sign_in(pool, name, PASSWORD, address())
        assert other.session_id != session.session_id and other.csrf_token != session.csrf_token
        for unknown in ("", "x" * 43, "é" * 43, "y" * 10_000):
            assert await session_of(pool, unknown, SETTINGS) is None

    run(url, story)
    assert SESSION_COOKIE == "hrh_session"


def test_wrong_passwords_unknown_names_and_token_only_users_are_refused_alike(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each refusal costs one argon2 verification with today's parameters, whether the name is known, unknown
    or has no password (a dummy hash is checked), so the answer's time does not tell which names exist."""
    checked: list[Parameters] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            checked.append(extract_parameters(hash if isinstance(hash, str) else hash.decode()))
            return super().verify(hash, password)

    monkeypatch.setattr(passwords, "HASHER", Counting())
    today = extract_parameters(passwords.hashed("any password at all"))

    async def story(pool: asyncpg.Pool) -> None:
        known = await new_user(pool)
        token_only = await new_user(pool, password=None)
        for name in (known, "Nobody At All", token_only):
            checked.clear()
            refused = await refusal(pool, name, "wrong password", address())
            assert (refused.code, refused.message, refused.retry_after) == (
                "BAD_CREDENTIALS",
                "The name or the password is wrong.",
                None,
            )
            assert checked == [today], name
        assert await pool.fetchval(f"SELECT count(*) FROM {SESSIONS} WHERE user_name = $1", known) == 0

    run(url, story)


def test_input_no_user_could_send_is_refused_as_wrong_not_an_error(url: str) -> None:
    async def story(pool: asyncpg.Pool) -> None:
        name = await new_user(pool)
        odd = ("a\x00b", "\ud800", "x" * 10_000, "")
        for text in odd:
            refused = await refusal(pool, text, text, f"{address()}{text}")
            assert refused.code == "BAD_CREDENTIALS"
        # A form field could carry anything: the CSRF check answers, it does not fail.
        session = await sign_in(pool, name, PASSWORD, address())
        assert csrf_matches(session, session.csrf_token)
        for text in (*odd, session.csrf_token[:-1], "é" * 43):
            assert not csrf_matches(session, text)
            assert await session_of(pool, text, SETTINGS) is None
            await sign_out(pool, text)
        assert await session_of(pool, session.session_id, SETTINGS) is not None

    run(url, story)


def test_failures_by_name_are_limited_even_for_the_right_password_until_the_window_moves_on(url: str) -> None:
    async def story(pool: asyncpg.Pool) -> None:
        name = await new_user(pool)

        # Five wrong passwords, from five addresses.
        for _ in range(LIMITS.per_name):
            assert (await refusal(pool, name, "wrong password", address())).code == "BAD_CREDENTIALS"

        # The sixth try is refused even with the right password, from yet another address, and in another case.
        refused = await refusal(pool, name.lower(), PASSWORD, address())
        assert refused.code == "TOO_MANY_ATTEMPTS"
        assert refused.retry_after is not None and 14 * 60 < refused.retry_after <= 15 * 60
        assert f"{refused.retry_after} seconds" in refused.message

        # Ten minutes later the oldest failure is still in the window.
        await pool.execute(f"UPDATE {FAILURES} SET failed_at = failed_at - interval '10 minutes'")
        later = await refusal(pool, name, PASSWORD, address())
        assert later.retry_after is not None and 4 * 60 < later.retry_after <= 5 * 60

        # Once the oldest has left the window, the right password works.
        await pool.execute(f"UPDATE {FAILURES} SET failed_at = failed_at - interval '5 minutes'")
        assert (await sign_in(pool, name, PASSWORD, address())).user.name == name

    run(url, story)


def test_a_successful_sign_in_forgives_the_names_earlier_failures(url: str) -> None:
    async def story(pool: asyncpg.Pool) -> None:
        name, at = await new_user(pool), address()
        for _ in range(LIMITS.per_name - 1):
            await refusal(pool, name, "wrong password", at)
        await sign_in(pool, name, PASSWORD, at)
        for _ in range(LIMITS.per_name - 1):
            await refusal(pool, name, "wrong password", at)
        assert (await sign_in(pool, name, PASSWORD, at)).user.name == name

    run(url, story)


def test_failures_by_address_are_limited_whatever_the_names_tried(url: str) -> None:
    async def story(pool: asyncpg.Pool) -> None:
        at, elsewhere = address(), address()
        user = await new_user(pool)

        # Twenty wrong passwords from one address, each for another name.
        for n in range(LIMITS.per_address):
            assert (await refusal(pool, f"guess {n} {uuid.uuid4().hex}", "wrong password", at)).code == (
                "BAD_CREDENTIALS"
            )

        # From that address, a user with the right password is refused; from another, they come in.
        refused = await refusal(pool, user, PASSWORD, at)
        assert refused.code == "TOO_MANY_ATTEMPTS" and refused.retry_after is not None
        assert (await sign_in(pool, user, PASSWORD, elsewhere)).user.name == user

    run(url, story)


def test_the_limits_are_settings(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A ministry behind one address raises the address's limit; a stricter one lowers the name's.
    monkeypatch.setenv("HRH_SIGN_IN_FAILURES_PER_ADDRESS", "30")
    monkeypatch.setenv("HRH_SIGN_IN_FAILURES_PER_NAME", "2")
    monkeypatch.setenv("HRH_SIGN_IN_WINDOW_MINUTES", "5")
    limits = Settings().sign_in_limits()
    assert (limits.per_name, limits.per_address, limits.window.total_seconds()) == (2, 30, 300)

    async def story(pool: asyncpg.Pool) -> None:
        at, user = address(), await new_user(pool)
        for n in range(LIMITS.per_address):  # more than the default allows from one address
            refused = await refusal_within(pool, f"guess {n} {uuid.uuid4().hex}", "wrong password", at, limits)
            assert refused.code == "BAD_CREDENTIALS"
        assert (await sign_in(pool, user, PASSWORD, at, limits)).user.name == user
        for _ in range(2):
            assert (await refusal_within(pool, user, "wrong password", address(), limits)).code == "BAD_CREDENTIALS"
        assert (await refusal_within(pool, user, PASSWORD, address(), limits)).code == "TOO_MANY_ATTEMPTS"

    run(url, story)


async def refusal_within(pool: asyncpg.Pool, name: str, password: str, at: str, limits: AttemptLimits) -> SignInRefused:
    with pytest.raises(SignInRefused) as refused:
        await sign_in(pool, name, password, at, limits)
    return refused.value


def test_attempts_sent_at_once_cannot_pass_the_limit_together(url: str) -> None:
    async def story(pool: asyncpg.Pool) -> list[str]:
        name = await new_user(pool)
        tries = [refusal(pool, name, "wrong password", address()) for _ in range(2 * LIMITS.per_name)]
        return sorted(r.code for r in await asyncio.gather(*tries))

    codes = run(url, story)
    assert codes == ["BAD_CREDENTIALS"] * LIMITS.per_name + ["TOO_MANY_ATTEMPTS"] * LIMITS.per_name


def test_a_session_ends_when_idle_and_when_too_old_however_used(url: str) -> None:
    async def story(pool: asyncpg.Pool) -> None:
        name = await new_user(pool)
        idle, old = [await sign_in(pool, name, PASSWORD, address()) for _ in range(2)]

        # Used 59 minutes ago: still live. Used 61 minutes ago: ended, and deleted.
        await backdate(pool, idle, last_seen="59 minutes")
        assert await session_of(pool, idle.session_id, SETTINGS) is not None
        await backdate(pool, idle, last_seen="61 minutes")
        assert await session_of(pool, idle.session_id, SETTINGS) is None
        assert await stored_sessions(pool, idle) == 0

        # Begun 11 hours ago and used a minute ago: live. Begun 12 hours ago: ended, however recently used.
        await backdate(pool, old, created="11 hours", last_seen="1 minute")
        assert await session_of(pool, old.session_id, SETTINGS) is not None
        await backdate(pool, old, created="12 hours", last_seen="0 minutes")
        assert await session_of(pool, old.session_id, SETTINGS) is None

        # The settings say how long: with 2 idle hours allowed, 61 minutes is no longer idle.
        again = await sign_in(pool, name, PASSWORD, address())
        await backdate(pool, again, last_seen="61 minutes")
        longer = Settings(database_url=None, session_idle_minutes=120, session_hours=12)
        assert await session_of(pool, again.session_id, longer) is not None

    run(url, story)


def test_a_sessions_last_use_is_written_at_most_once_a_minute(url: str) -> None:
    async def story(pool: asyncpg.Pool) -> None:
        session = await sign_in(pool, await new_user(pool), PASSWORD, address())
        await backdate(pool, session, last_seen="30 seconds")
        before = await last_seen(pool, session)

        # Used within the minute: nothing written.
        assert await session_of(pool, session.session_id, SETTINGS) is not None
        assert await last_seen(pool, session) == before

        # Used after more than a minute: moved to now.
        await backdate(pool, session, last_seen="90 seconds")
        assert await session_of(pool, session.session_id, SETTINGS) is not None
        assert await pool.fetchval(
            f"SELECT last_seen_at > now() - interval '5 seconds' FROM {SESSIONS} WHERE id_hash = $1",
            accounts.token_hash(session.session_id),
        )

    run(url, story)


def test_a_revoked_or_expired_users_sessions_are_refused_and_they_cannot_sign_in(url: str) -> None:
    async def story(pool: asyncpg.Pool) -> None:
        revoked, expired = await new_user(pool), await new_user(pool)
        sessions = {name: await sign_in(pool, name, PASSWORD, address()) for name in (revoked, expired)}

        async with pool.acquire() as conn:
            await accounts.revoke(conn, revoked)
        await pool.execute(f"UPDATE {USERS} SET expires_at = now() - interval '1 second' WHERE name = $1", expired)

        for name, code, status in ((revoked, "ACCESS_REVOKED", "revoked"), (expired, "ACCESS_EXPIRED", "expired")):
            assert await session_of(pool, sessions[name].session_id, SETTINGS) is None
            # With the right password they are told why, since when, and what to ask for; with a
            # wrong one, nothing more.
            refused = await refusal(pool, name, PASSWORD, address())
            assert refused.code == code and status in refused.message and refused.since is not None
            wrong = await refusal(pool, name, "wrong password", address())
            assert wrong.code == "BAD_CREDENTIALS" and wrong.message == "The name or the password is wrong."
        assert "hrh users renew" in (await refusal(pool, expired, PASSWORD, address())).message

    run(url, story)


def test_renewing_an_expired_user_lets_them_in_again_with_a_new_token(url: str) -> None:
    async def story(pool: asyncpg.Pool) -> None:
        name = await new_user(pool)
        async with pool.acquire() as conn:
            _, old_token = await accounts.create(conn, f"{name} bis", "PLANNER", None, "test", token_days=90)
        session = await sign_in(pool, name, PASSWORD, address())
        await pool.execute(f"UPDATE {USERS} SET expires_at = now() - interval '1 second' WHERE name = $1", name)
        assert (await refusal(pool, name, PASSWORD, address())).code == "ACCESS_EXPIRED"

        async with pool.acquire() as conn:
            renewed = await accounts.renew(conn, name.upper(), token_days=30)  # in whatever case
        assert renewed is not None
        account, token = renewed
        assert account.name == name and account.status == "active" and account.expires_at is not None
        days = (account.expires_at - await pool.fetchval("SELECT now()")).total_seconds() / 86400
        assert 29.99 < days <= 30
        found = await accounts.by_token(pool, token)
        assert found is not None and found.name == name and found.status == "active"
        # The session opened before the expiry stays closed; a new sign-in works.
        assert await session_of(pool, session.session_id, SETTINGS) is None
        again = await sign_in(pool, name, PASSWORD, address())
        assert await session_of(pool, again.session_id, SETTINGS) is not None
        # Another user's token is untouched.
        other = await accounts.by_token(pool, old_token)
        assert other is not None and other.name == f"{name} bis"

    run(url, story)


def test_signing_out_ends_the_session_and_only_it(url: str) -> None:
    async def story(pool: asyncpg.Pool) -> None:
        name = await new_user(pool)
        leaving, staying = [await sign_in(pool, name, PASSWORD, address()) for _ in range(2)]
        await sign_out(pool, leaving.session_id)
        assert await session_of(pool, leaving.session_id, SETTINGS) is None
        assert await session_of(pool, staying.session_id, SETTINGS) is not None
        # Signing out twice, or with an id no one has, does nothing.
        await sign_out(pool, leaving.session_id)
        await sign_out(pool, "")

    run(url, story)


def test_a_new_password_ends_the_users_sessions(url: str) -> None:
    async def story(pool: asyncpg.Pool) -> None:
        name = await new_user(pool)
        session = await sign_in(pool, name, PASSWORD, address())
        async with pool.acquire() as conn:
            changed = await accounts.set_password(conn, name.upper(), passwords.hashed("a brand new one"))
        assert changed is not None and changed.name == name and changed.has_password
        assert await session_of(pool, session.session_id, SETTINGS) is None
        assert (await refusal(pool, name, PASSWORD, address())).code == "BAD_CREDENTIALS"
        assert (await sign_in(pool, name, "a brand new one", address())).user.name == name

    run(url, story)


def test_a_hash_made_with_older_parameters_is_replaced_at_the_next_sign_in(url: str) -> None:
    async def story(pool: asyncpg.Pool) -> None:
        # A password set under older parameters and older rules (shorter than today's minimum).
        name, legacy = await new_user(pool, password=None), "legacy"
        weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(legacy)
        await pool.execute(f"UPDATE {USERS} SET password_hash = $2 WHERE name = $1", name, weak)

        await sign_in(pool, name, legacy, address())
        renewed = await pool.fetchval(f"SELECT password_hash FROM {USERS} WHERE name = $1", name)
        assert renewed != weak and not passwords.needs_rehash(renewed)
        assert (await sign_in(pool, name, legacy, address())).user.name == name

    run(url, story)


async def backdate(
    pool: asyncpg.Pool, session: WebSession, *, created: str = "0 minutes", last_seen: str = "0 minutes"
) -> None:
    """Sets the session's moments to now minus the intervals given."""
    await pool.execute(
        f"UPDATE {SESSIONS} SET created_at = now() - $2::text::interval, last_seen_at = now() - $3::text::interval "
        "WHERE id_hash = $1",
        accounts.token_hash(session.session_id),
        created,
        last_seen,
    )


async def last_seen(pool: asyncpg.Pool, session: WebSession) -> object:
    return await pool.fetchval(
        f"SELECT last_seen_at FROM {SESSIONS} WHERE id_hash = $1", accounts.token_hash(session.session_id)
    )


async def stored_sessions(pool: asyncpg.Pool, session: WebSession) -> int:
    count: int = await pool.fetchval(
        f"SELECT count(*) FROM {SESSIONS} WHERE id_hash = $1", accounts.token_hash(session.session_id)
    )
    return count
