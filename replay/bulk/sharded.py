"""The bulk path on several cores, for a first load into an empty ledger.

Checking commands is the bulk path's bottleneck, and it is pure Python: one core. Here the
workers are split between child processes (forked, so that they share the submissions without
copying them) by worker id. Each child checks its workers' commands, and every org-unit and
cadre command, against what it has seen, and sends back the rows' outcomes and their events,
already encoded. The parent merges the rows in submission order, inserts each chunk in one
transaction as the one-process path does, and numbers the events of the facility rosters,
which gather postings from every child. The ledger is the one the one-process path writes,
event for event and position for position.

Whatever a child cannot vouch for ends the split at that row: everything before it commits,
and the one-process path (``Batch``) records the rest against the database. That happens when:

- a row's command has a ``command_id`` or is a retraction (they need the ledger itself);
- the children disagree about an org-unit or cadre command (closing a facility checks the
  postings of every child), or any of them refuses one;
- a handler changed something before it refused, or a child failed;
- a chunk's insert collided: with another writer, or with the same aggregate written by two
  children (a civil-service number claimed for workers of both). Each child starts from an empty
  ledger, so two children writing one aggregate both write its version 1, and the database's
  (id, version) key refuses the second: the chunk goes again through the one-process path, which
  checks it against what is stored.
"""

import multiprocessing
import pickle
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from multiprocessing.connection import Connection
from typing import Any, cast

from eventsourcing.persistence import IntegrityError

from domain.ledger import Ledger
from replay import cores, memory
from replay.bulk.merge import Merge, Merged, Partial
from replay.bulk.one_process import Batch, long_lived
from replay.bulk.rows import BatchReport, Submission
from replay.bulk.shard_child import Chunk, check_shard, routes
from replay.bulk.writing import insert_columns

MIN_ROWS = 5000
"""Below this many rows, forking costs more than it saves."""
MAX_SHARDS = 64
BYTES_A_ROW = 2500
"""Memory a row of a first load takes, parent and children together, with some room: the
1.1 million rows of the scale-10 demo took 2.1 GB at the peak (1.2 GB in one process). A load
that would not fit in the memory available goes the one-process way."""


def shards(ledger: Ledger, processes: int | None) -> int:
    """How many children should check a batch: none (0) unless it is a first load and the
    platform can fork; ``processes`` (None: two when the machine has two cores or more)."""
    if processes is not None and processes < 2:
        return 0
    if cores.FORK is None or ledger.recorder.max_notification_id() is not None:
        return 0
    if processes is not None:
        return min(processes, MAX_SHARDS)
    return 2 if cores.count() >= 2 else 0


def worth_splitting(rows: int, processes: int | None) -> bool:
    """Whether ``rows`` rows should go to the children: always when asked for by ``processes``,
    else when there are enough of them and they fit in memory."""
    return processes is not None or (rows >= MIN_ROWS and affordable(rows))


def affordable(rows: int) -> bool:
    """Whether children checking ``rows`` rows fit in the memory available (always, where unknown)."""
    available = memory.available()
    return available is None or rows * BYTES_A_ROW < available * memory.SHARE


class ShardedBatch:
    """One run of the bulk path over ``shards`` child processes; see the module's docstring."""

    def __init__(self, ledger: Ledger, shards: int) -> None:
        self.ledger = ledger
        self.shards = shards
        self.report = BatchReport()
        self.progress: Callable[[int], Any] | None = None

    def run(
        self, submissions: Sequence[Submission], chunk_size: int, progress: Callable[[int], Any] | None
    ) -> BatchReport:
        route = routes(submissions, self.shards)
        self.progress = progress  # given each chunk's rows once they are saved: see ``_count``
        resume = self._split(submissions, route, chunk_size) if route else 0
        if resume < len(submissions):
            rest = islice(submissions, resume, None)
            Batch(self.ledger, self.report).run(rest, chunk_size, progress, start=resume)
        return self.report

    def _split(self, submissions: Sequence[Submission], route: bytes, size: int) -> int:
        """Records the rows ``route`` covers with the children's help; returns the first row not recorded."""
        end = len(route)
        context = multiprocessing.get_context("fork")
        inboxes: list[queue.SimpleQueue[bytes | None]] = []
        children = []
        for shard in range(self.shards):
            receiver, sender = context.Pipe(duplex=False)
            child = context.Process(
                target=check_shard,
                args=(self.ledger, submissions, route, shard, size, sender),
                name=f"hrh-batch-check-{shard}",
                daemon=True,
            )
            child.start()
            sender.close()
            inbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
            threading.Thread(target=_drain, args=(receiver, inbox), daemon=True).start()
            children.append(child)
            inboxes.append(inbox)
        merge = Merge(route, self.shards)
        pending: Pending | None = None
        try:
            with ThreadPoolExecutor(1, thread_name_prefix="hrh-batch-insert") as writer, long_lived() as freeze:
                for start in range(0, end, size):
                    freeze()
                    stop = min(start + size, end)
                    parts = [_chunk(inbox) for inbox in inboxes]
                    try:
                        if None in parts:  # a child is gone: this chunk goes the one-process way
                            raise Partial(start, Merged(start))
                        merged = merge.chunk(start, stop, cast(list[Chunk], parts))
                    except Partial as partial:
                        return self._finish(pending, partial)
                    collided = self._settle(pending)
                    if collided is not None:
                        return collided
                    pending = Pending(merged, writer.submit(self._insert, merged))
                collided = self._settle(pending)
                return end if collided is None else collided
        finally:
            for child in children:
                child.kill()
                child.join()

    def _insert(self, merged: Merged) -> list[int]:
        return insert_columns(
            self.ledger, b"".join(merged.ids), merged.versions, merged.topics, merged.states, merged.lines
        )

    def _finish(self, pending: "Pending | None", partial: Partial) -> int:
        """Settles the pending insert and commits the rows before ``partial.row``; returns where to go on."""
        collided = self._settle(pending)
        if collided is not None:
            return collided
        merged = partial.merged
        try:
            positions = self._insert(merged)
        except IntegrityError:
            return merged.start
        self._count(merged, positions)
        return partial.row

    def _settle(self, pending: "Pending | None") -> int | None:
        """Waits for the pending insert; when it collided (and recorded nothing), its first row."""
        if pending is None:
            return None
        try:
            positions = pending.positions.result()
        except IntegrityError:
            return pending.merged.start
        self._count(pending.merged, positions)
        return None

    def _count(self, merged: Merged, positions: list[int]) -> None:
        report = self.report
        report.events += len(positions)
        if positions:
            report.last_position = positions[-1]
        report.accepted += merged.accepted
        report.refusals.extend(merged.refusals)
        rows = merged.accepted + len(merged.refusals)
        if rows and self.progress is not None:
            self.progress(rows)


@dataclass
class Pending:
    """A chunk being inserted while the next one is merged."""

    merged: Merged
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
