"""How the worker commands change the worker, the civil-service numbers and the facility rosters."""

from collections.abc import Callable
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain import commands as c
from domain.errors import N_, DuplicateCode
from domain.handlers.dispatch import handle
from domain.identity import civil_service_key
from domain.org_unit import OrgUnit
from domain.registry import CivilServiceNumber, FacilityRoster
from domain.staging import Staging
from domain.timeline import Stints
from domain.values import Period, Provenance
from domain.worker import Worker
from domain.worker_rules import check_is_facility


@handle.register
def _(command: c.HireWorker, staging: Staging, meta: Provenance) -> UUID:
    staging.cadre(command.cadre_code)
    worker_id = command.worker_id or uuid4()
    number = command.civil_service_number
    if staging.find(Aggregate, worker_id) is not None:
        raise DuplicateCode(
            N_("The id {worker_id} is already taken; leave the worker id out to get a new one."),
            worker_id=str(worker_id),
        )
    if number is not None:
        check_number_free(staging, number, worker_id)
    registration = staging.civil_service_number(number) if number is not None else None
    if registration is not None:
        registration.claim(worker_id, meta)
    worker = Worker(
        id=worker_id,
        civil_service_number=number,
        family_name=command.family_name,
        given_names=command.given_names,
        sex=command.sex,
        birth_date=command.birth_date,
        cadre_code=command.cadre_code,
        sector=command.sector,
        funding_source=command.funding_source,
        effective_on=command.effective_on,
        meta=meta,
        country_of_birth=command.country_of_birth,
        qualification_country=command.qualification_country,
    )
    staging.add(worker)
    if number is not None:
        staging.add(registration or CivilServiceNumber(number=number, worker_id=worker_id, meta=meta))
    return worker.id


def _change_worker(
    staging: Staging,
    worker_id: UUID,
    meta: Provenance,
    change: Callable[[Worker, dict[str, OrgUnit]], object],
    *new_facilities: str,
) -> UUID:
    """Applies ``change`` to a worker and brings the rosters of the facilities it touches in step."""
    worker = staging.worker(worker_id)
    facilities = {code: staging.org_unit(code) for code in worker.timeline.facility_codes() | set(new_facilities)}
    for code in new_facilities:
        check_is_facility(facilities[code])
    before = worker.timeline.stints(facilities)
    after = change(worker, facilities)
    staging.add(worker)
    if isinstance(after, dict):
        _update_rosters(staging, worker.id, before, after, meta)
    return worker.id


def _update_rosters(staging: Staging, worker_id: UUID, before: Stints, after: Stints, meta: Provenance) -> None:
    for code in sorted(before.keys() | after.keys()):
        periods: list[Period] = after.get(code, [])
        if before.get(code, []) == periods:
            continue
        roster = staging.roster(code) or FacilityRoster(facility_code=code, meta=meta)
        roster.update(worker_id, periods, meta)
        staging.add(roster)


@handle.register
def _(command: c.PostWorker, staging: Staging, meta: Provenance) -> UUID:
    return _change_worker(
        staging,
        command.worker_id,
        meta,
        lambda w, f: w.post(command.facility_code, command.job_title, command.effective_on, meta, f),
        command.facility_code,
    )


@handle.register
def _(command: c.TransferWorker, staging: Staging, meta: Provenance) -> UUID:
    return _change_worker(
        staging,
        command.worker_id,
        meta,
        lambda w, f: w.transfer(
            command.to_facility_code,
            command.reason,
            command.effective_on,
            meta,
            f,
            expected_from=command.expected_from_facility_code,
        ),
        command.to_facility_code,
    )


@handle.register
def _(command: c.RecordTraining, staging: Staging, meta: Provenance) -> UUID:
    return _change_worker(
        staging,
        command.worker_id,
        meta,
        lambda w, f: w.record_training(
            command.course,
            command.kind,
            command.provider,
            command.started_on,
            command.ended_on,
            command.outcome,
            meta,
            f,
        ),
    )


@handle.register
def _(command: c.RequalifyWorker, staging: Staging, meta: Provenance) -> UUID:
    staging.cadre(command.cadre_code)
    return _change_worker(
        staging, command.worker_id, meta, lambda w, f: w.requalify(command.cadre_code, command.effective_on, meta, f)
    )


@handle.register
def _(command: c.StartLeave, staging: Staging, meta: Provenance) -> UUID:
    return _change_worker(
        staging, command.worker_id, meta, lambda w, f: w.start_leave(command.kind, command.effective_on, meta, f)
    )


@handle.register
def _(command: c.EndLeave, staging: Staging, meta: Provenance) -> UUID:
    return _change_worker(staging, command.worker_id, meta, lambda w, f: w.end_leave(command.effective_on, meta, f))


@handle.register
def _(command: c.RecordDeparture, staging: Staging, meta: Provenance) -> UUID:
    return _change_worker(
        staging, command.worker_id, meta, lambda w, f: w.depart(command.reason, command.effective_on, meta, f)
    )


@handle.register
def _(command: c.RehireWorker, staging: Staging, meta: Provenance) -> UUID:
    return _change_worker(staging, command.worker_id, meta, lambda w, f: w.rehire(command.effective_on, meta, f))


@handle.register
def _(command: c.CorrectWorkerDetails, staging: Staging, meta: Provenance) -> UUID:
    worker = staging.worker(command.worker_id)
    corrections = command.corrections()
    new_number = corrections.get("civil_service_number")
    old_number = worker.civil_service_number
    # A number that differs only in case or spaces is the same number: its registration stays.
    renumbered = new_number is not None and (
        old_number is None or civil_service_key(new_number) != civil_service_key(old_number)
    )
    if renumbered and new_number is not None:
        check_number_free(staging, new_number, worker.id)
    worker.correct_details(corrections, meta)
    staging.add(worker)
    if renumbered and new_number is not None:
        registration = staging.civil_service_number(new_number)
        if registration is None:
            registration = CivilServiceNumber(number=new_number, worker_id=worker.id, meta=meta)
        registration.claim(worker.id, meta)
        staging.add(registration)
        for old in staging.civil_service_numbers(old_number) if old_number is not None else []:
            if old.holder == worker.id:
                old.release(meta)
                staging.add(old)
    return worker.id


def check_number_free(staging: Staging, number: str, worker_id: UUID) -> None:
    """Raises DuplicateCivilServiceNumber when another worker holds ``number``, in whatever form."""
    for registration in staging.civil_service_numbers(number):
        registration.check_free_for(worker_id)


@handle.register
def _(command: c.RetractEvent, staging: Staging, meta: Provenance) -> UUID:
    version = staging.version_at(command.worker_id, command.position)
    return _change_worker(staging, command.worker_id, meta, lambda w, f: w.retract(version, command.reason, meta, f))
