"""``hrh users``: add, list and revoke the API's users."""

import asyncio
from typing import Annotated

import typer
from rich.console import Console

from api import users as api_users
from api.access import Role
from api.cli.connection import DataDir, reachable_url, settings_for
from api.cli.terminal import console, fail
from projections import accounts

users = typer.Typer(help="API users.", no_args_is_help=True)


@users.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user's name, as recorded on every event they record.")],
    role: Annotated[Role, typer.Option(help="ADMIN, HR_MANAGER, AUDITOR or PLANNER.")],
    scope: Annotated[str | None, typer.Option(help="An HR manager's org unit code.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Create a user and print their token (shown once; only its hash is kept; valid HRH_TOKEN_DAYS days)."""
    try:
        user = api_users.new_user(name, role, scope)
        days = settings_for(data_dir).token_days
        token = asyncio.run(api_users.add(reachable_url(data_dir), user, "hrh users add", token_days=days))
    except (api_users.UserRefused, accounts.AccountExists) as error:
        fail(str(error))
    console.print(token, highlight=False)


@users.command("list")
def users_list(data_dir: DataDir = None) -> None:
    """List the users: name, role, scope, and when their token expires or was revoked (never a token)."""
    found = asyncio.run(api_users.listing(reachable_url(data_dir)))
    table = api_users.table(found)
    # Into a pipe, as wide as the table needs: a script reading it gets one line per user.
    (console if console.is_terminal else Console(width=1000)).print(table, highlight=False)


@users.command("revoke")
def users_revoke(
    name: Annotated[str, typer.Argument(help="The user whose token stops working now.")], data_dir: DataDir = None
) -> None:
    """Revoke a user's token: requests with it are refused from now on. The name stays taken."""
    revoked = asyncio.run(api_users.revoke(reachable_url(data_dir), name))
    if revoked is None:
        fail(f"there is no user named {name!r} (hrh users list shows them)")
    console.print(f"{revoked.name} is revoked since {api_users.when(revoked.revoked_at)} UTC.", highlight=False)
