"""``hrh users``: add, list, renew and revoke the users; set their passwords for the web pages."""

import asyncio
import sys
from typing import Annotated

import typer
from rich.console import Console

from api import passwords
from api import users as api_users
from api.access import Role
from api.cli.connection import DataDir, reachable_url, settings_for
from api.cli.terminal import console, errors, fail
from projections import accounts

users = typer.Typer(help="Users of the API and the web pages.", no_args_is_help=True)

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from one line of standard input (for scripts).")
]
PasswordPrompt = Annotated[bool, typer.Option("--password", help="Ask for a password (hidden, typed twice).")]


@users.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user's name, as recorded on every event they record.")],
    role: Annotated[Role, typer.Option(help="ADMIN, HR_MANAGER, AUDITOR or PLANNER.")],
    scope: Annotated[str | None, typer.Option(help="An HR manager's org unit code.")] = None,
    password_stdin: PasswordStdin = False,
    password_prompt: PasswordPrompt = False,
    data_dir: DataDir = None,
) -> None:
    """Create a user and print their token (shown once; only its hash is kept; valid HRH_TOKEN_DAYS days).

    With --password-stdin or --password they also get a password, to sign in to the web pages;
    without either, they have the token only (and nothing is asked).
    """
    try:
        user = api_users.new_user(name, role, scope)
        if password_stdin and password_prompt:
            raise api_users.UserRefused("give --password-stdin or --password, not both")
        password = one_line_of_stdin() if password_stdin else prompted() if password_prompt else None
        if password is not None:
            passwords.check_rules(password)
        days = settings_for(data_dir).token_days
        token = asyncio.run(
            api_users.add(reachable_url(data_dir), user, "hrh users add", token_days=days, password=password)
        )
    except (api_users.UserRefused, passwords.PasswordRefused) as error:
        fail(f"{error.code}: {error.message}")
    except accounts.AccountExists as error:
        fail(f"DUPLICATE_CODE: {error}")
    console.print(token, highlight=False)


@users.command("passwd")
def users_passwd(
    name: Annotated[str, typer.Argument(help="The user whose password changes (in whatever case).")],
    password_stdin: PasswordStdin = False,
    data_dir: DataDir = None,
) -> None:
    """Set or change a user's password for the web pages (asked for, unless --password-stdin).

    Their web sessions end; their token keeps working.
    """
    try:
        password = one_line_of_stdin() if password_stdin else prompted()
        passwords.check_rules(password)
        changed = asyncio.run(api_users.change_password(reachable_url(data_dir), name, password))
    except (api_users.UnknownUser, passwords.PasswordRefused) as error:
        fail(f"{error.code}: {error.message}")
    console.print(f"The password of {changed.name} is set; their web sessions have ended.", highlight=False)


@users.command("list")
def users_list(data_dir: DataDir = None) -> None:
    """List the users: name, role, scope, when their token expires or was revoked, and whether they
    have a password (never a token or a password)."""
    found = asyncio.run(api_users.listing(reachable_url(data_dir)))
    table = api_users.table(found)
    # Into a pipe, as wide as the table needs: a script reading it gets one line per user.
    (console if console.is_terminal else Console(width=1000)).print(table, highlight=False)


@users.command("renew")
def users_renew(
    name: Annotated[str, typer.Argument(help="The user whose token is replaced (in whatever case).")],
    data_dir: DataDir = None,
) -> None:
    """Give a user a new token, valid HRH_TOKEN_DAYS days from now, and print it (shown once).

    Their old token stops working and their web sessions end; a user whose access had expired may
    use the API and sign in to the pages again. A revoked user stays revoked.
    """
    try:
        days = settings_for(data_dir).token_days
        account, token = asyncio.run(api_users.renew(reachable_url(data_dir), name, token_days=days))
    except (api_users.UnknownUser, api_users.UserRevoked) as error:
        fail(f"{error.code}: {error.message}")
    console.print(token, highlight=False)
    errors.print(f"{account.name} is active until {api_users.when(account.expires_at)} UTC.", highlight=False)


@users.command("revoke")
def users_revoke(
    name: Annotated[str, typer.Argument(help="The user whose token stops working now.")], data_dir: DataDir = None
) -> None:
    """Revoke a user: their token and their web sessions are refused from now on. The name stays taken."""
    revoked = asyncio.run(api_users.revoke(reachable_url(data_dir), name))
    if revoked is None:
        unknown = api_users.UnknownUser(name)
        fail(f"{unknown.code}: {unknown.message}")
    console.print(f"{revoked.name} is revoked since {api_users.when(revoked.revoked_at)} UTC.", highlight=False)


def one_line_of_stdin() -> str:
    """The first line of standard input, without its line ending ("" when it is empty)."""
    return sys.stdin.readline().removesuffix("\n").removesuffix("\r")


def prompted() -> str:
    """A password typed twice at the terminal, not shown."""
    typed: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return typed
