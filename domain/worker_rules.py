"""A worker's rules, one named guard each (DESIGN, "Invariants").

A timeline guard takes where the worker stands just before an entry (``before``) and the entry,
and raises the typed domain error that forbids it. The Worker's commands call them by name for
the event they record; ``RULES`` lists the same guards by kind, so that a back-dated event or a
retraction checks again every event it moves (``domain.timeline.check``).
"""

from collections.abc import Callable, Iterable, Mapping, Set
from datetime import date
from typing import Any
from uuid import UUID

from domain.errors import (
    N_,
    AlreadyOnLeave,
    DateOutOfOrder,
    FacilityClosed,
    InvalidInput,
    NotAFacility,
    NotFound,
    NotOnLeave,
    NotRetractable,
    OriginChanged,
    SameCadre,
    SameFacility,
    WorkerAlreadyPosted,
    WorkerDeparted,
    WorkerNotDeparted,
    WorkerNotHired,
    WorkerNotPosted,
)
from domain.values import OrgUnitLevel, Period
from domain.worker_state import Entry, FacilityView, Kind, State

Guard = Callable[[State, Entry], None]


# Employment: an event needs a hire before it, and no departure since (unless rehired).


def check_first_hire(before: State, hire: Entry) -> None:
    """Raises DateOutOfOrder when the worker is already hired before ``hire``."""
    if before.hired or before.departed:
        raise DateOutOfOrder(
            N_("The worker is already hired before the hire of {event_on}."), event_on=hire.effective_on
        )


def check_hired_on(before: State, entry: Entry) -> None:
    """Raises WorkerNotHired when ``entry`` takes effect before the worker's hire."""
    if not before.hired and not before.departed:
        raise WorkerNotHired(N_("The {event} of {event_on} comes before the worker's hire."), **entry.params())


def check_not_departed(before: State, entry: Entry) -> None:
    """Raises WorkerDeparted when the worker departed before ``entry`` and was not rehired since."""
    if before.departed:
        raise WorkerDeparted(
            N_("The worker departed before the {event} of {event_on}; record a rehire first, or check the date."),
            **entry.params(),
        )


def check_employed_on(before: State, entry: Entry) -> None:
    """Raises WorkerNotHired when ``entry`` takes effect before the worker's hire, WorkerDeparted when
    it takes effect after a departure with no rehire since."""
    if not before.hired or before.departed:  # so that an employed worker, the usual case, passes with one test
        check_hired_on(before, entry)
        check_not_departed(before, entry)


def check_departed_on(before: State, rehire: Entry) -> None:
    """Raises WorkerNotDeparted when a rehire finds the worker still employed."""
    if not before.departed:
        raise WorkerNotDeparted(
            N_("The rehire of {event_on} needs a departure before it; the worker is still employed."),
            event_on=rehire.effective_on,
        )


# Postings and transfers.


def check_not_posted(before: State, posting: Entry) -> None:
    """Raises WorkerAlreadyPosted when a posting finds the worker posted: moving them is a transfer."""
    if before.facility is not None:
        raise WorkerAlreadyPosted(
            N_("The worker is already posted to {facility} on {effective_on}; record a transfer instead of a posting."),
            facility=before.facility,
            effective_on=posting.effective_on,
        )


def check_posted_on(before: State, transfer: Entry) -> None:
    """Raises WorkerNotPosted when a transfer finds the worker posted nowhere."""
    if before.facility is None:
        raise WorkerNotPosted(
            N_("The worker is not posted anywhere on {effective_on}; record a posting, not a transfer."),
            effective_on=transfer.effective_on,
        )


def check_destination_differs(before: State, transfer: Entry) -> None:
    """Raises SameFacility when a transfer would move the worker to the facility they are at."""
    if before.facility == transfer.facility_code:
        raise SameFacility(
            N_(
                "The transfer of {event_on} would move the worker from {from_facility} to {to_facility}, "
                "the facility they are already at."
            ),
            event_on=transfer.effective_on,
            from_facility=before.facility,
            to_facility=transfer.facility_code,
        )


def check_origin_unchanged(expected_from: str | None, origin: str | None, day: date) -> None:
    """Raises OriginChanged when a transfer expected the worker at ``expected_from`` on ``day`` and
    they are at ``origin`` instead: someone recorded a change meanwhile."""
    if expected_from is not None and origin != expected_from:
        raise OriginChanged(
            N_(
                "The transfer expected the worker at {expected_from} on {day}, but they are at {origin} on that "
                "date: someone recorded a change meanwhile. Look at the worker again, then send the transfer "
                "from where they are."
            )
            if origin
            else N_(
                "The transfer expected the worker at {expected_from} on {day}, but they are at no facility on "
                "that date: someone recorded a change meanwhile. Look at the worker again, then send the "
                "transfer from where they are."
            ),
            expected_from=expected_from,
            day=day,
            **({"origin": origin} if origin else {}),
        )


# Leave.


def check_in_post_for_leave(before: State, leave_start: Entry) -> None:
    """Raises WorkerNotPosted when a leave starts while the worker is in post nowhere."""
    if before.facility is None:
        raise WorkerNotPosted(
            N_("The worker is not in post on {effective_on}; leave starts in post."),
            effective_on=leave_start.effective_on,
        )


def check_not_on_leave(before: State, leave_start: Entry) -> None:
    """Raises AlreadyOnLeave when a leave starts while the worker is on leave."""
    if before.leave_since is not None:
        raise AlreadyOnLeave(
            N_("The worker is already on leave since {leave_since} on {effective_on}."),
            leave_since=before.leave_since,
            effective_on=leave_start.effective_on,
        )


