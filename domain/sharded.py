"""The bulk path on several cores, for a first load into an empty ledger.

Checking commands is the bulk path's bottleneck, and it is pure Python: one core. Here the
workers are split between child processes (forked, so that they share the submissions without
copying them) by worker id. Each child checks its workers' commands, and every org-unit and
cadre command, against what it has seen, and sends back the rows' outcomes and their events,
already encoded. The parent merges the rows in submission order, inserts each chunk in one
transaction as the single-core path does, and numbers the events of the facility rosters,
which gather postings from every child. The ledger is the one the single-core path writes,
event for event and position for position.

Whatever a child cannot vouch for ends the split at that row: everything before it commits,
and the single-core path (``Batch``) records the rest against the database. That happens when:

- a row's command has a ``command_id`` or is a retraction (they need the ledger itself);
- the children disagree about an org-unit or cadre command (closing a facility checks the
  postings of every child), or any of them refuses one;
- a child writes to an aggregate another child (or an org-unit command) wrote to: a civil-service
  number claimed for workers of two children;
- a handler changed something before it refused, a child failed, or an insert collided with
  another writer.
"""

import multiprocessing
import os
import pickle
import queue
import threading
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, NoReturn, cast
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent

from domain.batch import Batch, BatchReport, Refusal, Submission, attempt, long_lived
from domain.commands import Command, HireWorker, RetractEvent, WorkerCommand
from domain.encoding import stored_event
from domain.registry import FacilityRoster
from domain.staging import AggregateCache, Staging

if TYPE_CHECKING:
    from domain.ledger import Ledger

EVERY_SHARD = -1
"""The owner of org-unit and cadre commands: every child checks them, the first one's events count."""
ROSTER, ROSTER_STARTED = -1, -2
"""The version a child sends for a roster's event, for the parent to number (and its first event)."""
ROSTERS = -2
"""The owner of the facility rosters' events: every child, numbered by the parent."""
MIN_ROWS = 5000
"""Below this many rows, forking costs more than it saves."""

Outcome = tuple[int, str | None, str | None, int]
"""(row, refusal code, refusal message, events): code ``STOP`` when the child stopped there."""
STOP = "STOP"


def shards(ledger: "Ledger", processes: int | None) -> int:
    """How many children should check a batch: none (0) unless it is a first load and the
    platform can fork; ``processes`` (None: two when the machine has two cores or more)."""
    if processes is not None and processes < 2:
        return 0
    if "fork" not in multiprocessing.get_all_start_methods() or ledger.recorder.max_notification_id() is not None:
        return 0
    if processes is not None:
        return processes
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return 2 if cores >= 2 else 0


def owner(command: Command, row: int, shards: int) -> int:
    """The child that checks a row: by worker id, or every child for org units and cadres."""
    if isinstance(command, WorkerCommand):
        return hash(command.worker_id) % shards
    if isinstance(command, HireWorker):
        return hash(command.worker_id) % shards if command.worker_id is not None else row % shards
    return EVERY_SHARD


def split_end(submissions: Sequence[Submission]) -> int:
    """The first row the children cannot check: a command with an id, or a retraction."""
    for row, submission in enumerate(submissions):
        command = submission.command
        if command.command_id is not None or isinstance(command, RetractEvent):
            return row
    return len(submissions)


@dataclass
class Chunk:
    """One child's part of a chunk: outcomes in row order, and the events of the accepted rows."""

    outcomes: list[Outcome]
    ids: bytes  # 16 bytes an event
    versions: list[int]
    topics: list[str]
    states: list[bytes]


def _no_ledger(_: Any) -> NoReturn:
    raise AssertionError("a child checks an empty ledger: it never reads it")


