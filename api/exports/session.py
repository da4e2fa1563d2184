"""What an export reads through outside the server: the read tables caught up with the ledger, a pool, and
the user it runs as.

With ``HRH_READ_DATABASE_URL``, an export reads that replica's read tables, as the server's queries do
(``api.read_routing``), once it has replayed the position caught up to; if it has not within
``REPLAY_SECONDS``, or cannot be used, the export reads the primary's.

A command-line export runs as the operator at the machine, an ADMIN named ``cli``, unless it names a user
(``--user NAME``): then it runs with that user's role and scope (``hrh_accounts.users``), so that its
personal columns follow that user's rights, exactly as the API would answer them.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import asyncpg

from api import catching_up
from api.access import Role, User
from api.graphql.context import Services
from api.projecting import Projected
from api.read_routing import ReadRouting
from api.settings import Settings
from domain.ledger import Ledger
from projections import accounts
from projections.store import Target

OPERATOR = User("cli", Role.ADMIN)
REPLAY_SECONDS = 30.0  # how long an export waits for the replica to replay what catching up projected
T = TypeVar("T")


class UserRefused(Exception):
    """Raised when an export is asked to run as a user who does not exist, or whose account is revoked or expired."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


async def user_named(pool: asyncpg.Pool, name: str) -> User:
    """The user named ``name`` (the exact name first, else in another case), with their role and scope.

    Raises:
        UserRefused: no such user (UNKNOWN_USER), or one revoked or expired (USER_INACTIVE).
    """
    async with pool.acquire() as conn:
        found = [a for a in await accounts.listing(conn) if a.name.casefold() == name.casefold()]
    account = next((a for a in found if a.name == name), found[0] if found else None)
    if account is None:
        raise UserRefused("UNKNOWN_USER", f"There is no user {name!r} (hrh users list shows them).")
    if account.status != "active":
        raise UserRefused("USER_INACTIVE", f"The user {account.name!r} is {account.status}.")
    return User(account.name, Role(account.role), account.scope_code)


@asynccontextmanager
async def export_services(url: str, ledger: Ledger, target: Target | None = None) -> AsyncIterator[Services]:
    """The services an export reads through, once the read tables (``target``: by default those of the
    ledger's own schema) have caught up with the ledger.

    Raises:
        LookupError: the database holds no read tables, or tables of another version (``hrh rebuild``).
    """
    target = target or Target.of_ledger()
    reached = await catching_up.catch_up(url, target)
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    reads = None
    try:
        reads = await replica_reads(pool, target.schema, reached)
        # Not started: an export only reads, so it never waits for the runner (``caughtUp``).
        projected = Projected(url, target.schema)
        yield Services(
            pool=pool, ledger=ledger, schema=target.schema, admin_token=None, projected=projected, reads=reads
        )
    finally:
        if reads is not None:
            await reads.close()
        await pool.close()


async def replica_reads(primary: asyncpg.Pool, schema: str, position: int) -> ReadRouting | None:
    """With ``HRH_READ_DATABASE_URL``: the reads' routing to that replica, once it has replayed ``position``;
    None (the export reads the primary) when there is none, or it has not in time."""
    settings = Settings()
    if settings.read_database_url is None:
        return None
    reads = ReadRouting(primary, settings.read_database_url, schema, settings.read_max_lag_seconds)
    await reads.start()
    if await reads.including(position, REPLAY_SECONDS) is reads.replica:
        return reads
    await reads.close()
    return None


async def run_export(
    url: str,
    ledger: Ledger,
    user: str | None,
    export: Callable[[Services, User], Awaitable[T]],
    target: Target | None = None,
) -> T:
    """What ``export`` makes with an export's services (``export_services``), run as the user named ``user``
    (the operator when None).

    Raises:
        UserRefused: no such user, or one revoked or expired.
        LookupError: the database holds no read tables, or tables of another version.
    """
    async with export_services(url, ledger, target) as services:
        who = OPERATOR if user is None else await user_named(services.pool, user)
        return await export(services, who)
