"""The bulk path in one process: one transaction per chunk, the next chunk checked while one is inserted."""

import gc
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.chain import unplaced
from domain.errors import Refusal as Refused
from domain.ledger import Ledger, replay
from domain.staging import AggregateCache, Staging
from replay.bulk.rows import BatchReport, Refusal, Replayed, Submission, staged
from replay.bulk.writing import insert

Rows = list[tuple[int, Submission]]


YOUNG_THRESHOLD = 50_000
"""Allocations between two collections of the youngest generation while a batch runs (700 by
default): each collection walks the chunk's large lists again, which took a sixth of the run."""


@contextmanager
def long_lived() -> Iterator[Callable[[], None]]:
    """Yields a function that tells the garbage collector that what exists now is long-lived
    (``gc.freeze()``); everything is unfrozen at the end. Collections are also rarer meanwhile.

    The batch's cache grows to every aggregate of the run, and the collector would scan it all
    again each time the heap grew by a quarter: at scale 1 that was a quarter of the run. Frozen
    objects are still freed when no longer referenced; only reference cycles wait for the end.
    When something else froze objects first (a forking server may), the function does nothing
    and the collector is left as it is.
    """
    if gc.get_freeze_count():
        yield lambda: None
        return
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], YOUNG_THRESHOLD), *thresholds[1:])
    try:
        yield gc.freeze
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


class QuickHandoffs:
    """Shortens the interpreter's thread switch interval (``sys.setswitchinterval``) while any
    batch runs, and restores it when the last one ends.

    The insert thread needs the GIL back several times per insert, after each wait on the
    database, and with the default 5 ms it waited for the checking thread about as long as for
    the database.
    """

    interval = 0.0005

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.runs = 0
        self.previous = sys.getswitchinterval()

    def __enter__(self) -> None:
        with self.lock:
            if self.runs == 0:
                self.previous = sys.getswitchinterval()
                sys.setswitchinterval(min(self.previous, self.interval))
            self.runs += 1

    def __exit__(self, *_: object) -> None:
        with self.lock:
            self.runs -= 1
            if self.runs == 0:
                sys.setswitchinterval(self.previous)


quick_handoffs = QuickHandoffs()


@dataclass
class Pending:
    """A segment whose events are being inserted while the next one is checked."""

    segment: Rows
    accepted: int
    refusals: list[Refusal]
    replayed: list[int]
    positions: "Future[list[int]]"