def check_shard(
    ledger: "Ledger", submissions: Sequence[Submission], shard: int, shards: int, end: int, size: int, out: Connection
) -> None:
    """A child's work: check its rows of ``submissions[:end]``, a chunk at a time, and send each."""
    staging = Staging(_no_ledger, _no_ledger, AggregateCache(complete=True))
    to_stored = ledger.mapper.to_stored_event
    row = 0
    with long_lived() as freeze:
        for start in range(0, end, size):
            freeze()
            chunk = Chunk([], b"", [], [], [])
            ids: list[bytes] = []
            try:
                for row in range(start, min(start + size, end)):
                    submission = submissions[row]
                    who = owner(submission.command, row, shards)
                    if who != shard and who != EVERY_SHARD:
                        continue
                    refusal = attempt(ledger, staging, row, submission)
                    if refusal is not None:
                        if staging.changed:  # it changed something before refusing: not ours to undo
                            raise RuntimeError(f"row {row} changed aggregates before it was refused")
                        chunk.outcomes.append((row, refusal.code, refusal.message, 0))
                        continue
                    events = staging.take_events()
                    if who == EVERY_SHARD and shard:
                        chunk.outcomes.append((row, None, None, 0))
                        continue
                    for event in events:
                        stored = to_stored(event)
                        ids.append(event.originator_id.bytes)
                        version = stored.originator_version
                        if isinstance(event, FacilityRoster.Event):
                            version = ROSTER_STARTED if version == 1 else ROSTER
                        chunk.versions.append(version)
                        chunk.topics.append(stored.topic)
                        chunk.states.append(stored.state)
                    chunk.outcomes.append((row, None, None, len(events)))
            except Exception:
                chunk.outcomes.append((row, STOP, traceback.format_exc(), 0))
            chunk.ids = b"".join(ids)
            out.send_bytes(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL))
            if chunk.outcomes and chunk.outcomes[-1][1] == STOP:
                return


class Diverged(Exception):
    """The children cannot vouch for ``row``: the single-core path goes on from there."""

    def __init__(self, row: int) -> None:
        super().__init__(row)
        self.row = row


class Merge:
    """The parent's side: rows in order, roster events numbered, ownership of aggregates checked."""

    def __init__(self, submissions: Sequence[Submission], shards: int) -> None:
        self.submissions = submissions
        self.shards = shards
        self.owners: dict[bytes, int] = {}
        self.rosters: dict[bytes, int] = {}  # roster id → its last version

    def chunk(self, start: int, stop: int, parts: list[Chunk]) -> tuple[list[StoredEvent], int, list[Refusal]]:
        """The chunk's events, accepted rows and refusals; raises Diverged with what came before it."""
        outcomes = [iter(part.outcomes) for part in parts]
        offsets = [0] * len(parts)
        events: list[StoredEvent] = []
        accepted = 0
        refusals: list[Refusal] = []
        try:
            for row in range(start, stop):
                who = owner(self.submissions[row].command, row, self.shards)
                if who == EVERY_SHARD:
                    seen = [self._next(outcomes[shard], row) for shard in range(self.shards)]
                    if any(code is not None for _, code, _, _ in seen):  # refused by one, or stopped
                        raise Diverged(row)
                    shard = 0
                else:
                    seen = [self._next(outcomes[who], row)]
                    shard = who
                _, code, message, count = seen[0]
                if code is not None:
                    refusals.append(Refusal(row, code, message or ""))
                    continue
                offset = offsets[shard]
                offsets[shard] += count
                events.extend(self._events(parts[shard], offset, count, who, row))
                accepted += 1
        except Diverged as diverged:
            raise Partial(diverged.row, start, events, accepted, refusals) from None
        return events, accepted, refusals

    @staticmethod
    def _next(outcomes: Any, row: int) -> Outcome:
        found: Outcome | None = next(outcomes, None)
        if found is None or found[0] != row or found[1] == STOP:
            raise Diverged(row)
        return found

    def _events(self, part: Chunk, offset: int, count: int, who: int, row: int) -> list[StoredEvent]:
        out: list[StoredEvent] = []
        owners, rosters = self.owners, self.rosters
        for index in range(offset, offset + count):
            key = part.ids[16 * index : 16 * index + 16]
            version = part.versions[index]
            if version < 0:
                if owners.setdefault(key, ROSTERS) != ROSTERS:
                    raise Diverged(row)
                last = rosters.get(key)
                if version == ROSTER_STARTED and last is not None:
                    continue  # another child started this roster first
                version = rosters[key] = (last or 0) + 1
            elif owners.setdefault(key, who) != who:
                raise Diverged(row)
            out.append(stored_event(UUID(bytes=key), version, part.topics[index], part.states[index]))
        return out


class Partial(Exception):
    """What merged of the chunk from ``start`` before ``row``, which the children could not vouch for."""

    def __init__(self, row: int, start: int, events: list[StoredEvent], accepted: int, refusals: list[Refusal]) -> None:
        super().__init__(row)
        self.row, self.start, self.events, self.accepted, self.refusals = row, start, events, accepted, refusals


