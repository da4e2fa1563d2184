"""Typed domain errors. Each carries a stable UPPER_SNAKE ``code`` and a message a clerk can act on.

A refusal is a message *template* plus its *parameters*, so that it can be rendered in the reader's
language: ``WorkerDeparted(N_("The worker departed before the {event} of {event_on}; ..."),
event="transfer", event_on=date(2017, 3, 1))``. ``message`` is the English text, the template filled
in; ``template`` is the catalogue's msgid (every one is marked with ``N_``, which Babel's extractor
finds by default); ``params`` keep their Python values (dates stay dates, for the page to format for
its locale). A refusal that wraps another (a later event it would invalidate) names it in ``inner``
and puts its English message in the ``reason`` parameter.
"""

from datetime import date, datetime
from typing import Self

Param = str | int | float | date | datetime | None
"""A refusal's parameter: text, a number, a date or a date-time, or None."""


def N_(template: str) -> str:  # noqa: N802 (gettext_noop's conventional name)
    """Marks ``template`` for translation and returns it as it is (gettext's ``gettext_noop``)."""
    return template


class Refusal(Exception):
    """Raised when a request is refused; the base of the domain's errors and of the API's
    authentication and authorisation refusals. Nothing is written.

    Args:
        template: the English text, with ``{name}`` placeholders, marked with ``N_``.
        **params: the value of each placeholder. A template given without parameters is the message
            as it is (no placeholder is filled in, so braces in it stay).
    """

    code = "BAD_USER_INPUT"

    def __init__(self, template: str, /, **params: Param) -> None:
        self.template = template
        self.params: dict[str, Param] = params
        self.message = template.format(**params) if params else template
        self.inner: Refusal | None = None
        super().__init__(self.message)

    def wrapping(self, inner: "Refusal") -> Self:
        """This refusal, naming ``inner`` as the refusal it wraps; returns it."""
        self.inner = inner
        return self


class DomainError(Refusal):
    """Raised when a command is refused. Nothing is written."""

    code = "BAD_USER_INPUT"


class InvalidInput(DomainError):
    """Raised when a field is malformed: empty, too long, out of range."""

    code = "BAD_USER_INPUT"


class DateInFuture(DomainError):
    """Raised when a date lies beyond today plus the configured margin."""

    code = "DATE_IN_FUTURE"


class DateTooEarly(DomainError):
    """Raised when an effective date lies before the earliest date the ledger accepts (1950 by default)."""

    code = "DATE_TOO_EARLY"


class DateOutOfOrder(DomainError):
    """Raised when dates contradict each other, or lie implausibly far apart: an end before a start, a
    birth too close to the hire, a training that lasts longer than the limit."""

    code = "DATE_OUT_OF_ORDER"


class NotFound(DomainError):
    """Raised when a code, worker id or ledger position names nothing."""

    code = "NOT_FOUND"


class DuplicateCode(DomainError):
    """Raised when an org unit or cadre code is already taken."""

    code = "DUPLICATE_CODE"


class DuplicateCivilServiceNumber(DomainError):
    """Raised when a civil-service number already belongs to another worker."""

    code = "DUPLICATE_CIVIL_SERVICE_NUMBER"


class DuplicateCommand(DomainError):
    """Raised when a command id was already used for a different command."""

    code = "DUPLICATE_COMMAND_ID"


class Conflict(DomainError):
    """Raised when concurrent writers kept changing the same records and retries ran out."""

    code = "CONFLICT"


class OriginChanged(Conflict):
    """Raised when a transfer names the facility its recorder saw the worker at, and the worker is at
    another one on that date: someone recorded a change meanwhile."""

    code = "CONFLICT"


class InvalidParent(DomainError):
    """Raised when an org unit's parent is missing, closed, or not above it in the tree."""

    code = "INVALID_PARENT"


class OrgUnitClosed(DomainError):
    """Raised when an org unit is used on a date when it is not open."""

    code = "ORG_UNIT_CLOSED"


class FacilityClosed(DomainError):
    """Raised when a worker would be in post at a facility on a date when it is not open."""

    code = "FACILITY_CLOSED"


class NotAFacility(DomainError):
    """Raised when a worker is posted to an org unit that is not a facility."""

    code = "NOT_A_FACILITY"


class FacilityStaffed(DomainError):
    """Raised when a facility would close while workers are still in post there."""

    code = "FACILITY_STAFFED"


class WorkerNotHired(DomainError):
    """Raised when an event would take effect before the worker was hired."""

    code = "WORKER_NOT_HIRED"


class WorkerDeparted(DomainError):
    """Raised when an event would take effect after the worker departed (and before a rehire)."""

    code = "WORKER_DEPARTED"


class WorkerNotDeparted(DomainError):
    """Raised when a rehire is recorded for a worker who has not departed."""

    code = "WORKER_NOT_DEPARTED"


class WorkerNotPosted(DomainError):
    """Raised when a transfer or leave needs a posting the worker does not have."""

    code = "WORKER_NOT_POSTED"


class WorkerAlreadyPosted(DomainError):
    """Raised when a posting is recorded for a worker who is already posted: use a transfer."""

    code = "WORKER_ALREADY_POSTED"


class SameFacility(DomainError):
    """Raised when a transfer's destination is the facility the worker is already at."""

    code = "SAME_FACILITY"


class AlreadyOnLeave(DomainError):
    """Raised when a leave starts while the worker is already on leave."""

    code = "ALREADY_ON_LEAVE"


class NotOnLeave(DomainError):
    """Raised when a leave ends for a worker who is not on leave."""

    code = "NOT_ON_LEAVE"


class SameCadre(DomainError):
    """Raised when a requalification names the worker's current cadre."""

    code = "SAME_CADRE"


class NotRetractable(DomainError):
    """Raised when an event cannot be retracted: a hire, a retraction, a correction, or one already retracted."""

    code = "NOT_RETRACTABLE"


class RetractionBreaksTimeline(DomainError):
    """Raised when removing an event would leave the worker's timeline inconsistent."""

    code = "RETRACTION_BREAKS_TIMELINE"
