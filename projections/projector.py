"""The projector: turns ledger events into read-model rows. Pure Python, no I/O.

It composes the read models, each a small object holding its own ``@handles`` methods
(``projections.handlers``), and dispatches every event to the one that handles its class:

- ``UnitFunctions`` (``projections.unit_functions``): the org tree and every unit's staffing and
  daily flows, which the other two keep up to date (no handlers of its own);
- ``WorkerProjection`` (``projections.worker_projection``): the cadres and the workers, their
  timelines and rectangles (``projections.worker_rows``);
- ``OrgTreeProjection`` (``projections.tree_projection``): the units and their tree rectangles.

They share one batch of writes (``Writes``) and one sequence of rectangle ids. To add a read
model (say ``projections/establishment.py``), write its module: a ``ReadModel``, a class whose
``@handles(OrgUnit.X)`` methods open and close its rectangles in a ``RowSink`` on
``period_rows.ids``, whose ``tables()`` declares its tables (``projections.tables.Table``), and
whose ``rectangles()`` names each sink's table. Then name it in ONE place,
``Projector.__init__``: build it with the collaborators it needs, among ``self.read_models``.
That tuple is what the handlers are bound to, whose tables the store creates, indexes and
fingerprints (``projections.store``) and the rebuild finishes, and whose rectangles the table
writer (``projections.table_writes.write``) writes, each sink to its table (a split build's
shards other than shard 0 drop the ones not ``per_worker``: ``org_rectangles``).

It keeps what it needs between events in memory and collects each batch's writes. The runner
writes them, with the tracking position, in one transaction. A crash loses only memory: the
state is reloaded from the tables the next run finds.
"""

from collections.abc import Callable, Iterable
from typing import Protocol
from uuid import UUID

from domain.org_unit import OrgUnit
from projections.careers import WorkerState
from projections.establishment import EstablishmentProjection
from projections.events import LedgerEvent
from projections.handlers import REGISTRY, UnhandledEvent, event_key
from projections.intervals import RowSink, new_sink
from projections.shards import Share, UnitSums
from projections.tables import Table
from projections.tree_projection import OrgTreeProjection, TreePiece
from projections.unit_functions import UnitFunctions
from projections.worker_projection import IDENTITY, WorkerProjection
from projections.writes import DATA, SHOWN, Writes

__all__ = ["DATA", "SHOWN", "Projector", "Writes"]


class ReadModel(Protocol):
    """A read model the projector composes: ``@handles`` methods that add to the batch's
    ``Writes``, its tables, and the sinks of its rectangles, if any, by table."""

    def tables(self) -> tuple[Table, ...]: ...

    def rectangles(self) -> dict[str, RowSink]: ...


MOVED = event_key(OrgUnit.Moved)  # needs every worker in memory: their flows move with it


class Projector:
    """Applies events in ledger order; ``complete`` means every state it may need is in memory."""

    identity_fields = IDENTITY

    def __init__(self, *, position: int = 0, next_row_id: int = 1, id_step: int = 1, complete: bool = True) -> None:
        self.position = position
        self.complete = complete
        self.generation: UUID | None = None  # of the tables this state belongs to
        self.writes = Writes()
        # Bitemporal rectangles, all numbered from one sequence.
        self.period_rows = new_sink(next_row_id, id_step)
        self.tree_rows = RowSink(self.period_rows.ids)
        self.units = UnitFunctions()
        self.people = WorkerProjection(self.units, self.period_rows, self.writes)
        self.org = OrgTreeProjection(self.units, self.people, self.tree_rows, self.writes)
        self.establishment = EstablishmentProjection(self.units, self.people.cadres, self.period_rows.ids, self.writes)
        self.read_models: tuple[ReadModel, ...] = (self.people, self.org, self.establishment)
        self.handlers = REGISTRY.bind(*self.read_models)
        # What the runner, the state loader and the table writer read (the collaborators' own).
        self.tree, self.workers, self.cadres = self.units.tree, self.people.workers, self.people.cadres
        self.counts, self.flows, self.dirty_flows = self.units.counts, self.units.flows, self.units.dirty_flows
        self.change_rows, self.flow_rows = self.people.rows.change_rows, self.people.rows.flow_rows

    def rectangles(self) -> dict[str, RowSink]:
        """Every read model's sinks of rectangles, by the table they are written to
        (``projections.table_writes.write``)."""
        return {table: sink for model in self.read_models for table, sink in model.rectangles().items()}

    def tables(self) -> tuple[Table, ...]:
        """Every read model's tables (``projections.store`` adds its own)."""
        return tuple(table for model in self.read_models for table in model.tables())

    def org_rectangles(self) -> list[RowSink]:
        """The sinks of the tables whose rows are no worker's: only shard 0 of a split build writes them."""
        per_worker = {table.name for table in self.tables() if table.per_worker}
        return [sink for table, sink in self.rectangles().items() if table not in per_worker]

    @property
    def deferred(self) -> bool:
        """Whether the units' functions wait for ``derive_functions`` (a bulk build)."""
        return self.units.deferred

    @deferred.setter
    def deferred(self, value: bool) -> None:
        self.units.deferred = value

    @property
    def tree_pieces(self) -> dict[str, list[TreePiece]]:
        return self.org.tree_pieces

    @tree_pieces.setter
    def tree_pieces(self, value: dict[str, list[TreePiece]]) -> None:
        self.org.tree_pieces = value

    def adopt(self, state: WorkerState) -> None:
        """Takes in a worker loaded from the tables (``WorkerProjection.adopt``)."""
        self.people.adopt(state)

    def apply(self, events: Iterable[LedgerEvent]) -> None:
        """Projects ``events``, each through the handler its class has (``projections.handlers``).

        Raises:
            UnhandledEvent: an event's class has no handler.
        """
        handlers = self.handlers
        for event in events:
            handler = handlers.get((event.aggregate, event.name))
            if handler is None:
                raise UnhandledEvent(f"no projection handles {event.aggregate}.{event.name}")
            handler(event)
            self.position = event.position

    def take(self) -> Writes:
        """The batch's changes to the read tables; the next batch starts empty."""
        return self.writes.take()

    def next_row_id(self) -> int:
        """The id the next rectangle will take (kept in the tracking row)."""
        return self.period_rows.ids.next

    def derive_functions(self) -> None:
        """Every unit's staffing and flows from the workers (all of them in memory) and the tree;
        from then on, they are kept up to date event by event."""
        self.complete = True
        self.units.derive(self.people.share())

    def derive_share(self) -> Share:
        """The workers' share of the units' functions (``WorkerProjection.share``)."""
        return self.people.share()

    def unit_sums(self, share: Share, keep: Callable[[str], bool] | None = None) -> UnitSums:
        """The units' staffing changes and flows from ``share`` (``UnitFunctions.unit_sums``)."""
        return self.units.unit_sums(share, keep)

    def workers_needed(self, events: Iterable[LedgerEvent]) -> set[UUID] | None:
        """The workers a batch touches that are not in memory; None when it needs them all."""
        if self.complete:
            return set()
        events = list(events)
        if any((event.aggregate, event.name) == MOVED for event in events):
            return None
        return self.people.missing(events)
