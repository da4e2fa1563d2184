"""A command-line DHIS2 export: the services and the user of ``api.exports.session``, then ``data_value_sets``."""

from datetime import datetime

from api.exports.dhis2 import Export, data_value_sets
from api.exports.dhis2_mapping import Mapping
from api.exports.dhis2_periods import Period
from api.exports.session import OPERATOR, export_services, user_named
from domain.ledger import Ledger
from projections.store import Target


async def export_dhis2(
    url: str,
    ledger: Ledger,
    mapping: Mapping,
    period: Period,
    *,
    user: str | None = None,
    unit: str | None = None,
    changed_since: datetime | None = None,
    target: Target | None = None,
) -> Export:
    """The dataValueSets export, run as ``user`` (the operator when None); see ``data_value_sets``.

    Raises:
        UserRefused: no such user, or one revoked or expired.
        LookupError: the database holds no read tables, or tables of another version.
    """
    async with export_services(url, ledger, target) as services:
        who = OPERATOR if user is None else await user_named(services.pool, user)
        return await data_value_sets(services, who, mapping, period, unit=unit, changed_since=changed_since)
