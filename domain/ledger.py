"""The Ledger application service: load, command, save, with safe retries.

It persists only through the eventsourcing library's event store (PostgreSQL in production,
plain Python objects in fast unit tests).
"""

import hashlib
import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder

from domain import clock
from domain.commands import Command
from domain.errors import Conflict, DomainError, DuplicateCommand
from domain.handlers import check_dates, handle
from domain.identity import command_receipt_id
from domain.registry import CommandReceipt
from domain.staging import AggregateCache, Staging
from domain.transcodings import register_transcodings
from domain.values import Provenance

RECEIPT_TOPIC = "hrh:CommandReceipt.Recorded.v1"


@dataclass(frozen=True)
class Outcome:
    """What a recorded command returns: the aggregate it is about and the ledger position of the
    last event it recorded. ``replayed`` is True when a retry returned an earlier result."""

    aggregate_id: UUID
    position: int
    replayed: bool = False
    events: int = 0


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


def provenance(command: Command, recorded_by: str) -> Provenance:
    return Provenance(
        recorded_by=recorded_by,
        authority=getattr(command, "authority", None),
        note=getattr(command, "note", None),
        command_id=command.command_id,
    )


def fingerprint(command: Command, recorded_by: str) -> str:
    """Identifies what a command asks, so a reused command id with other content is caught."""
    body = {k: v for k, v in asdict(command).items() if k != "command_id"}
    text = json.dumps([type(command).__name__, recorded_by, body], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class Ledger(Application[UUID]):
    """Records workforce commands as events, checking every invariant first."""

    name = "Ledger"
    max_attempts = 12

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        clock_: clock.Clock = clock.wall_clock,
        future_margin: timedelta = timedelta(days=31),
    ) -> None:
        super().__init__(env)
        self.clock = clock_
        self.future_margin = future_margin

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_transcodings(transcoder)

    # Single commands.

    def execute(self, command: Command, recorded_by: str, *, recorded_at: datetime | None = None) -> Outcome:
        """Records ``command``, or raises the DomainError that refuses it (writing nothing).

        ``recorded_at`` replays history (the demo data set); live commands are recorded now.

        Raises:
            DomainError: a refused command; ``Conflict`` when concurrent writers kept winning.
        """
        meta = provenance(command, recorded_by)
        for attempt in range(self.max_attempts):
            with clock.recording_with(self._clock_at(recorded_at)):
                check_dates(command, clock.now().date() + self.future_margin)
                if command.command_id is not None:
                    previous = self._previous_outcome(command, recorded_by)
                    if previous is not None:
                        return previous
                    floor = self.recorder.max_notification_id() or 0
                staging = self._staging()
                target = handle(command, staging, meta)
                # The command's own aggregate goes last, so the position returned is its event's.
                events = sorted(staging.take_events(), key=lambda e: e.originator_id == target)
                if command.command_id is not None:
                    receipt = CommandReceipt(
                        command_id=command.command_id,
                        command=type(command).__name__,
                        fingerprint=fingerprint(command, recorded_by),
                        aggregate_id=target,
                        position_floor=floor,
                        meta=meta,
                    )
                    events.extend(receipt.collect_events())
            try:
                positions = self.record(events)
            except IntegrityError:
                # Someone else wrote one of these aggregates (or this command id) first:
                # check the command again against what they wrote.
                time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
                continue
            own = positions[:-1] if command.command_id is not None else positions
            return Outcome(target, own[-1], events=len(own))
        raise Conflict(
            "Other clerks kept changing the same records at the same moment; nothing was recorded. "
            "Send the command again."
        )

    def _previous_outcome(self, command: Command, recorded_by: str) -> Outcome | None:
        assert command.command_id is not None
        try:
            receipt: Aggregate = self.repository.get(command_receipt_id(command.command_id))
        except AggregateNotFoundError:
            return None
        if not isinstance(receipt, CommandReceipt):
            return None
        if receipt.fingerprint != fingerprint(command, recorded_by):
            raise DuplicateCommand(
                f"commandId {command.command_id!r} was already used for a different {receipt.command} command; "
                "use a new commandId for a new command."
            )
        start = receipt.position_floor + 1
        while True:
            page = self.recorder.select_notifications(start, 200, topics=[RECEIPT_TOPIC])
            for notification in page:
                if notification.originator_id == receipt.id:
                    return Outcome(receipt.aggregate_id, notification.id - 1, replayed=True)
            if len(page) < 200:
                raise LookupError(f"Ledger position of command {command.command_id!r} not found")
            start = page[-1].id + 1

    def locate(self, position: int) -> tuple[UUID, int] | None:
        """The (aggregate id, version) of the event at ledger ``position``, if any."""
        found = self.recorder.select_notifications(position, 1, stop=position)
        if not found:
            return None
        originator_id = found[0].originator_id
        return (originator_id if isinstance(originator_id, UUID) else UUID(originator_id)), found[0].originator_version

    def record(self, events: list[Any]) -> list[int]:
        """Puts ``events`` in the event store in one transaction, in the given order; returns
        their ledger positions.

        ``Application.save`` does the same for aggregates; this ledger keeps no snapshots and no
        aggregate cache, and skips its per-event protocol checks and recording objects, which
        cost more than the insert itself.
        """
        positions = self.recorder.insert_events([self.mapper.to_stored_event(event) for event in events])
        if positions is None:  # only recorders without a notification log return None
            raise TypeError("The ledger needs a recorder that assigns ledger positions")
        return list(positions)

    def _clock_at(self, recorded_at: datetime | None) -> clock.Clock:
        return self.clock if recorded_at is None else (lambda: recorded_at)

    def _staging(self, cache: AggregateCache | None = None) -> Staging:
        return Staging(self.repository.get, self.locate, cache)

    # Batches.

    def execute_batch(
        self,
        submissions: Iterable[Submission],
        *,
        chunk_size: int = 1000,
        progress: Callable[[int], Any] | None = None,
    ) -> BatchReport:
        """Records many commands, saving one chunk per transaction. A refused command is reported
        with its row and reason, and the others go in.

        Commands with a ``command_id`` go one at a time, so that their retries stay safe. When a
        concurrent writer touched an aggregate of a chunk, the chunk's commands are re-run one by one.
        """
        report = BatchReport()
        # Into an empty ledger (a first load, the demo), what the batch has not seen does not exist;
        # a concurrent writer would make a save collide, and the cache is then cleared.
        cache = AggregateCache(complete=self.recorder.max_notification_id() is None)
        rows = enumerate(submissions)
        for chunk in iter(lambda: list(islice(rows, chunk_size)), []):
            self._execute_chunk(chunk, cache, report)
            if progress is not None:
                progress(len(chunk))
        return report

    def _execute_chunk(self, chunk: list[tuple[int, Submission]], cache: AggregateCache, report: BatchReport) -> None:
        segment: list[tuple[int, Submission]] = []
        for row, submission in chunk:
            if submission.command.command_id is None:
                segment.append((row, submission))
                continue
            # Save the rows before it, so that a conflict later in the chunk never re-runs them;
            # ``execute`` bypasses the cache, so forget what the cache holds of what it changed.
            self._execute_segment(segment, cache, report)
            segment = []
            self._execute_one(row, submission, report)
            cache.clear()
        self._execute_segment(segment, cache, report)

    def _execute_segment(
        self, segment: list[tuple[int, Submission]], cache: AggregateCache, report: BatchReport
    ) -> None:
        """Records rows without a command id in one transaction."""
        staging = self._staging(cache)
        events: list[Any] = []
        accepted = 0
        refusals: list[Refusal] = []
        for row, submission in segment:
            command = submission.command
            with clock.recording_with(self._clock_at(submission.recorded_at)):
                try:
                    check_dates(command, clock.now().date() + self.future_margin)
                    handle(command, staging, provenance(command, submission.recorded_by))
                except DomainError as error:
                    refusals.append(Refusal(row, error.code, error.message))
                    staging.discard()  # handlers change nothing before they refuse; be sure
                    continue
            events.extend(staging.take_events())
            accepted += 1
        try:
            self._save_chunk(staging, events, report)
        except IntegrityError:
            staging.discard_all()
            cache.clear()
            for row, submission in segment:
                self._execute_one(row, submission, report)
            return
        report.accepted += accepted
        report.refusals.extend(refusals)

    def _save_chunk(self, staging: Staging, events: list[Any], report: BatchReport) -> None:
        if not events:
            return
        positions = self.record(events)
        report.events += len(positions)
        report.last_position = positions[-1]

    def _execute_one(self, row: int, submission: Submission, report: BatchReport) -> None:
        try:
            outcome = self.execute(submission.command, submission.recorded_by, recorded_at=submission.recorded_at)
        except DomainError as error:
            report.refusals.append(Refusal(row, error.code, error.message))
            return
        report.accepted += 1
        if not outcome.replayed:
            report.events += outcome.events
            report.last_position = outcome.position
