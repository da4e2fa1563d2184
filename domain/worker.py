"""The Worker aggregate: a health worker's career, as a timeline of effective-dated events."""

from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import clock
from domain import worker_rules as rules
from domain.timeline import Stints, Timeline
from domain.values import DepartureReason, FundingSource, LeaveKind, Provenance, Sector, Sex
from domain.worker_state import Entry, FacilityView, Kind


class Worker(Aggregate):
    """A health worker. Each command calls, by name, the guards (``domain.worker_rules``) its event must pass
    on its effective date, then checks that the whole timeline stays consistent before it records."""

    TOPIC = "hrh:Worker"

    class Event(Aggregate.Event):
        TOPIC = "hrh:Worker.Event"
        create_timestamp = staticmethod(clock.now)

    class Hired(Aggregate.Created, Event):
        """Version 2 adds the country of birth and of first qualification (None when unknown)."""

        TOPIC = "hrh:Worker.Hired.v1"  # the topic stored events name; the version is in their state
        class_version = 2
        civil_service_number: str | None
        family_name: str
        given_names: str
        sex: Sex
        birth_date: date | None
        cadre_code: str
        sector: Sector
        funding_source: FundingSource
        effective_on: date
        meta: Provenance
        country_of_birth: str | None
        qualification_country: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """A hire recorded before version 2 knows neither country."""
            state["country_of_birth"] = state["qualification_country"] = None

    # The event classes that ``@event`` makes from the methods below, declared for type checkers.
    Posted: ClassVar[type[Event]]
    Transferred: ClassVar[type[Event]]
    TrainingRecorded: ClassVar[type[Event]]
    Requalified: ClassVar[type[Event]]
    LeaveStarted: ClassVar[type[Event]]
    LeaveEnded: ClassVar[type[Event]]
    Departed: ClassVar[type[Event]]
    Rehired: ClassVar[type[Event]]
    DetailsCorrected: ClassVar[type[Event]]
    EventRetracted: ClassVar[type[Event]]

    @event(Hired)
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
        country_of_birth: str | None = None,
        qualification_country: str | None = None,
    ) -> None:
        self.civil_service_number = civil_service_number
        self.family_name = family_name
        self.given_names = given_names
        self.sex = sex
        self.birth_date = birth_date
        self.cadre_code = cadre_code
        self.sector = sector
        self.funding_source = funding_source
        self.country_of_birth = country_of_birth
        self.qualification_country = qualification_country
        self.hired_by = meta.recorded_by  # a worker never posted is in the scope of whoever hired them
        self.timeline = Timeline.of_hire(Entry(1, Kind.HIRED, effective_on, None, cadre_code))
        self.kinds: dict[int, str] = {1: "Hired"}

    # Queries.

    def facility_on(self, day: date) -> str | None:
        """The worker's facility just before an event recorded now with effective date ``day``."""
        return self.timeline.state_before(day, self.version + 1).facility

    def _next(self, kind: Kind, day: date, facility_code: str | None = None, cadre_code: str | None = None) -> Entry:
        return Entry(self.version + 1, kind, day, facility_code, cadre_code)

    # Commands. Each returns the worker's stints per facility after the change, when they can change.

    def post(
        self,
        facility_code: str,
        job_title: str | None,
        effective_on: date,
        meta: Provenance,
        facilities: Mapping[str, FacilityView],
    ) -> Stints:
        posting = self._next(Kind.POSTED, effective_on, facility_code)
        before = self.timeline.before(posting)
        rules.check_employed_on(before, posting)
        rules.check_not_posted(before, posting)
        stints = self.timeline.check_consistent_with(posting, facilities)
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
        rules.check_origin_unchanged(expected_from, origin, effective_on)
        transfer = self._next(Kind.TRANSFERRED, effective_on, to_facility_code)
        before = self.timeline.before(transfer)
        rules.check_employed_on(before, transfer)
        rules.check_posted_on(before, transfer)
        rules.check_destination_differs(before, transfer)
        stints = self.timeline.check_consistent_with(transfer, facilities)
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
        training = self._next(Kind.TRAINING_RECORDED, started_on)
        before = self.timeline.before(training)
        rules.check_employed_on(before, training)
        self.timeline.check_consistent_with(training, facilities)
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
        requalification = self._next(Kind.REQUALIFIED, effective_on, cadre_code=cadre_code)
        before = self.timeline.before(requalification)
        rules.check_employed_on(before, requalification)
        rules.check_cadre_changes(before, requalification)
        self.timeline.check_consistent_with(requalification, facilities)
        self._requalified(cadre_code=cadre_code, effective_on=effective_on, meta=meta)

    def start_leave(
        self, kind: LeaveKind, effective_on: date, meta: Provenance, facilities: Mapping[str, FacilityView]
    ) -> None:
        leave_start = self._next(Kind.LEAVE_STARTED, effective_on)
        before = self.timeline.before(leave_start)
        rules.check_employed_on(before, leave_start)
        rules.check_in_post_for_leave(before, leave_start)
        rules.check_not_on_leave(before, leave_start)
        self.timeline.check_consistent_with(leave_start, facilities)
        self._leave_started(kind=kind, effective_on=effective_on, meta=meta)

    def end_leave(self, effective_on: date, meta: Provenance, facilities: Mapping[str, FacilityView]) -> None:
        leave_end = self._next(Kind.LEAVE_ENDED, effective_on)
        before = self.timeline.before(leave_end)
        rules.check_employed_on(before, leave_end)
        rules.check_on_leave(before, leave_end)
        rules.check_leave_ends_after_start(before, leave_end)
        self.timeline.check_consistent_with(leave_end, facilities)
        self._leave_ended(effective_on=effective_on, meta=meta)

    def depart(
        self, reason: DepartureReason, effective_on: date, meta: Provenance, facilities: Mapping[str, FacilityView]
    ) -> Stints:
        departure = self._next(Kind.DEPARTED, effective_on)
        before = self.timeline.before(departure)
        rules.check_employed_on(before, departure)
        stints = self.timeline.check_consistent_with(departure, facilities)
        self._departed(reason=reason, effective_on=effective_on, meta=meta)
        return stints

    def rehire(self, effective_on: date, meta: Provenance, facilities: Mapping[str, FacilityView]) -> Stints:
        rehire = self._next(Kind.REHIRED, effective_on)
        before = self.timeline.before(rehire)
        rules.check_hired_on(before, rehire)
        rules.check_departed_on(before, rehire)
        stints = self.timeline.check_consistent_with(rehire, facilities)
        self._rehired(effective_on=effective_on, meta=meta)
        return stints

    def correct_details(self, corrections: dict[str, Any], meta: Provenance) -> None:
        changed = {k: v for k, v in corrections.items() if getattr(self, k) != v}
        rules.check_details_change(changed)
        rules.check_born_before_hire(changed.get("birth_date"), self.timeline.hired_on())
        self._details_corrected(corrections=changed, meta=meta)

    def retract(self, version: int, reason: str, meta: Provenance, facilities: Mapping[str, FacilityView]) -> Stints:
        position = self.timeline.place(version)  # the ledger position the clerk named (the history shows it)
        rules.check_event_exists(self.id, version, self.kinds, position)
        rules.check_not_retracted(self.id, version, self.timeline.retracted, position)
        rules.check_timeline_event(version, self.kinds[version], self.timeline.entries)
        stints = self.timeline.check_consistent_without(version, facilities, position)
        self._event_retracted(retracted_version=version, reason=reason, meta=meta)
        return stints

    # Events. While an event applies, ``self.version`` is still the version before it.

    def _add(self, kind: Kind, day: date, facility_code: str | None = None, cadre_code: str | None = None) -> None:
        version = self.version + 1
        self.timeline.add(Entry(version, kind, day, facility_code, cadre_code))
        self.kinds[version] = kind.name.title().replace("_", "")

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
        self.timeline.retract(retracted_version)
        self.kinds[self.version + 1] = "EventRetracted"
