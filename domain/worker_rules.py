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
        raise DateOutOfOrder(f"The worker is already hired before {hire.describe()}.")


def check_hired_on(before: State, entry: Entry) -> None:
    """Raises WorkerNotHired when ``entry`` takes effect before the worker's hire."""
    if not before.hired and not before.departed:
        raise WorkerNotHired(f"{entry.describe().capitalize()} comes before the worker's hire.")


def check_not_departed(before: State, entry: Entry) -> None:
    """Raises WorkerDeparted when the worker departed before ``entry`` and was not rehired since."""
    if before.departed:
        raise WorkerDeparted(
            f"The worker departed before {entry.describe()}; record a rehire first, or check the date."
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
            f"{rehire.describe().capitalize()} needs a departure before it; the worker is still employed."
        )


# Postings and transfers.


def check_not_posted(before: State, posting: Entry) -> None:
    """Raises WorkerAlreadyPosted when a posting finds the worker posted: moving them is a transfer."""
    if before.facility is not None:
        raise WorkerAlreadyPosted(
            f"The worker is already posted to {before.facility} on {posting.effective_on.isoformat()}; "
            "record a transfer instead of a posting."
        )


def check_posted_on(before: State, transfer: Entry) -> None:
    """Raises WorkerNotPosted when a transfer finds the worker posted nowhere."""
    if before.facility is None:
        raise WorkerNotPosted(
            f"The worker is not posted anywhere on {transfer.effective_on.isoformat()}; "
            "record a posting, not a transfer."
        )


def check_destination_differs(before: State, transfer: Entry) -> None:
    """Raises SameFacility when a transfer would move the worker to the facility they are at."""
    if before.facility == transfer.facility_code:
        raise SameFacility(
            f"{transfer.describe().capitalize()} would move the worker from {before.facility} to "
            f"{transfer.facility_code}, the facility they are already at."
        )


def check_origin_unchanged(expected_from: str | None, origin: str | None, day: date) -> None:
    """Raises OriginChanged when a transfer expected the worker at ``expected_from`` on ``day`` and
    they are at ``origin`` instead: someone recorded a change meanwhile."""
    if expected_from is not None and origin != expected_from:
        raise OriginChanged(
            f"The transfer expected the worker at {expected_from} on {day.isoformat()}, but they are "
            f"{f'at {origin}' if origin else 'at no facility'} on that date: someone recorded a change "
            "meanwhile. Look at the worker again, then send the transfer from where they are."
        )


# Leave.


def check_in_post_for_leave(before: State, leave_start: Entry) -> None:
    """Raises WorkerNotPosted when a leave starts while the worker is in post nowhere."""
    if before.facility is None:
        raise WorkerNotPosted(
            f"The worker is not in post on {leave_start.effective_on.isoformat()}; leave starts in post."
        )


def check_not_on_leave(before: State, leave_start: Entry) -> None:
    """Raises AlreadyOnLeave when a leave starts while the worker is on leave."""
    if before.leave_since is not None:
        raise AlreadyOnLeave(
            f"The worker is already on leave since {before.leave_since.isoformat()} "
            f"on {leave_start.effective_on.isoformat()}."
        )


def check_on_leave(before: State, leave_end: Entry) -> None:
    """Raises NotOnLeave when a leave ends while the worker is not on leave."""
    if before.leave_since is None:
        raise NotOnLeave(
            f"The worker is not on leave on {leave_end.effective_on.isoformat()}; there is no leave to end."
        )


def check_leave_ends_after_start(before: State, leave_end: Entry) -> None:
    """Raises DateOutOfOrder when a leave ends on or before the day it started."""
    if before.leave_since is not None and leave_end.effective_on <= before.leave_since:
        raise DateOutOfOrder(
            f"A leave that started on {before.leave_since.isoformat()} must end on a later date, "
            f"not {leave_end.effective_on.isoformat()}."
        )


# Cadre.


def check_cadre_changes(before: State, requalification: Entry) -> None:
    """Raises SameCadre when a requalification names the cadre the worker already holds."""
    if requalification.cadre_code == before.cadre:
        raise SameCadre(f"The worker is already in cadre {before.cadre} on {requalification.effective_on.isoformat()}.")


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
        raise NotAFacility(f"{unit.code} is a {unit.level.name}; workers are posted to facilities only.")


def check_stints_fit_facility(facility: FacilityView, stints: Iterable[Period]) -> None:
    """Raises FacilityClosed when a stint starts before the facility opened or outlasts its closing."""
    for stint in stints:
        if stint.start < facility.opened_on:
            raise FacilityClosed(
                f"{facility.code} opened on {facility.opened_on.isoformat()}; "
                f"no one can be in post there on {stint.start.isoformat()}."
            )
        if facility.closed_on is not None and (stint.end is None or stint.end > facility.closed_on):
            until = "with no end" if stint.end is None else f"until {stint.end.isoformat()}"
            raise FacilityClosed(
                f"{facility.code} closed on {facility.closed_on.isoformat()}; a stint there from "
                f"{stint.start.isoformat()} {until} would outlast it."
            )


# Identity details.


def check_details_change(changed: Mapping[str, Any]) -> None:
    """Raises InvalidInput when a correction gives every field the value it already has."""
    if not changed:
        raise InvalidInput("Every field given already has that value; there is nothing to correct.")


def check_born_before_hire(birth_date: date | None, hired_on: date) -> None:
    """Raises DateOutOfOrder when a corrected birth date is not before the first hire."""
    if birth_date is not None and birth_date >= hired_on:
        raise DateOutOfOrder(f"birthDate {birth_date.isoformat()} is not before the hire on {hired_on.isoformat()}.")


# Retraction: of a timeline event in force. Whether the timeline holds without it is
# ``Timeline.check_consistent_without``.


def check_event_exists(worker_id: UUID, version: int, kinds: Mapping[int, str]) -> None:
    """Raises NotFound when the worker has no event ``version``."""
    if version not in kinds:
        raise NotFound(f"Worker {worker_id} has no event {version}.")


def check_not_retracted(worker_id: UUID, version: int, retracted: Set[int]) -> None:
    """Raises NotRetractable when event ``version`` is already retracted."""
    if version in retracted:
        raise NotRetractable(f"Event {version} of worker {worker_id} is already retracted.")


def check_timeline_event(version: int, kind: str, entries: Mapping[int, Entry]) -> None:
    """Raises NotRetractable when event ``version`` (a ``kind``) is not a timeline event after the hire:
    a hire is corrected, and a correction or a retraction is not retracted."""
    if version not in entries or version == 1:
        raise NotRetractable(
            f"A {kind} event cannot be retracted" + ("; correct the worker's details instead." if version == 1 else ".")
        )
