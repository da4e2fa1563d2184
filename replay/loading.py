"""Loading the demo data set through the ledger's bulk path."""

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from domain.commands import HireWorker, OpenOrgUnit, RetractEvent
from domain.ledger import Ledger
from domain.values import OrgUnitLevel
from domain.worker import Worker
from replay import bulk
from replay.bulk import Refusal, Submission
from replay.demo import generate

RETRACTIONS = 12
"""How many wrongly recorded trainings and transfers the demo retracts after loading."""


@dataclass
class DemoSummary:
    commands: int = 0
    events: int = 0
    workers: int = 0
    facilities: int = 0
    commands_by_kind: Counter[str] = field(default_factory=Counter)
    refusals: list[Refusal] = field(default_factory=list)


def load_demo(
    ledger: Ledger, *, seed: int = 2017, scale: float = 1.0, progress: Callable[[int], Any] | None = None
) -> DemoSummary:
    """Records the demo data set, then a few retractions, as an auditor would find them."""
    summary = DemoSummary()
    kinds: list[str] = []

    def counted(submissions: Iterator[Submission]) -> Iterator[Submission]:
        for submission in submissions:
            kinds.append(type(submission.command).__name__)
            command = submission.command
            summary.workers += isinstance(command, HireWorker)
            summary.facilities += isinstance(command, OpenOrgUnit) and command.level is OrgUnitLevel.FACILITY
            yield submission

    report = bulk.load(ledger, counted(generate(seed=seed, scale=scale)), progress=progress)
    retractions = list(retraction_submissions(ledger, seed))
    report_retractions = bulk.load(ledger, retractions)
    refused = {refusal.row for refusal in report.refusals}
    summary.commands_by_kind = Counter(kind for row, kind in enumerate(kinds) if row not in refused)
    summary.commands_by_kind["RetractEvent"] = report_retractions.accepted
    summary.commands = report.accepted + report_retractions.accepted
    summary.events = report.events + report_retractions.events
    summary.refusals = report.refusals + report_retractions.refusals
    return summary


def retraction_submissions(ledger: Ledger, seed: int) -> Iterator[Submission]:
    """Retractions of trainings and transfers recorded by mistake, spread over the log by ``seed``.

    A transfer is picked only when it is the worker's latest event in force, so that its
    retraction leaves the timeline consistent. The retractions are recorded after the rest.
    """
    last = ledger.recorder.max_notification_id() or 0
    if not last:
        return
    latest: Any = ledger.mapper.to_domain_event(ledger.recorder.select_notifications(last, 1)[0])
    recorded_at: datetime = latest.timestamp
    step = max(1, last // (RETRACTIONS * 2))
    position = 1 + seed % step
    found = 0
    while position <= last and found < RETRACTIONS:
        topic = TRAINING if found % 3 else TRANSFER
        page = ledger.recorder.select_notifications(position, 1, topics=[topic])
        position += step
        if not page:
            continue
        worker_id = UUID(str(page[0].originator_id))
        if topic == TRANSFER and not is_latest_in_force(ledger, worker_id, page[0].originator_version):
            continue
        found += 1
        recorded_at += timedelta(hours=1)
        yield Submission(
            RetractEvent(worker_id=worker_id, position=page[0].id, reason="Recorded for the wrong worker"),
            recorded_by="dnrh.audit",
            recorded_at=recorded_at,
        )


TRAINING = "hrh:Worker.TrainingRecorded.v1"
TRANSFER = "hrh:Worker.Transferred.v1"


def is_latest_in_force(ledger: Ledger, worker_id: UUID, version: int) -> bool:
    worker: Any = ledger.repository.get(worker_id)
    assert isinstance(worker, Worker)
    entries = worker.timeline.in_force()
    latest = max(entries, key=lambda e: (e.effective_on, e.version))
    return latest.version == version
