"""Bearer tokens: who a request's ``Authorization`` header names, or why it names no one.

A request without a token is anonymous. A request whose token is malformed, unknown, revoked or
expired is refused with a message that says which, so that its sender knows what to do: the
refusal travels with the lookup's result (:class:`Caller`), and the request's context raises it
as ``UNAUTHENTICATED`` when a resolver asks who the user is.
"""

import secrets
from dataclasses import dataclass

import asyncpg

from api.access import Role, User
from projections import accounts

TOKEN_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=")
"""What a token may hold (RFC 6750's b64token); the tokens ``hrh`` issues are URL-safe base64."""
ASK = "ask an administrator for a new token (hrh users add)"


@dataclass(frozen=True)
class Caller:
    """Who sent a request: ``user``, or no one. ``refusal`` says why a token that was sent names no one."""

    user: User | None
    refusal: str | None = None


ANONYMOUS = Caller(None)


def refused(reason: str) -> Caller:
    return Caller(None, reason)


async def identify(pool: asyncpg.Pool, admin_token: str | None, header: str) -> Caller:
    """The caller named by an ``Authorization`` header's value (``""`` when there is none)."""
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if not header.strip():
        return ANONYMOUS
    if scheme.lower() != "bearer" or not token:
        return refused("The Authorization header must read 'Bearer <token>'.")
    if not TOKEN_CHARACTERS.issuperset(token):
        return refused(
            f"This token holds characters no token has (tokens are ASCII letters, digits and -._~+/=); {ASK}."
        )
    if admin_token and secrets.compare_digest(token.encode(), admin_token.encode()):
        return Caller(User("admin", Role.ADMIN))
    account = await accounts.by_token(pool, token)
    if account is None:
        return refused(f"This token is unknown: no user has it; {ASK}.")
    if account.revoked_at is not None:
        return refused(f"This token was revoked on {account.revoked_at:%Y-%m-%d %H:%M} UTC; {ASK}.")
    if account.expired:
        expired = account.expires_at
        return refused(
            f"This token expired{f' on {expired:%Y-%m-%d %H:%M} UTC' if expired else ''}; "
            "ask an administrator to renew it (hrh users renew)."
        )
    return Caller(User(account.name, Role[account.role], account.scope_code))
