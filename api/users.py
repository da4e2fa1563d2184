"""Users of the API and the web pages: the rules a new user's name and scope follow, and the
``hrh users`` commands.

The same rules hold for ``hrh users add`` and the ``createUser`` mutation. A name is recorded on
every event its user records, so it must read the same on every screen: it is trimmed and
NFKC-normalised (a full-width ``Ａｗａ`` is ``Awa``), shows visible characters and no bidirectional
controls, and is unique without regard to case. ``admin`` is the name of the ``HRH_ADMIN_TOKEN``
and no user may take it. A password (``api/passwords.py``'s rules) is optional: without one, a
user has their token only and cannot sign in to the pages.
"""

import asyncio
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from rich.table import Table

from api import passwords
from api.access import Role
from domain.errors import InvalidInput
from domain.names import check_name
from projections import accounts, org_units
from projections.store import Target

MAX_NAME = 100
RESERVED = frozenset({"admin"})


class UserRefused(Exception):
    """Raised when a new user's name, role or scope breaks a rule; nothing is created."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownUser(Exception):
    """Raised when no user has the name given (in whatever case)."""

    code = "UNKNOWN_USER"

    def __init__(self, name: str) -> None:
        self.message = f"there is no user named {name!r} (hrh users list shows them)"
        super().__init__(self.message)


class UserRevoked(Exception):
    """Raised when a revoked user is to be renewed: a revocation is final."""

    code = "USER_REVOKED"

    def __init__(self, account: accounts.Account) -> None:
        self.message = (
            f"{account.name} was revoked on {when(account.revoked_at)} UTC, and a revocation is final; "
            "add a user under another name (hrh users add)"
        )
        super().__init__(self.message)


@dataclass(frozen=True)
class NewUser:
    """A user about to be created, their name in its recorded form."""

    name: str
    role: Role
    scope_code: str | None


def user_name(raw: str) -> str:
    """``raw`` as it is recorded: NFKC-normalised and trimmed.

    Raises:
        UserRefused: the name is empty, invisible, too long, holds a control or bidirectional
            character, or is reserved.
    """
    name = unicodedata.normalize("NFKC", raw).strip()
    if len(name) > MAX_NAME:
        raise UserRefused(f"name is {len(name)} characters long; at most {MAX_NAME} are allowed.")
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise UserRefused("name contains a control character (a tab, a new line, ...); remove it and send again.")
    try:
        check_name("name", name)
    except InvalidInput as error:
        raise UserRefused(error.message) from None
    if name.casefold() in RESERVED:
        raise UserRefused(f"The name {name!r} is reserved for the HRH_ADMIN_TOKEN's user; choose another name.")
    return name


def new_user(name: str, role: Role, scope_code: str | None) -> NewUser:
    """The user to create, once their name and scope follow the rules.

    Raises:
        UserRefused: a bad name; an HR_MANAGER without a scope; a scope for another role.
    """
    if role is Role.HR_MANAGER and not scope_code:
        raise UserRefused(
            "An HR_MANAGER needs a scope, the org unit they work in: --scope CODE for hrh users add, "
            "scopeCode in the API."
        )
    if role is not Role.HR_MANAGER and scope_code is not None:
        raise UserRefused(
            f"A {role.value} has no scope: only an HR_MANAGER works inside an org unit. Leave the scope out."
        )
    return NewUser(user_name(name), role, scope_code)


async def add(url: str, user: NewUser, created_by: str, *, token_days: int, password: str | None = None) -> str:
    """Creates ``user`` in the database at ``url``, with ``password`` if given; returns their token.

    Raises:
        PasswordRefused: the password breaks a rule.
        UserRefused: the scope names no org unit.
        AccountExists: the name is taken, in whatever case.
    """
    password_hash = None
    if password is not None:
        passwords.check_rules(password)
        password_hash = await asyncio.to_thread(passwords.hashed, password)
    conn = await asyncpg.connect(url)
    try:
        scope = user.scope_code
        if scope is not None and not await org_units.org_units_by_code(conn, Target.of_ledger().schema, [scope]):
            raise UserRefused(f"there is no org unit {scope!r} in the read tables")
        _, token = await accounts.create(
            conn, user.name, user.role.value, scope, created_by, token_days=token_days, password_hash=password_hash
        )
        return token
    finally:
        await conn.close()


async def change_password(url: str, name: str, password: str) -> accounts.Account:
    """Gives the user named ``name`` (in whatever case) a new password; their web sessions end.

    Raises:
        PasswordRefused: the password breaks a rule.
        UnknownUser: no user has that name.
    """
    passwords.check_rules(password)
    password_hash = await asyncio.to_thread(passwords.hashed, password)
    conn = await asyncpg.connect(url)
    try:
        changed = await accounts.set_password(conn, unicodedata.normalize("NFKC", name).strip(), password_hash)
    finally:
        await conn.close()
    if changed is None:
        raise UnknownUser(name)
    return changed


async def revoke(url: str, name: str) -> accounts.Account | None:
    """Revokes the user named ``name`` (without regard to case); None when there is no such user."""
    conn = await asyncpg.connect(url)
    try:
        return await accounts.revoke(conn, unicodedata.normalize("NFKC", name).strip())
    finally:
        await conn.close()


async def renew(url: str, name: str, *, token_days: int) -> tuple[accounts.Account, str]:
    """Gives the user named ``name`` (without regard to case) a new token, valid ``token_days`` days:
    the old one stops working, their web sessions end, and they may sign in again if their access
    had expired. Returns the account as it is afterwards and the new token.

    Raises:
        UnknownUser: no user has that name.
        UserRevoked: the user is revoked.
    """
    conn = await asyncpg.connect(url)
    try:
        renewed = await accounts.renew(conn, unicodedata.normalize("NFKC", name).strip(), token_days=token_days)
    except accounts.AccountRevoked as error:
        raise UserRevoked(error.account) from None
    finally:
        await conn.close()
    if renewed is None:
        raise UnknownUser(name)
    return renewed


async def listing(url: str) -> list[accounts.Account]:
    conn = await asyncpg.connect(url)
    try:
        return await accounts.listing(conn)
    finally:
        await conn.close()


def table(found: list[accounts.Account]) -> Table:
    """The users as ``hrh users list`` prints them: never a token or a password, nor their hashes."""
    out = Table("name", "role", "scope", "status", "created (UTC)", "by", "expires (UTC)", "revoked (UTC)", "password")
    for a in found:
        row = (a.name, a.role, a.scope_code or "", a.status, when(a.created_at), a.created_by or "")
        out.add_row(*row, when(a.expires_at), when(a.revoked_at), "yes" if a.has_password else "no")
    return out


def when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment is not None else "-"
