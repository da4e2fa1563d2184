"""The Ledger application service: load, command, save, with safe retries.

It persists only through the eventsourcing library's event store (PostgreSQL in production,
plain Python objects in fast unit tests).
"""

import hashlib
import json
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Mapper, StoredEvent, Transcoder

from domain import clock, sharded
from domain import commands as c
from domain.batch import Batch, BatchReport, Submission
from domain.chain import Unplaced, unplaced
from domain.commands import Command
from domain.encoding import LedgerMapper, LedgerTranscoder, stored_event
from domain.errors import Conflict, DuplicateCommand
from domain.handlers import check_dates, handle
from domain.identity import command_receipt_id, legacy_command_receipt_id
from domain.limits import Limits
from domain.registry import CommandReceipt
from domain.staging import AggregateCache, Staging
from domain.transcodings import register_transcodings

RECEIPT_TOPIC = "hrh:CommandReceipt.Recorded.v1"

Guard = Callable[[Command, Staging], Callable[[], None]]
"""Who may send a command (``api/access.py``). Called with the staging before the command applies,
it raises to refuse it; the check it returns runs once the domain's own rules have passed, before
anything is saved. Both run again on every retry, against the state that is then saved."""


def no_later_check() -> None:
    """A guard's check after the domain's rules, for a command that needs none."""


@dataclass(frozen=True)
class Outcome:
    """What a recorded command returns: the aggregate it is about and the ledger position of the
    last event it recorded. ``replayed`` is True when a retry returned an earlier result."""

    aggregate_id: UUID
    position: int
    replayed: bool = False
    events: int = 0


