"""A command-line NHWA export: the services and the user of ``api.exports.session``, then ``nhwa_figures``."""

from datetime import datetime

from api.exports.nhwa import NhwaExport, nhwa_figures
from api.exports.session import OPERATOR, export_services, user_named
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
    """The NHWA export of ``year``, run as ``user`` (the operator when None); see ``nhwa_figures``.

    Raises:
        UserRefused: no such user, or one revoked or expired.
        LookupError: the database holds no read tables, or tables of another version.
    """
    async with export_services(url, ledger, target) as services:
        who = OPERATOR if user is None else await user_named(services.pool, user)
        return await nhwa_figures(services, who, year, known_at=known_at, country=country)
