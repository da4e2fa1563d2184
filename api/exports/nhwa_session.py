"""A command-line NHWA export: ``nhwa_figures`` run by ``api.exports.session.run_export``."""

from datetime import datetime
from functools import partial

from api.exports.nhwa import NhwaExport, nhwa_figures
from api.exports.session import run_export
from domain.ledger import Ledger
from projections.store import Target


async def export_nhwa(
    url: str,
    ledger: Ledger,
    year: int,
    *,
    known_at: datetime | None = None,
    country: str | None = None,
    user: str | None = None,
    target: Target | None = None,
) -> NhwaExport:
    """The NHWA export of ``year``, run as ``user`` (the operator when None): ``nhwa_figures`` by ``run_export``."""
    export = partial(nhwa_figures, year=year, known_at=known_at, country=country)
    return await run_export(url, ledger, user, export, target)
