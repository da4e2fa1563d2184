"""``hrh users add`` and ``hrh users passwd`` with passwords, through typer's runner against the
test database: a password from standard input or typed at a prompt lets its user sign in to the
pages; without one the user has a token only and nothing is asked; bad passwords and unknown users
are refused with their code, and nothing is written."""

import asyncio
import uuid
from collections.abc import Iterator

import asyncpg
import pytest
from typer.testing import CliRunner, Result

from api.cli import app
from api.database import scratch_database
from api.sign_in import SignInRefused, sign_in
from projections import accounts

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def url(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, f"hrh_user_cli_{uuid.uuid4().hex[:10]}") as made:
        yield made


def hrh(url: str, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=stdin, env={"DATABASE_URL": url, "HRH_TOKEN_DAYS": "90"})


def fresh_name() -> str:
    return f"Agent {uuid.uuid4().hex[:8]}"


def signs_in(url: str, name: str, password: str) -> bool:
    """Whether ``name`` can sign in to the pages with ``password`` (each time from a fresh address)."""

    async def attempt() -> bool:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
        try:
            await sign_in(pool, name, password, f"cli-test-{uuid.uuid4().hex}")
            return True
        except SignInRefused:
            return False
        finally:
            await pool.close()

    return asyncio.run(attempt())


def account(url: str, name: str) -> accounts.Account | None:
    async def find() -> accounts.Account | None:
        conn = await asyncpg.connect(url)
        try:
            return next((a for a in await accounts.listing(conn) if a.name == name), None)
        finally:
            await conn.close()

    return asyncio.run(find())


def test_a_password_read_from_standard_input_lets_the_user_sign_in(url: str) -> None:
    name = fresh_name()
    added = hrh(url, "users", "add", name, "--role", "PLANNER", "--password-stdin", stdin="s3cret pass phrase\n")
    assert added.exit_code == 0, added.output

    # Only the token is printed, and it works as before.
    token = added.stdout.strip()
    assert "s3cret" not in added.output and len(token) == 43
    found = account(url, name)
    assert found is not None and found.has_password and found.status == "active"

    # The line's ending is not part of the password; the spaces inside are.
    assert signs_in(url, name, "s3cret pass phrase")
    assert not signs_in(url, name, "s3cret pass phrase\n")

    # hrh users list says who has a password, and shows no secret.
    listed = hrh(url, "users", "list")
    line = next(row for row in listed.stdout.splitlines() if f" {name} " in row)
    assert line.rstrip(" │").endswith("yes") and "s3cret" not in listed.stdout


def test_without_a_password_option_the_user_has_a_token_only_and_nothing_is_asked(url: str) -> None:
    name = fresh_name()
    # No input at all: a prompt would fail here, at the end of standard input.
    added = hrh(url, "users", "add", name, "--role", "AUDITOR")
    assert added.exit_code == 0, added.output
    assert "Password" not in added.output
    found = account(url, name)
    assert found is not None and not found.has_password
    assert not signs_in(url, name, "")


def test_a_prompted_password_is_typed_twice_and_not_shown(url: str) -> None:
    name = fresh_name()
    typed = "typed at the prompt"
    added = hrh(url, "users", "add", name, "--role", "PLANNER", "--password", stdin=f"{typed}\n{typed}\n")
    assert added.exit_code == 0, added.output
    assert "Password:" in added.output and "Repeat for confirmation:" in added.output
    assert typed not in added.output
    assert signs_in(url, name, typed)

    # Two different entries are not accepted, and no user is made.
    other = fresh_name()
    mismatch = hrh(url, "users", "add", other, "--role", "PLANNER", "--password", stdin="first one!!\nsecond one!!\n")
    assert mismatch.exit_code != 0 and "do not match" in mismatch.output
    assert account(url, other) is None


@pytest.mark.parametrize(
    ("password", "code", "words"),
    [
        ("too short", "PASSWORD_TOO_SHORT", "9 characters long; it needs at least 10"),
        ("", "PASSWORD_TOO_SHORT", "0 characters long; it needs at least 10"),
        ("x" * 2000, "PASSWORD_TOO_LONG", "2000 characters long; at most 1024 are allowed"),
    ],
)
def test_a_bad_password_is_refused_with_its_code_and_no_user_is_made(
    url: str, password: str, code: str, words: str
) -> None:
    name = fresh_name()
    added = hrh(url, "users", "add", name, "--role", "PLANNER", "--password-stdin", stdin=f"{password}\n")
    assert added.exit_code == 1
    assert f"{code}: the password is {words}" in " ".join(added.stderr.split())
    assert account(url, name) is None


def test_both_password_options_at_once_are_refused(url: str) -> None:
    name = fresh_name()
    added = hrh(url, "users", "add", name, "--role", "PLANNER", "--password-stdin", "--password", stdin="x" * 12)
    assert added.exit_code == 1 and "BAD_USER_INPUT: give --password-stdin or --password" in added.stderr
    assert account(url, name) is None


def test_passwd_changes_the_password_of_a_user_with_or_without_one(url: str) -> None:
    # A token-only user gets a password, named in another case.
    name = fresh_name()
    assert hrh(url, "users", "add", name, "--role", "PLANNER").exit_code == 0
    changed = hrh(url, "users", "passwd", name.upper(), "--password-stdin", stdin="the first password\n")
    assert changed.exit_code == 0, changed.output
    assert f"The password of {name} is set" in changed.stdout
    assert signs_in(url, name, "the first password")

    # Then changes it at the prompt: the old one stops working.
    again = hrh(url, "users", "passwd", name, stdin="the second password\nthe second password\n")
    assert again.exit_code == 0, again.output
    assert "the second password" not in again.output
    assert signs_in(url, name, "the second password") and not signs_in(url, name, "the first password")


def test_passwd_refuses_an_unknown_user_and_a_short_password(url: str) -> None:
    unknown = hrh(url, "users", "passwd", "Nobody Here", "--password-stdin", stdin="long enough password\n")
    assert unknown.exit_code == 1
    assert "UNKNOWN_USER: there is no user named 'Nobody Here'" in " ".join(unknown.stderr.split())

    name = fresh_name()
    assert (
        hrh(url, "users", "add", name, "--role", "PLANNER", "--password-stdin", stdin="kept password\n").exit_code == 0
    )
    short = hrh(url, "users", "passwd", name, "--password-stdin", stdin="short\n")
    assert short.exit_code == 1 and "PASSWORD_TOO_SHORT" in short.stderr
    assert signs_in(url, name, "kept password")
