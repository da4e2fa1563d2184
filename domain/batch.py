"""The bulk path: many commands, one transaction per chunk, refusals reported by row."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import IntegrityError

from domain import clock
from domain.commands import Command
from domain.errors import DomainError
from domain.handlers import check_dates, handle
from domain.staging import AggregateCache

if TYPE_CHECKING:
    from domain.ledger import Ledger


@dataclass(frozen=True)
class Submission:
    """A command in a batch, with who recorded it and, for a replay of history, when."""

    command: Command
    recorded_by: str
    recorded_at: datetime | None = None


@dataclass(frozen=True)
class Refusal:
    """A refused command in a batch: its row (0-based) and why."""

    row: int
    code: str
    message: str


@dataclass
class BatchReport:
    accepted: int = 0
    events: int = 0
    last_position: int | None = None
    refusals: list[Refusal] = field(default_factory=list)


Rows = list[tuple[int, Submission]]


class Batch:
    """One run of the bulk path over a ledger.

    Aggregates stay in a cache for the whole run. Into an empty ledger (a first load, the demo),
    what the run has not seen does not exist, so misses need no query; a concurrent writer would
    make a save collide, and the cache is then cleared.
    """

    def __init__(self, ledger: "Ledger") -> None:
        self.ledger = ledger
        self.report = BatchReport()
        self.cache = AggregateCache(complete=ledger.recorder.max_notification_id() is None)

    def run(
        self, submissions: Iterable[Submission], chunk_size: int, progress: Callable[[int], Any] | None
    ) -> BatchReport:
        rows = enumerate(submissions)
        for chunk in iter(lambda: list(islice(rows, chunk_size)), []):
            self._chunk(chunk)
            if progress is not None:
                progress(len(chunk))
        return self.report

    def _chunk(self, chunk: Rows) -> None:
        segment: Rows = []
        for row, submission in chunk:
            if submission.command.command_id is None:
                segment.append((row, submission))
                continue
            # Save the rows before it, so that a conflict later in the chunk never re-runs them;
            # ``execute`` bypasses the cache, so forget what the cache holds of what it changed.
            self._segment(segment)
            segment = []
            self._one(row, submission)
            self.cache.clear()
        self._segment(segment)

    def _segment(self, segment: Rows) -> None:
        """Records rows without a command id in one transaction."""
        ledger = self.ledger
        staging = ledger.staging(self.cache)
        events: list[Any] = []
        accepted = 0
        refusals: list[Refusal] = []
        for row, submission in segment:
            command = submission.command
            with clock.recording_with(ledger.clock_at(submission.recorded_at)):
                try:
                    check_dates(command, clock.now().date() + ledger.future_margin)
                    handle(command, staging, command.provenance(submission.recorded_by))
                except DomainError as error:
                    refusals.append(Refusal(row, error.code, error.message))
                    staging.discard()  # handlers change nothing before they refuse; be sure
                    continue
            events.extend(staging.take_events())
            accepted += 1
        try:
            if events:
                positions = ledger.record(events)
                self.report.events += len(positions)
                self.report.last_position = positions[-1]
        except IntegrityError:
            self.cache.clear()  # it holds this segment's unsaved state
            for row, submission in segment:
                self._one(row, submission)
            return
        self.report.accepted += accepted
        self.report.refusals.extend(refusals)

    def _one(self, row: int, submission: Submission) -> None:
        try:
            outcome = self.ledger.execute(
                submission.command, submission.recorded_by, recorded_at=submission.recorded_at
            )
        except DomainError as error:
            self.report.refusals.append(Refusal(row, error.code, error.message))
            return
        self.report.accepted += 1
        if not outcome.replayed:
            self.report.events += outcome.events
            self.report.last_position = outcome.position