def check_on_leave(before: State, leave_end: Entry) -> None:
    """Raises NotOnLeave when a leave ends while the worker is not on leave."""
    if before.leave_since is None:
        raise NotOnLeave(
            N_("The worker is not on leave on {effective_on}; there is no leave to end."),
            effective_on=leave_end.effective_on,
        )


def check_leave_ends_after_start(before: State, leave_end: Entry) -> None:
    """Raises DateOutOfOrder when a leave ends on or before the day it started."""
    if before.leave_since is not None and leave_end.effective_on <= before.leave_since:
        raise DateOutOfOrder(
            N_("A leave that started on {leave_since} must end on a later date, not {effective_on}."),
            leave_since=before.leave_since,
            effective_on=leave_end.effective_on,
        )


# Cadre.


def check_cadre_changes(before: State, requalification: Entry) -> None:
    """Raises SameCadre when a requalification names the cadre the worker already holds."""
    if requalification.cadre_code == before.cadre:
        raise SameCadre(
            N_("The worker is already in cadre {cadre_code} on {effective_on}."),
            cadre_code=before.cadre,
            effective_on=requalification.effective_on,
        )


RULES: Mapping[Kind, tuple[Guard, ...]] = {
    Kind.HIRED: (check_first_hire,),
    Kind.POSTED: (check_employed_on, check_not_posted),
    Kind.TRANSFERRED: (check_employed_on, check_posted_on, check_destination_differs),
    Kind.TRAINING_RECORDED: (check_employed_on,),
    Kind.REQUALIFIED: (check_employed_on, check_cadre_changes),
    Kind.LEAVE_STARTED: (check_employed_on, check_in_post_for_leave, check_not_on_leave),
    Kind.LEAVE_ENDED: (check_employed_on, check_on_leave, check_leave_ends_after_start),
    Kind.DEPARTED: (check_employed_on,),
    Kind.REHIRED: (check_hired_on, check_departed_on),
}
"""The guards each kind of entry passes, in order; the Worker's command for that kind calls the same."""


# Facilities: a worker is in post at facilities only, while they are open.


def check_is_facility(unit: FacilityView) -> None:
    """Raises NotAFacility when a worker would be posted to an org unit that is not a facility."""
    if unit.level is not OrgUnitLevel.FACILITY:
        raise NotAFacility(
            N_("{code} is a {level}; workers are posted to facilities only."), code=unit.code, level=unit.level.name
        )


def check_stints_fit_facility(facility: FacilityView, stints: Iterable[Period]) -> None:
    """Raises FacilityClosed when a stint starts before the facility opened or outlasts its closing."""
    for stint in stints:
        if stint.start < facility.opened_on:
            raise FacilityClosed(
                N_("{code} opened on {opened_on}; no one can be in post there on {start}."),
                code=facility.code,
                opened_on=facility.opened_on,
                start=stint.start,
            )
        if facility.closed_on is not None and (stint.end is None or stint.end > facility.closed_on):
            raise FacilityClosed(
                N_("{code} closed on {closed_on}; a stint there from {start} with no end would outlast it.")
                if stint.end is None
                else N_("{code} closed on {closed_on}; a stint there from {start} until {end} would outlast it."),
                code=facility.code,
                closed_on=facility.closed_on,
                start=stint.start,
                **({} if stint.end is None else {"end": stint.end}),
            )


# Identity details.


def check_details_change(changed: Mapping[str, Any]) -> None:
    """Raises InvalidInput when a correction gives every field the value it already has."""
    if not changed:
        raise InvalidInput(N_("Every field given already has that value; there is nothing to correct."))


def check_born_before_hire(birth_date: date | None, hired_on: date) -> None:
    """Raises DateOutOfOrder when a corrected birth date is not before the first hire."""
    if birth_date is not None and birth_date >= hired_on:
        raise DateOutOfOrder(
            N_("birthDate {birth_date} is not before the hire on {hired_on}."), birth_date=birth_date, hired_on=hired_on
        )


# Retraction: of a timeline event in force. Whether the timeline holds without it is
# ``Timeline.check_consistent_without``.


def check_event_exists(worker_id: UUID, version: int, kinds: Mapping[int, str], position: int | None = None) -> None:
    """Raises NotFound when the worker has no event ``version`` (at ledger ``position``, when known)."""
    if version not in kinds:
        raise NotFound(
            N_("Worker {worker_id} has no event at ledger position {position}.")
            if position is not None
            else N_("Worker {worker_id} has no such event."),
            worker_id=str(worker_id),
            **({} if position is None else {"position": position}),
        )


def check_not_retracted(worker_id: UUID, version: int, retracted: Set[int], position: int | None = None) -> None:
    """Raises NotRetractable when event ``version`` (at ledger ``position``, when known) is already retracted."""
    if version in retracted:
        raise NotRetractable(
            N_("The event at ledger position {position} of worker {worker_id} is already retracted.")
            if position is not None
            else N_("This event of worker {worker_id} is already retracted."),
            worker_id=str(worker_id),
            **({} if position is None else {"position": position}),
        )


def check_timeline_event(version: int, kind: str, entries: Mapping[int, Entry]) -> None:
    """Raises NotRetractable when event ``version`` (a ``kind``) is not a timeline event after the hire:
    a hire is corrected, and a correction or a retraction is not retracted."""
    if version not in entries or version == 1:
        raise NotRetractable(
            N_("A {kind} event cannot be retracted; correct the worker's details instead.")
            if version == 1
            else N_("A {kind} event cannot be retracted."),
            kind=kind,
        )
