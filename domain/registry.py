"""Bookkeeping aggregates that make cross-record rules hold under concurrent writers.

Each has a deterministic id, so two writers racing for the same thing collide on the event
store's (id, version) key and one of them is re-checked against what the other wrote.
"""

from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import clock
from domain.errors import N_, DuplicateCivilServiceNumber, FacilityStaffed
from domain.identity import civil_service_number_id, command_receipt_id, roster_id
from domain.values import Period, Provenance


class CivilServiceNumber(Aggregate):
    """Who holds a civil-service number. A number has at most one holder at a time; numbers that
    differ only in case or surrounding spaces are one number (``identity.civil_service_key``)."""

    TOPIC = "hrh:CivilServiceNumber"

    class Event(Aggregate.Event):
        TOPIC = "hrh:CivilServiceNumber.Event"
        create_timestamp = staticmethod(clock.now)

    @staticmethod
    def create_id(number: str, **_: Any) -> UUID:
        return civil_service_number_id(number)

    # The event classes that ``@event`` makes from the methods below, declared for type checkers.
    Claimed: ClassVar[type[Event]]
    Reclaimed: ClassVar[type[Event]]
    Released: ClassVar[type[Event]]

    @event("Claimed", topic="hrh:CivilServiceNumber.Claimed.v1")
    def __init__(self, number: str, worker_id: UUID, meta: Provenance) -> None:
        self.number = number
        self.holder: UUID | None = worker_id

    def claim(self, worker_id: UUID, meta: Provenance) -> None:
        self.check_free_for(worker_id)
        if self.holder is None:
            self._reclaimed(worker_id=worker_id, meta=meta)

    def check_free_for(self, worker_id: UUID) -> None:
        if self.holder is not None and self.holder != worker_id:
            raise DuplicateCivilServiceNumber(
                N_(
                    "Civil-service number {number} already belongs to another worker; "
                    "check the number, or have the other worker's record corrected first."
                ),
                number=self.number,
            )

    def release(self, meta: Provenance) -> None:
        self._released(meta=meta)

    @event("Reclaimed", topic="hrh:CivilServiceNumber.Reclaimed.v1")
    def _reclaimed(self, worker_id: UUID, meta: Provenance) -> None:
        self.holder = worker_id

    @event("Released", topic="hrh:CivilServiceNumber.Released.v1")
    def _released(self, meta: Provenance) -> None:
        self.holder = None


class CommandReceipt(Aggregate):
    """The result of a command sent with a ``command_id``, saved in the same transaction.

    ``position_floor`` is a ledger position known to precede the command's events; it bounds
    the search for the command's position when a retry asks for the first result.
    """

    TOPIC = "hrh:CommandReceipt"

    class Event(Aggregate.Event):
        TOPIC = "hrh:CommandReceipt.Event"
        create_timestamp = staticmethod(clock.now)

    @staticmethod
    def create_id(command_id: str, meta: Provenance, **_: Any) -> UUID:
        return command_receipt_id(command_id, meta.recorded_by)

    # The event classes that ``@event`` makes from the methods below, declared for type checkers.
    Recorded: ClassVar[type[Event]]

    @event("Recorded", topic="hrh:CommandReceipt.Recorded.v1")
    def __init__(
        self,
        command_id: str,
        command: str,
        fingerprint: str,
        aggregate_id: UUID,
        position_floor: int,
        meta: Provenance,
    ) -> None:
        self.command_id = command_id
        self.command = command
        self.fingerprint = fingerprint
        self.aggregate_id = aggregate_id
        self.position_floor = position_floor
        self.recorded_by = meta.recorded_by


class FacilityRoster(Aggregate):
    """Who is in post at a facility, as periods per worker, kept in step with worker timelines.

    A facility's closing checks it, and appends to it, so a posting racing a closing collides here.
    """

    TOPIC = "hrh:FacilityRoster"

    class Event(Aggregate.Event):
        TOPIC = "hrh:FacilityRoster.Event"
        create_timestamp = staticmethod(clock.now)

    @staticmethod
    def create_id(facility_code: str, **_: Any) -> UUID:
        return roster_id(facility_code)

    # The event classes that ``@event`` makes from the methods below, declared for type checkers.
    Started: ClassVar[type[Event]]
    StintsChanged: ClassVar[type[Event]]
    ClosureChecked: ClassVar[type[Event]]

    @event("Started", topic="hrh:FacilityRoster.Started.v1")
    def __init__(self, facility_code: str, meta: Provenance) -> None:
        self.facility_code = facility_code
        self.stints: dict[UUID, list[Period]] = {}

    def update(self, worker_id: UUID, stints: list[Period], meta: Provenance) -> None:
        if self.stints.get(worker_id, []) != stints:
            self._stints_changed(worker_id=worker_id, stints=stints, meta=meta)

    def record_closure(self, effective_on: date, meta: Provenance) -> None:
        """Checks that no one is in post on or after ``effective_on``, and says so in the roster."""
        self.check_vacant_from(effective_on)
        self._closure_checked(effective_on=effective_on, meta=meta)

    def check_vacant_from(self, effective_on: date) -> None:
        for worker_id, periods in self.stints.items():
            for period in periods:
                if period.end is None or period.end > effective_on:
                    raise FacilityStaffed(
                        N_(
                            "{code} cannot close on {effective_on}: worker {worker_id} is in post there from "
                            "{start} with no end. Transfer or record the departure of every worker first."
                        )
                        if period.end is None
                        else N_(
                            "{code} cannot close on {effective_on}: worker {worker_id} is in post there from "
                            "{start} until {end}. Transfer or record the departure of every worker first."
                        ),
                        code=self.facility_code,
                        effective_on=effective_on,
                        worker_id=str(worker_id),
                        start=period.start,
                        **({} if period.end is None else {"end": period.end}),
                    )

    @event("StintsChanged", topic="hrh:FacilityRoster.StintsChanged.v1")
    def _stints_changed(self, worker_id: UUID, stints: list[Period], meta: Provenance) -> None:
        if stints:
            self.stints[worker_id] = stints
        else:
            self.stints.pop(worker_id, None)

    @event("ClosureChecked", topic="hrh:FacilityRoster.ClosureChecked.v1")
    def _closure_checked(self, effective_on: date, meta: Provenance) -> None:
        pass