class ShardedBatch:
    """One run of the bulk path over ``shards`` child processes; see the module's docstring."""

    def __init__(self, ledger: "Ledger", shards: int) -> None:
        self.ledger = ledger
        self.shards = shards
        self.report = BatchReport()

    def run(
        self, submissions: Sequence[Submission], chunk_size: int, progress: Callable[[int], Any] | None
    ) -> BatchReport:
        end = split_end(submissions)
        resume = self._split(submissions, end, chunk_size, progress) if end else 0
        if resume < len(submissions):
            rest = islice(submissions, resume, None)
            Batch(self.ledger, self.report).run(rest, chunk_size, progress, start=resume)
        return self.report

    def _split(
        self, submissions: Sequence[Submission], end: int, size: int, progress: Callable[[int], Any] | None
    ) -> int:
        """Records rows up to ``end`` with the children's help; returns the first row not recorded."""
        context = multiprocessing.get_context("fork")
        inboxes: list[queue.SimpleQueue[bytes | None]] = []
        children = []
        for shard in range(self.shards):
            receiver, sender = context.Pipe(duplex=False)
            child = context.Process(
                target=check_shard,
                args=(self.ledger, submissions, shard, self.shards, end, size, sender),
                name=f"hrh-batch-check-{shard}",
                daemon=True,
            )
            child.start()
            sender.close()
            inbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
            threading.Thread(target=_drain, args=(receiver, inbox), daemon=True).start()
            children.append(child)
            inboxes.append(inbox)
        merge = Merge(submissions, self.shards)
        pending: Pending | None = None
        try:
            with ThreadPoolExecutor(1, thread_name_prefix="hrh-batch-insert") as writer, long_lived() as freeze:
                for start in range(0, end, size):
                    freeze()
                    stop = min(start + size, end)
                    parts = [_chunk(inbox) for inbox in inboxes]
                    try:
                        if None in parts:  # a child is gone: this chunk goes the single-core way
                            raise Partial(start, start, [], 0, [])
                        events, accepted, refusals = merge.chunk(start, stop, cast(list[Chunk], parts))
                    except Partial as partial:
                        return self._finish(pending, partial, progress)
                    if not self._settle(pending):
                        return pending.start if pending else start
                    pending = Pending(start, accepted, refusals, writer.submit(self.ledger.insert, events))
                    if progress is not None:
                        progress(stop - start)
                return self._finish(pending, Partial(end, end, [], 0, []), progress)
        finally:
            for child in children:
                child.kill()
                child.join()

    def _finish(self, pending: "Pending | None", partial: Partial, progress: Callable[[int], Any] | None) -> int:
        """Settles the pending insert and commits the rows before ``partial.row``; returns where to go on."""
        if not self._settle(pending):
            return pending.start if pending else partial.start
        try:
            positions = self.ledger.insert(partial.events) if partial.events else []
        except IntegrityError:
            return partial.start
        self._count(positions, partial.accepted, partial.refusals)
        if progress is not None and partial.row > partial.start:
            progress(partial.row - partial.start)
        return partial.row

    def _settle(self, pending: "Pending | None") -> bool:
        """Waits for the pending insert; False when it collided with another writer's."""
        if pending is None:
            return True
        try:
            positions = pending.positions.result()
        except IntegrityError:
            return False
        self._count(positions, pending.accepted, pending.refusals)
        return True

    def _count(self, positions: list[int], accepted: int, refusals: list[Refusal]) -> None:
        report = self.report
        report.events += len(positions)
        if positions:
            report.last_position = positions[-1]
        report.accepted += accepted
        report.refusals.extend(refusals)


@dataclass
class Pending:
    """A chunk being inserted while the next one is merged."""

    start: int
    accepted: int
    refusals: list[Refusal]
    positions: "Future[list[int]]"


def _drain(receiver: Connection, inbox: "queue.SimpleQueue[bytes | None]") -> None:
    """Moves a child's messages into ``inbox`` as they come, so that it never waits on the parent."""
    try:
        while True:
            inbox.put(receiver.recv_bytes())
    except (EOFError, OSError):
        inbox.put(None)
    finally:
        receiver.close()


def _chunk(inbox: "queue.SimpleQueue[bytes | None]") -> Chunk | None:
    message = inbox.get()
    return None if message is None else pickle.loads(message)  # our own child's bytes
