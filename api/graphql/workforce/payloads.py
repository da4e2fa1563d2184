"""What the workforce's mutations answer: the worker after the command, with personal fields only where the
caller may read them.

Read from the read tables once they include the command, or else from the ledger's aggregate.
"""

from datetime import date, timedelta

import strawberry

from api.access import User, readable_workers, reads_staged_worker
from api.graphql.context import Info
from api.graphql.payloads import Recorded, read_back, recorded
from api.graphql.workforce.types import Worker
from domain import timeline
from domain.ledger import Ledger, Outcome
from domain.worker import Worker as WorkerAggregate
from projections.mobility import WorkerRecord


@strawberry.type
class WorkerPayload(Recorded):
    worker: Worker


async def worker_payload(info: Info, outcome: Outcome) -> WorkerPayload:
    """The worker after the command, with personal fields only where the caller may read them."""
    user = info.context.signed_in

    async def from_tables() -> tuple[WorkerRecord, bool] | None:
        info.context.loaders.workers.clear_all()  # this request may have read the worker before the change
        record = await info.context.loaders.workers.load(outcome.aggregate_id)
        if record is None:
            return None
        return record, record.id in await readable_workers(user, info.context.pool, info.context.schema, [record.id])

    (record, readable), caught_up = await read_back(
        info, outcome, from_tables, lambda: written_worker(info.context.services.ledger, user, outcome)
    )
    return WorkerPayload(worker=Worker.of(record, readable=readable), **recorded(outcome, caught_up))


# The write model's view, for answers made before the read tables include the command.


def written_worker(ledger: Ledger, user: User, outcome: Outcome) -> tuple[WorkerRecord, bool]:
    """The worker as the ledger holds them after ``outcome``, and whether ``user`` may read them."""
    staging = ledger.staging()
    worker = staging.worker(outcome.aggregate_id)
    today = date.today()
    return worker_record(worker, today), reads_staged_worker(user, staging, worker, today)


def worker_record(worker: WorkerAggregate, today: date) -> WorkerRecord:
    state = timeline.state_before(worker.timeline.in_force(), today + timedelta(days=1), 0)
    status = (
        "DEPARTED"
        if state.departed
        else "ON_LEAVE"
        if state.leave_since is not None
        else "POSTED"
        if state.facility is not None
        else "HIRED"
    )
    return WorkerRecord(
        id=worker.id,
        civil_service_number=worker.civil_service_number,
        family_name=worker.family_name,
        given_names=worker.given_names,
        sex=worker.sex.name,
        birth_date=worker.birth_date,
        sector=worker.sector.name,
        funding_source=worker.funding_source.name,
        country_of_birth=worker.country_of_birth,
        qualification_country=worker.qualification_country,
        cadre_code=state.cadre or worker.cadre_code,
        status=status,
        facility_code=state.facility,
    )
