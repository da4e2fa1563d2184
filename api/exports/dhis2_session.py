"""Who a command-line DHIS2 export runs as, and the services it asks GraphQL through: a pool over the
read tables, the ledger, and the runner's announcements (``api.projecting.Projected``), as ``hrh serve``
builds them for a request."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import asyncpg

from api.access import Role, User
from api.exports.dhis2 import Export, data_value_sets
from api.exports.dhis2_mapping import ExportError, Mapping
from api.exports.dhis2_periods import Period
from api.graphql.context import Services
from api.projecting import Projected
from domain.ledger import Ledger
from projections import accounts

OPERATOR = User("cli", Role.ADMIN)  # the operator at the machine, when no --user is given


async def exporting_user(pool: asyncpg.Pool, name: str | None) -> User:
    """The user named ``name`` (their role and scope), or the operator at the machine when None.

    Raises:
        ExportError: no user has that name (UNKNOWN_USER), or their account is revoked (USER_REVOKED).
    """
    if name is None:
        return OPERATOR
    found = await accounts.with_password(pool, name)
    if found is None:
        raise ExportError("UNKNOWN_USER", f"--user {name}: no user has this name (see `hrh users list`)")
    account = found[0]
    if account.revoked_at is not None:
        raise ExportError("USER_REVOKED", f"--user {name}: this account is revoked")
    return User(account.name, Role(account.role), account.scope_code)


@asynccontextmanager
async def services_for(url: str, ledger: Ledger, schema: str) -> AsyncIterator[Services]:
    """The services of one export over the database at ``url``, the read tables in ``schema``."""
    pool = await asyncpg.create_pool(url, min_size=1, max_size=4)
    projected = Projected(url, schema)
    try:
        await projected.start()
        yield Services(pool=pool, ledger=ledger, schema=schema, admin_token=None, projected=projected)
    finally:
        await projected.close()
        await pool.close()


async def export_dhis2(
    url: str,
    ledger: Ledger,
    schema: str,
    mapping: Mapping,
    period: Period,
    *,
    user: str | None = None,
    unit: str | None = None,
    changed_since: datetime | None = None,
) -> Export:
    """The dataValueSets export, run as ``user`` (the operator when None); see ``data_value_sets``."""
    async with services_for(url, ledger, schema) as services:
        async with services.pool.acquire() as conn:
            await accounts.ensure_table(conn)
        who = await exporting_user(services.pool, user)
        return await data_value_sets(services, who, mapping, period, unit=unit, changed_since=changed_since)
