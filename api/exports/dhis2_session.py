"""A command-line DHIS2 export: ``data_value_sets`` run by ``api.exports.session.run_export``."""

from datetime import datetime
from functools import partial

from api.exports.dhis2 import Export, data_value_sets
from api.exports.dhis2_mapping import Mapping
from api.exports.dhis2_periods import Period
from api.exports.session import run_export
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
    """The dataValueSets export, run as ``user`` (the operator when None): ``data_value_sets`` by ``run_export``."""
    export = partial(data_value_sets, mapping=mapping, period=period, unit=unit, changed_since=changed_since)
    return await run_export(url, ledger, user, export, target)