class Batch:
    """One run of the bulk path over a ledger.

    Aggregates stay in a cache for the whole run. Into an empty ledger (a first load, the demo),
    what the run has not seen does not exist, so misses need no query; a concurrent writer would
    make a save collide, and the cache is then cleared.

    A segment's insert runs in a thread while the next segment is checked against the cache.
    Nothing of the next segment is written before that insert has committed: when it fails, its
    rows go again one by one, and the next segment, checked against what did not commit, is
    checked again. A read of the ledger that may concern what the insert writes waits for it
    first, so that it sees what it wrote: a retraction's position, and a cache miss of an
    aggregate that a refused row evicted (``evicted``). Any other miss cannot be of the pending
    segment, whose every aggregate the cache holds, and goes without waiting.
    """

    def __init__(self, ledger: Ledger, report: BatchReport | None = None) -> None:
        self.ledger = ledger
        self.report = BatchReport() if report is None else report
        last = ledger.recorder.max_notification_id()
        self.cache = AggregateCache(complete=last is None)
        # The ledger position after what this batch has staged so far: exactly where its next event goes when
        # nobody else writes meanwhile, and below it when someone does (a receipt's ``position_floor``).
        self.floor = last or 0
        self.pending: Pending | None = None
        self.evicted: set[UUID] = set()  # aggregates evicted from the cache by a refused row's discard
        self.progress: Callable[[int], Any] | None = None
        self.unreported = 0  # rows of whole chunks not yet given to ``progress``: their insert is pending

    def run(
        self,
        submissions: Iterable[Submission],
        chunk_size: int,
        progress: Callable[[int], Any] | None,
        *,
        start: int = 0,
    ) -> BatchReport:
        """Records ``submissions``, numbering their rows from ``start``, into this batch's report.

        ``progress`` gets the size of each chunk once its rows are saved or refused, not before: a
        chunk's insert goes on while the next chunk is checked, and may yet collide.
        """
        rows = enumerate(submissions, start)
        self.progress = progress
        with (
            ThreadPoolExecutor(1, thread_name_prefix="hrh-batch-insert") as writer,
            quick_handoffs,
            long_lived() as freeze,
        ):
            for chunk in iter(lambda: list(islice(rows, chunk_size)), []):
                freeze()  # what the run has kept so far: the cache, mostly
                self._chunk(chunk, writer)
                self.unreported += len(chunk)
                if self.pending is None:
                    self._report_progress()
            self._settle()
        return self.report

    def _chunk(self, chunk: Rows, writer: Executor) -> None:
        self._segment(chunk, writer)

    def _segment(self, segment: Rows, writer: Executor) -> None:
        """Checks rows, then starts inserting their events (and their command ids' receipts) in one transaction."""
        self._probe(segment)
        staged = self._stage(segment)
        if not self._settle():
            staged = self._stage(segment)  # it was checked against state that did not commit
        events, accepted, refusals, replayed = staged
        self.floor += len(events)
        to_stored = self.ledger.mapper.to_stored_event  # here: the thread waits on the database, not on the GIL
        if events:
            stored, lines = [to_stored(event) for event in events], list(map(unplaced, events))
            insert_job = writer.submit(insert, self.ledger, stored, lines)
            self.pending = Pending(segment, accepted, refusals, replayed, insert_job)
        else:
            self.report.accepted += accepted
            self.report.refusals.extend(refusals)
            self.report.replayed.extend(replayed)

    def _probe(self, segment: Rows) -> None:
        """Asks the ledger in one query which of the aggregates the rows will look up exist (``Submission.lookups``),
        and caches the others as missing, so that checking the rows asks for them no more. What the pending insert
        writes is in the cache already, unless a refusal evicted it: those are left out."""
        existing = getattr(self.ledger.recorder, "existing", None)
        if existing is None or self.cache.complete:
            return
        unknown = {i for _, submission in segment for i in submission.lookups()}
        unknown = {i for i in unknown if i not in self.cache and i not in self.evicted}
        if unknown:
            found = existing(list(unknown))
            self.cache.update((i, None) for i in unknown - found)

    def _stage(self, segment: Rows) -> tuple[list[Any], int, list[Refusal], list[int]]:
        """The events of the accepted rows of ``segment``, how many rows were accepted, the refusals, and the
        rows already recorded (their command id's receipt found)."""
        ledger = self.ledger
        staging = Staging(self._load, self._locate, self.cache)
        events: list[Any] = []
        accepted = 0
        refusals: list[Refusal] = []
        replayed: list[int] = []
        for row, submission in segment:
            outcome = staged(ledger, staging, row, submission, self.floor + len(events))
            if isinstance(outcome, Refusal):
                refusals.append(outcome)
                self.evicted.update(staging.changed)
                staging.discard()  # handlers change nothing before they refuse; be sure
            elif isinstance(outcome, Replayed):
                replayed.append(row)
                accepted += 1
            else:
                events.extend(outcome)
                accepted += 1
        return events, accepted, refusals, replayed

    def _load(self, aggregate_id: UUID) -> Any:
        """The repository's ``get``; once the pending insert is over when it may write that aggregate (one a
        refused row evicted from the cache)."""
        if aggregate_id in self.evicted:
            self._await_insert()
        return self.ledger.repository.get(aggregate_id, projector_func=replay)

    def _locate(self, position: int) -> tuple[UUID, int] | None:
        """The ledger's ``locate``, once the pending insert is over: it may write that position."""
        self._await_insert()
        return self.ledger.locate(position)

    def _await_insert(self) -> None:
        # Only wait: whether it committed is for ``_settle`` to find, which then checks again.
        if self.pending is not None:
            wait([self.pending.positions])

    def _settle(self) -> bool:
        """Waits for the pending insert, if any; False when it collided and its rows went again one by one."""
        pending, self.pending = self.pending, None
        if pending is None:
            return True
        try:
            positions = pending.positions.result()
        except IntegrityError:
            self.cache.clear()  # it holds the pending segment's unsaved state
            for row, submission in pending.segment:
                self._one(row, submission)
            self.floor = self.ledger.recorder.max_notification_id() or 0
            self._report_progress()
            return False
        self.report.events += len(positions)
        self.report.last_position = positions[-1]
        self.report.accepted += pending.accepted
        self.report.refusals.extend(pending.refusals)
        self.report.replayed.extend(pending.replayed)
        self._report_progress()
        return True

    def _report_progress(self) -> None:
        if self.unreported and self.progress is not None:
            self.progress(self.unreported)
        self.unreported = 0

    def _one(self, row: int, submission: Submission) -> None:
        try:
            command = submission.completed(self.ledger.staging())
            outcome = self.ledger.execute(
                command, submission.recorded_by, recorded_at=submission.recorded_at, guard=submission.guard
            )
        except Refused as error:
            self.report.refusals.append(Refusal(row, error.code, error.message, error))
            return
        self.report.accepted += 1
        if outcome.replayed:
            self.report.replayed.append(row)
            return
        self.report.events += outcome.events
        self.report.last_position = outcome.position
