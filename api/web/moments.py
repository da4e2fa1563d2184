"""Moments written in a page's address (``knownAt``, a trail's ``from`` and ``to``): an ISO date-time,
UTC unless it says otherwise, or an ISO date for the first or the last moment of that day (UTC)."""

from datetime import UTC, date, datetime, time

from api.operations import Refusal
from domain.errors import N_

UNREADABLE_KNOWN_AT = N_("“As known at” must be a date (2017-12-31) or a moment (2017-12-31T18:00:00Z), not “{value}”.")


def moment_of(text: str, *, end: bool) -> datetime:
    """The moment ``text`` writes; a date alone is its first moment, or with ``end`` its last.

    Raises:
        ValueError: ``text`` is neither a date nor a date-time.
    """
    written = text.strip()
    if len(written) == 10:
        return datetime.combine(date.fromisoformat(written), time.max if end else time.min, tzinfo=UTC)
    moment = datetime.fromisoformat(written)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def unreadable_known_at(value: str) -> Refusal:
    """The refusal of a ``knownAt`` that is not a moment, as the API words its refusals."""
    return Refusal("BAD_USER_INPUT", UNREADABLE_KNOWN_AT.format(value=value), UNREADABLE_KNOWN_AT, {"value": value})
