"""The bulk path holding everything back: every row checked against what the rows before it staged, and
nothing written until the end, then all in one transaction or not at all (an import's dry run, or its
all-or-nothing)."""

from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from typing import Any

from domain.chain import unplaced
from domain.ledger import Ledger
from replay.bulk.one_process import Batch, Rows
from replay.bulk.rows import BatchReport, Submission
from replay.bulk.writing import insert


class HeldBatch(Batch):
    """A batch that writes nothing while it runs: ``run`` checks and stages, ``write`` then records it all."""

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(ledger)
        self.held: list[Any] = []
        self.would_accept = 0

    def run(
        self,
        submissions: Iterable[Submission],
        chunk_size: int,
        progress: Callable[[int], Any] | None,
        *,
        start: int = 0,
    ) -> BatchReport:
        """Checks ``submissions``; the report counts the rows that would be accepted, and nothing is written."""
        report = super().run(submissions, chunk_size, progress, start=start)
        report.accepted = self.would_accept
        return report

    def _segment(self, segment: Rows, writer: Executor) -> None:
        self._probe(segment)
        events, accepted, refusals, replayed = self._stage(segment)
        self.floor += len(events)
        self.held.extend(events)
        self.would_accept += accepted
        self.report.refusals.extend(refusals)
        self.report.replayed.extend(replayed)

    def write(self) -> BatchReport:
        """Records every event the run staged, in one transaction.

        Raises:
            IntegrityError: another writer changed the same records meanwhile; nothing was recorded.
        """
        if self.held:
            stored = [self.ledger.mapper.to_stored_event(event) for event in self.held]
            positions = insert(self.ledger, stored, list(map(unplaced, self.held)))
            self.report.events = len(positions)
            self.report.last_position = positions[-1]
        self.held = []
        return self.report
