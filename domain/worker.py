"""The Worker aggregate: a health worker's career, as a timeline of effective-dated events."""

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import clock, timeline
from domain.errors import (
    DateOutOfOrder,
    DomainError,
    InvalidInput,
    NotFound,
    NotRetractable,
    OriginChanged,
    RetractionBreaksTimeline,
)
from domain.timeline import Entry, FacilityView, Kind, Tally
from domain.values import DepartureReason, FundingSource, LeaveKind, Period, Provenance, Sector, Sex

Stints = dict[str, list[Period]]


class Worker(Aggregate):
    """A health worker. Commands check the whole timeline before they record anything."""

    TOPIC = "hrh:Worker"

    class Event(Aggregate.Event):
        TOPIC = "hrh:Worker.Event"
        create_timestamp = staticmethod(clock.now)

    @event("Hired", topic="hrh:Worker.Hired.v1")
    def __init__(
        self,
        id: UUID,
        civil_service_number: str | None,
        family_name: str,
        given_names: str,
        sex: Sex,
        birth_date: date | None,
        cadre_code: str,
        sector: Sector,
        funding_source: FundingSource,
        effective_on: date,
        meta: Provenance,
    ) -> None:
        self.civil_service_number = civil_service_number
        self.family_name = family_name
        self.given_names = given_names
        self.sex = sex
        self.birth_date = birth_date
        self.cadre_code = cadre_code
        self.sector = sector
        self.funding_source = funding_source
        self.hired_by = meta.recorded_by  # a worker never posted is in the scope of whoever hired them
        hire = Entry(1, Kind.HIRED, effective_on, None, cadre_code)
        self.entries: dict[int, Entry] = {1: hire}
        self.retracted: set[int] = set()
        self.kinds: dict[int, str] = {1: "Hired"}
        self.tally: Tally | None = Tally.of([hire], 1)
        self.proposed: Tally | None = None  # the tally after the event being recorded, once checked

    # Queries.

    def hired_on(self) -> date:
        """The effective date of the first hire."""
        return self.entries[1].effective_on

    def in_force(self) -> list[Entry]:
        return [e for v, e in self.entries.items() if v not in self.retracted]

    def facility_codes(self) -> set[str]:
        tally = self._tally()
        if tally is not None:
            return set(tally.codes)
        return {e.facility_code for e in self.in_force() if e.facility_code is not None}

    def stints(self, facilities: Mapping[str, FacilityView]) -> Stints:
        tally = self._tally()
        if tally is None:
            return timeline.check(self.in_force(), facilities)
        return timeline.checked_stints({code: list(periods) for code, periods in tally.stints.items()}, facilities)

    def facility_on(self, day: date) -> str | None:
        """The worker's facility just before an event recorded now with effective date ``day``."""
        tally = self._tally()
        if tally is not None and tally.follows((day, self.version + 1)):
            return tally.state.facility
        return timeline.state_before(self.in_force(), day, self.version + 1).facility

    def home_facility(self, day: date) -> str | None:
        """The facility that places the worker in the org tree on ``day``: the latest posting or transfer
        in force effective on or before it (for a worker who departed, or is not posted, the last one
        they had), or failing that the first one after it; None for a worker never posted."""
        placed = [e for e in timeline.ordered(self.in_force()) if e.facility_code is not None]
        before = [e for e in placed if e.effective_on <= day]
        if before:
            return before[-1].facility_code
        return placed[0].facility_code if placed else None

    def _check_new(self, entry: Entry, facilities: Mapping[str, FacilityView]) -> Stints:
        tally = self._tally()
        if tally is not None and tally.follows(timeline.key(entry)):
            self.proposed = tally.after(entry, facilities)
            return self.proposed.stints
        return timeline.check([*self.in_force(), entry], facilities, new_version=entry.version)

    def _tally(self) -> Tally | None:
        """The tally of the timeline in force, or None when that timeline breaks a rule."""
        if self.tally is None or self.tally.version != self.version:
            try:
                self.tally = Tally.of(self.in_force(), self.version)
            except DomainError:
                self.tally = None
        return self.tally

    def _next(self, kind: Kind, day: date, facility_code: str | None = None, cadre_code: str | None = None) -> Entry:
        return Entry(self.version + 1, kind, day, facility_code, cadre_code)

    # Commands. Each returns the worker's stints per facility after the change.

    def post(
        self,
        facility_code: str,
        job_title: str | None,
        effective_on: date,
        meta: Provenance,
        facilities: Mapping[str, FacilityView],
    ) -> Stints:
        stints = self._check_new(self._next(Kind.POSTED, effective_on, facility_code), facilities)
        self._posted(facility_code=facility_code, job_title=job_title, effective_on=effective_on, meta=meta)
        return stints

    def transfer(
        self,
        to_facility_code: str,
        reason: str | None,
        effective_on: date,
        meta: Provenance,
        facilities: Mapping[str, FacilityView],
        *,
        expected_from: str | None = None,
    ) -> Stints:
        origin = self.facility_on(effective_on)
        if expected_from is not None and origin != expected_from:
            raise OriginChanged(
                f"The transfer expected the worker at {expected_from} on {effective_on.isoformat()}, but they are "
                f"{f'at {origin}' if origin else 'at no facility'} on that date: someone recorded a change "
                "meanwhile. Look at the worker again, then send the transfer from where they are."
            )
        stints = self._check_new(self._next(Kind.TRANSFERRED, effective_on, to_facility_code), facilities)
        self._transferred(
            from_facility_code=origin,
            to_facility_code=to_facility_code,
            reason=reason,
            effective_on=effective_on,
            meta=meta,
        )
        return stints

    def record_training(
        self,
        course: str,
        kind: str | None,
        provider: str | None,
        started_on: date,
        ended_on: date | None,
        outcome: str | None,
        meta: Provenance,
        facilities: Mapping[str, FacilityView],
    ) -> None:
        self._check_new(self._next(Kind.TRAINING_RECORDED, started_on), facilities)
        self._training_recorded(
            course=course,
            kind=kind,
            provider=provider,
            started_on=started_on,
            ended_on=ended_on,
            outcome=outcome,
            meta=meta,
        )

    def requalify(
        self, cadre_code: str, effective_on: date, meta: Provenance, facilities: Mapping[str, FacilityView]
    ) -> None:
        self._check_new(self._next(Kind.REQUALIFIED, effective_on, cadre_code=cadre_code), facilities)
        self._requalified(cadre_code=cadre_code, effective_on=effective_on, meta=meta)

    def start_leave(
        self, kind: LeaveKind, effective_on: date, meta: Provenance, facilities: Mapping[str, FacilityView]
    ) -> None:
        self._check_new(self._next(Kind.LEAVE_STARTED, effective_on), facilities)
        self._leave_started(kind=kind, effective_on=effective_on, meta=meta)

    def end_leave(self, effective_on: date, meta: Provenance, facilities: Mapping[str, FacilityView]) -> None:
        self._check_new(self._next(Kind.LEAVE_ENDED, effective_on), facilities)
        self._leave_ended(effective_on=effective_on, meta=meta)

    def depart(
        self, reason: DepartureReason, effective_on: date, meta: Provenance, facilities: Mapping[str, FacilityView]
    ) -> Stints:
        stints = self._check_new(self._next(Kind.DEPARTED, effective_on), facilities)
        self._departed(reason=reason, effective_on=effective_on, meta=meta)
        return stints

    def rehire(self, effective_on: date, meta: Provenance, facilities: Mapping[str, FacilityView]) -> Stints:
        stints = self._check_new(self._next(Kind.REHIRED, effective_on), facilities)
        self._rehired(effective_on=effective_on, meta=meta)
        return stints

    def correct_details(self, corrections: dict[str, Any], meta: Provenance) -> None:
        changed = {k: v for k, v in corrections.items() if getattr(self, k) != v}
        if not changed:
            raise InvalidInput("Every field given already has that value; there is nothing to correct.")
        birth = changed.get("birth_date")
        if birth is not None and birth >= self.entries[1].effective_on:
            raise DateOutOfOrder(
                f"birthDate {birth.isoformat()} is not before the hire on {self.entries[1].effective_on.isoformat()}."
            )
        self._details_corrected(corrections=changed, meta=meta)

    def retract(self, version: int, reason: str, meta: Provenance, facilities: Mapping[str, FacilityView]) -> Stints:
        kind = self.kinds.get(version)
        if kind is None:
            raise NotFound(f"Worker {self.id} has no event {version}.")
        if version in self.retracted:
            raise NotRetractable(f"Event {version} of worker {self.id} is already retracted.")
        if version not in self.entries or version == 1:
            raise NotRetractable(
                f"A {kind} event cannot be retracted"
                + ("; correct the worker's details instead." if version == 1 else ".")
            )
        remaining = [e for e in self.in_force() if e.version != version]
        try:
            stints = timeline.check(remaining, facilities)
        except DomainError as error:
            raise RetractionBreaksTimeline(
                f"Retracting {self.entries[version].describe()} would leave the timeline inconsistent: {error.message}"
            ) from None
        self._event_retracted(retracted_version=version, reason=reason, meta=meta)
        return stints

    # Events.

    # While an event applies, ``self.version`` is still the version before it.

    def _add(self, kind: Kind, day: date, facility_code: str | None = None, cadre_code: str | None = None) -> None:
        version = self.version + 1
        entry = self.entries[version] = Entry(version, kind, day, facility_code, cadre_code)
        self.kinds[version] = kind.name.title().replace("_", "")
        # Keep the tally when the entry comes last; otherwise it is tallied again when next needed.
        tally, self.tally = self.tally, None
        proposed, self.proposed = self.proposed, None
        if tally is None or tally.version != self.version:
            return
        if proposed is not None and proposed.last == entry:
            self.tally = proposed  # the checked tally after this very entry
            return
        if tally.follows(timeline.key(entry)):
            try:
                tally.add(entry)
            except DomainError:
                return
            self.tally = tally

    @event("Posted", topic="hrh:Worker.Posted.v1")
    def _posted(self, facility_code: str, job_title: str | None, effective_on: date, meta: Provenance) -> None:
        self._add(Kind.POSTED, effective_on, facility_code)

    @event("Transferred", topic="hrh:Worker.Transferred.v1")
    def _transferred(
        self,
        from_facility_code: str | None,
        to_facility_code: str,
        reason: str | None,
        effective_on: date,
        meta: Provenance,
    ) -> None:
        self._add(Kind.TRANSFERRED, effective_on, to_facility_code)

    @event("TrainingRecorded", topic="hrh:Worker.TrainingRecorded.v1")
    def _training_recorded(
        self,
        course: str,
        kind: str | None,
        provider: str | None,
        started_on: date,
        ended_on: date | None,
        outcome: str | None,
        meta: Provenance,
    ) -> None:
        self._add(Kind.TRAINING_RECORDED, started_on)

    @event("Requalified", topic="hrh:Worker.Requalified.v1")
    def _requalified(self, cadre_code: str, effective_on: date, meta: Provenance) -> None:
        self._add(Kind.REQUALIFIED, effective_on, cadre_code=cadre_code)

    @event("LeaveStarted", topic="hrh:Worker.LeaveStarted.v1")
    def _leave_started(self, kind: LeaveKind, effective_on: date, meta: Provenance) -> None:
        self._add(Kind.LEAVE_STARTED, effective_on)

    @event("LeaveEnded", topic="hrh:Worker.LeaveEnded.v1")
    def _leave_ended(self, effective_on: date, meta: Provenance) -> None:
        self._add(Kind.LEAVE_ENDED, effective_on)

    @event("Departed", topic="hrh:Worker.Departed.v1")
    def _departed(self, reason: DepartureReason, effective_on: date, meta: Provenance) -> None:
        self._add(Kind.DEPARTED, effective_on)

    @event("Rehired", topic="hrh:Worker.Rehired.v1")
    def _rehired(self, effective_on: date, meta: Provenance) -> None:
        self._add(Kind.REHIRED, effective_on)

    @event("DetailsCorrected", topic="hrh:Worker.DetailsCorrected.v1")
    def _details_corrected(self, corrections: dict[str, Any], meta: Provenance) -> None:
        for name, value in corrections.items():
            setattr(self, name, value)
        self.kinds[self.version + 1] = "DetailsCorrected"

    @event("EventRetracted", topic="hrh:Worker.EventRetracted.v1")
    def _event_retracted(self, retracted_version: int, reason: str, meta: Provenance) -> None:
        self.retracted.add(retracted_version)
        self.kinds[self.version + 1] = "EventRetracted"