def fingerprint(command: Command, recorded_by: str) -> str:
    """Identifies what a command asks, so a reused command id with other content is caught."""
    # A field added after commands were first recorded counts only when given, so that a retry of a
    # command recorded before the field existed still matches its receipt.
    later = type(command).later_fields
    body = {k: v for k, v in asdict(command).items() if k != "command_id" and not (v is None and k in later)}
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
        limits: Limits | None = None,
    ) -> None:
        super().__init__(env)
        self.clock = clock_
        self.future_margin = future_margin
        self.limits = Limits() if limits is None else limits

    def construct_mapper(self) -> Mapper[UUID]:
        """The library's mapper, writing the same stored events with less work per event."""
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=LedgerMapper)

    def construct_transcoder(self) -> Transcoder:
        """The library's JSON transcoder, with the ledger's types, encoding through orjson."""
        transcoder = LedgerTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_transcodings(transcoder)

    # One method per command (the GraphQL mutations call these).

    def open_org_unit(self, command: c.OpenOrgUnit, recorded_by: str) -> Outcome:
        """Opens a country, region, district or facility."""
        return self.execute(command, recorded_by)

    def move_org_unit(self, command: c.MoveOrgUnit, recorded_by: str) -> Outcome:
        """Moves an org unit under another parent from a date (a boundary change)."""
        return self.execute(command, recorded_by)

    def rename_org_unit(self, command: c.RenameOrgUnit, recorded_by: str) -> Outcome:
        """Renames an org unit from a date."""
        return self.execute(command, recorded_by)

    def close_org_unit(self, command: c.CloseOrgUnit, recorded_by: str) -> Outcome:
        """Closes an org unit; a facility only once no one is in post there on or after the date."""
        return self.execute(command, recorded_by)

    def record_population(self, command: c.RecordPopulation, recorded_by: str) -> Outcome:
        """Records a population estimate for an org unit and year."""
        return self.execute(command, recorded_by)

    def define_cadre(self, command: c.DefineCadre, recorded_by: str) -> Outcome:
        """Defines a cadre and whether it counts as qualified."""
        return self.execute(command, recorded_by)

    def hire_worker(self, command: c.HireWorker, recorded_by: str) -> Outcome:
        """Hires a health worker."""
        return self.execute(command, recorded_by)

    def post_worker(self, command: c.PostWorker, recorded_by: str) -> Outcome:
        """Posts a hired worker who is not posted to a facility."""
        return self.execute(command, recorded_by)

    def transfer_worker(self, command: c.TransferWorker, recorded_by: str) -> Outcome:
        """Transfers a posted worker from their facility on that date to another."""
        return self.execute(command, recorded_by)

    def record_training(self, command: c.RecordTraining, recorded_by: str) -> Outcome:
        """Records a training course."""
        return self.execute(command, recorded_by)

    def requalify_worker(self, command: c.RequalifyWorker, recorded_by: str) -> Outcome:
        """Moves a worker to another cadre from a date."""
        return self.execute(command, recorded_by)

    def start_leave(self, command: c.StartLeave, recorded_by: str) -> Outcome:
        """Starts a leave of a worker in post."""
        return self.execute(command, recorded_by)

    def end_leave(self, command: c.EndLeave, recorded_by: str) -> Outcome:
        """Ends a worker's leave."""
        return self.execute(command, recorded_by)

    def record_departure(self, command: c.RecordDeparture, recorded_by: str) -> Outcome:
        """Records a worker's departure; it ends any posting and leave."""
        return self.execute(command, recorded_by)

    def rehire_worker(self, command: c.RehireWorker, recorded_by: str) -> Outcome:
        """Rehires a worker who departed."""
        return self.execute(command, recorded_by)

    def correct_worker_details(self, command: c.CorrectWorkerDetails, recorded_by: str) -> Outcome:
        """Corrects a worker's identity fields."""
        return self.execute(command, recorded_by)

    def retract_event(self, command: c.RetractEvent, recorded_by: str) -> Outcome:
        """Retracts a worker's event, named by its ledger position."""
        return self.execute(command, recorded_by)

    # Single commands.

    def execute(
        self, command: Command, recorded_by: str, *, recorded_at: datetime | None = None, guard: Guard | None = None
    ) -> Outcome:
        """Records ``command``, or raises the DomainError that refuses it (writing nothing).

        ``recorded_at`` replays history (the demo data set); live commands are recorded now.
        ``guard`` checks that ``recorded_by`` may send the command (see ``Guard``).

        Raises:
            DomainError: a refused command; ``Conflict`` when concurrent writers kept winning.
        """
        meta = command.provenance(recorded_by)
        for attempt in range(self.max_attempts):
            with clock.recording_with(self.clock_at(recorded_at)):
                check_dates(command, clock.now().date() + self.future_margin)
                if command.command_id is not None:
                    previous = self._previous_outcome(command, recorded_by)
                    if previous is not None:
                        return previous
                    floor = self.recorder.max_notification_id() or 0
                staging = self.staging()
                later_check = guard(command, staging) if guard is not None else no_later_check
                self.limits.check(command, staging)
                target = handle(command, staging, meta)
                later_check()
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
        receipt = self._receipt(command_receipt_id(command.command_id, recorded_by))
        if receipt is None:  # kept where every user's ids once shared one namespace
            receipt = self._receipt(legacy_command_receipt_id(command.command_id))
            if receipt is None or receipt.recorded_by != recorded_by:
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

    def _receipt(self, receipt_id: UUID) -> CommandReceipt | None:
        try:
            receipt: Aggregate = self.repository.get(receipt_id)
        except AggregateNotFoundError:
            return None
        return receipt if isinstance(receipt, CommandReceipt) else None

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
        return self.insert([self.mapper.to_stored_event(event) for event in events], list(map(unplaced, events)))

    def insert(self, stored_events: list[StoredEvent], lines: list[Unplaced]) -> list[int]:
        """Puts stored events in the event store in one transaction, with their chain hashes
        (``lines``: each event's ``chain.unplaced``); returns their ledger positions."""
        positions = self.recorder.insert_events(stored_events, lines=lines)
        if positions is None:  # only recorders without a notification log return None
            raise TypeError("The ledger needs a recorder that assigns ledger positions")
        return list(positions)

    def insert_columns(
        self, ids: bytes, versions: list[int], topics: list[str], states: list[bytes], lines: list[Unplaced]
    ) -> list[int]:
        """``insert`` for events given as columns, their ids packed 16 bytes each (the bulk path's
        children send them so); the PostgreSQL recorder takes them as they are."""
        insert = getattr(self.recorder, "insert_columns", None)
        if insert is not None:
            return list(insert(ids, versions, topics, states, lines))
        originators = [UUID(bytes=ids[start : start + 16]) for start in range(0, len(ids), 16)]
        return self.insert(list(map(stored_event, originators, versions, topics, states)), lines)

    def clock_at(self, recorded_at: datetime | None) -> clock.Clock:
        return self.clock if recorded_at is None else (lambda: recorded_at)

    def staging(self, cache: AggregateCache | None = None) -> Staging:
        return Staging(self.repository.get, self.locate, cache)

    # Batches.

    def execute_batch(
        self,
        submissions: Iterable[Submission],
        *,
        chunk_size: int = 1000,
        progress: Callable[[int], Any] | None = None,
        processes: int | None = None,
    ) -> BatchReport:
        """Records many commands, saving one chunk per transaction. A refused command is reported
        with its row and reason, and the others go in.

        Commands with a ``command_id`` go one at a time, so that their retries stay safe. When a
        concurrent writer touched an aggregate of a chunk, the chunk's commands are re-run one by one.

        A first load (into an empty ledger) of at least ``sharded.MIN_ROWS`` commands is checked by
        two child processes when the machine has two cores and the memory (``domain/sharded.py``);
        ``processes`` sets how many (0 or 1: none, checked here), whatever the batch's size.
        """
        shards = sharded.shards(self, processes)
        if shards > 1:
            rows = submissions if isinstance(submissions, Sequence) else list(submissions)
            if sharded.worth_splitting(len(rows), processes):
                return sharded.ShardedBatch(self, shards).run(rows, chunk_size, progress)
            submissions = rows
        return Batch(self).run(submissions, chunk_size, progress)
