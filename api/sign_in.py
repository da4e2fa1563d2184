"""Signing in to the web pages: name and password, then a server-side session behind a cookie.

The pages call three functions: :func:`sign_in` (a session, or :class:`SignInRefused`),
:func:`session_of` (who a cookie names, or None) and :func:`sign_out`. The cookie holds the
session id, named :data:`SESSION_COOKIE`; the database keeps only its SHA-256. A session ends when
it has not been used for ``session_idle_minutes``, ``session_hours`` after it began, when its user
is revoked or their access expires, when their password changes, or when they sign out.

Failed sign-ins are limited by name and by address (the settings' ``sign_in_limits``, by default
:data:`LIMITS`), across every server process; past the limit even the right password is refused
until the window has moved on. An unknown name
is checked against a dummy hash, so that it takes as long as a known one.
"""

import asyncio
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from api import passwords
from api.access import Role, User
from api.settings import Settings
from projections import accounts, web_sessions
from projections.web_sessions import AttemptLimits, TooManyFailures

SESSION_COOKIE = "hrh_session"
LIMITS = Settings.model_construct().sign_in_limits()
"""The default limits on failed sign-ins (HRH_SIGN_IN_FAILURES_PER_NAME, HRH_SIGN_IN_FAILURES_PER_ADDRESS,
HRH_SIGN_IN_WINDOW_MINUTES)."""
MAX_KEY = 200  # a name or an address longer than this is counted by its first characters
MAX_SESSION_ID = 100  # the ids made here are 43 characters; a longer cookie names no session


@dataclass(frozen=True)
class WebSession:
    """A signed-in user's session: ``session_id`` is the cookie's value (shown to no one else),
    ``user`` who they are (role and scope as for a token), ``csrf_token`` what each form that
    changes something must carry."""

    session_id: str
    user: User
    csrf_token: str


class SignInRefused(Exception):
    """Raised when a sign-in is refused: ``code`` BAD_CREDENTIALS (a wrong name or password, or a
    user without a password), TOO_MANY_ATTEMPTS (wait ``retry_after`` seconds), or, to someone who
    gave the right password, ACCESS_EXPIRED or ACCESS_REVOKED (``since`` when)."""

    def __init__(self, code: str, message: str, retry_after: int | None = None, since: datetime | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.since = since


WRONG = "The name or the password is wrong."


async def sign_in(
    pool: asyncpg.Pool, name: str, password: str, address: str, limits: AttemptLimits = LIMITS
) -> WebSession:
    """Opens a session for the user ``name`` (in whatever case) whose password is ``password``,
    signing in from ``address`` (the client's IP address), failures limited by ``limits``.

    Raises:
        SignInRefused: BAD_CREDENTIALS or TOO_MANY_ATTEMPTS; no session is opened.
    """
    name = unicodedata.normalize("NFKC", name).strip()
    name_key = storable(name.casefold())[:MAX_KEY]
    try:
        attempt = await web_sessions.begin_attempt(pool, name_key, storable(address)[:MAX_KEY], limits)
    except TooManyFailures as error:
        seconds = error.retry_after
        raise SignInRefused(
            "TOO_MANY_ATTEMPTS", f"Too many failed sign-ins; try again in {seconds} seconds.", seconds
        ) from None
    # A name PostgreSQL cannot hold (a NUL, a lone surrogate) is no user's name.
    found = await accounts.with_password(pool, name) if storable(name) == name else None
    stored = found[1] if found is not None else None
    # Without a stored hash, a dummy one is checked: an unknown name takes as long as a known one.
    right = await asyncio.to_thread(passwords.matches, stored, password)
    if not right or found is None or stored is None:
        raise SignInRefused("BAD_CREDENTIALS", WRONG)
    account = found[0]
    if account.status != "active":
        # The right password: they may know why they cannot come in, and what to ask for.
        raise closed(account)
    await web_sessions.forgive(pool, attempt, name_key)
    if passwords.needs_rehash(stored):
        renewed = await asyncio.to_thread(passwords.rehashed, password)
        await accounts.replace_password_hash(pool, account.name, stored, renewed)
    session_id, csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    forget_after = timedelta(hours=web_sessions.MAX_SESSION_HOURS)
    await web_sessions.open_session(
        pool, accounts.token_hash(session_id), account.name, csrf_token, forget_after=forget_after
    )
    return WebSession(session_id, User(account.name, Role[account.role], account.scope_code), csrf_token)


def closed(account: accounts.Account) -> SignInRefused:
    """Why ``account``, revoked or expired, cannot sign in, and what an administrator can do."""
    if account.revoked_at is not None:
        message = f"This user was revoked on {account.revoked_at:%Y-%m-%d} (UTC); ask an administrator."
        return SignInRefused("ACCESS_REVOKED", message, since=account.revoked_at)
    expired = f" on {account.expires_at:%Y-%m-%d} (UTC)" if account.expires_at else ""
    message = f"This user's access expired{expired}; ask an administrator to renew it (hrh users renew)."
    return SignInRefused("ACCESS_EXPIRED", message, since=account.expires_at)


async def session_of(pool: asyncpg.Pool, session_id: str, settings: Settings) -> WebSession | None:
    """The live session whose id is ``session_id`` (a cookie's value), with its user as they are
    now; None when it is unknown, idle or too old (``settings``), or its user revoked or expired."""
    if not well_formed(session_id):
        return None
    row = await web_sessions.live_session(
        pool,
        accounts.token_hash(session_id),
        idle=timedelta(minutes=settings.session_idle_minutes),
        lifetime=timedelta(hours=settings.session_hours),
    )
    if row is None:
        return None
    return WebSession(session_id, User(row.user_name, Role[row.role], row.scope_code), row.csrf_token)


async def sign_out(pool: asyncpg.Pool, session_id: str) -> None:
    """Ends the session whose id is ``session_id``; nothing happens when there is none."""
    if well_formed(session_id):
        await web_sessions.end_session(pool, accounts.token_hash(session_id))


def well_formed(session_id: str) -> bool:
    """Whether ``session_id`` could be an id made here (URL-safe ASCII, not too long)."""
    return 0 < len(session_id) <= MAX_SESSION_ID and session_id.isascii()


def storable(text: str) -> str:
    """``text`` without what a PostgreSQL text cannot hold: NUL characters go, lone surrogates become '?'."""
    return text.encode("utf-8", "replace").decode().replace("\x00", "")


def csrf_matches(session: WebSession, sent: str) -> bool:
    """Whether ``sent`` (a form's CSRF field) is the session's CSRF token, compared in constant time."""
    return secrets.compare_digest(session.csrf_token.encode(), sent.encode("utf-8", "surrogatepass"))
