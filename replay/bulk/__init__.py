"""The bulk path: many commands recorded a chunk per transaction, refusals reported by row.

One entry point, :func:`load`, used by the demo, the log's import and the benchmarks. A first
load of many rows into an empty ledger is checked by child processes (``sharded``,
``shard_child``); anything else goes the one-process way (``one_process``).
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from domain.ledger import Ledger
from replay.bulk import sharded
from replay.bulk.one_process import Batch
from replay.bulk.rows import BatchReport, Refusal, Submission

__all__ = ["BatchReport", "Refusal", "Submission", "load"]


def load(
    ledger: Ledger,
    submissions: Iterable[Submission],
    *,
    chunk_size: int = 1000,
    progress: Callable[[int], Any] | None = None,
    processes: int | None = None,
) -> BatchReport:
    """Records many commands, saving one chunk per transaction. A refused command is reported
    with its row and reason, and the others go in.

    A command with a ``command_id`` is staged with its receipt, as ``Ledger.execute`` records it, so
    that a retry stays safe: an id already recorded (earlier, or by an earlier row) is reported in
    ``replayed`` and writes nothing. A submission's ``guard`` runs as ``execute`` runs it. When a
    concurrent writer touched an aggregate of a chunk, the chunk's commands are re-run one by one.

    A first load (into an empty ledger) of at least ``sharded.MIN_ROWS`` commands is checked by
    two child processes when the machine has two cores and the memory (``replay/bulk/sharded.py``);
    ``processes`` sets how many (0 or 1: none, checked here), whatever the batch's size.
    """
    shards = sharded.shards(ledger, processes)
    if shards > 1:
        rows = submissions if isinstance(submissions, Sequence) else list(submissions)
        if sharded.worth_splitting(len(rows), processes):
            return sharded.ShardedBatch(ledger, shards).run(rows, chunk_size, progress)
        submissions = rows
    return Batch(ledger).run(submissions, chunk_size, progress)
