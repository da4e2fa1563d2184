"""The projector: turns ledger events into read-model rows. Pure Python, no I/O.

It keeps what it needs between events in memory (the org tree, the cadres, each unit's current
staffing and flow functions, and the state of the workers it has seen) and collects each
batch's writes. The runner writes them, with the tracking position, in one transaction. A
crash loses only memory: the state is reloaded from the tables the next run finds.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from uuid import UUID

from domain.cadre import Cadre
from domain.org_unit import OrgUnit
from domain.worker import Worker
from projections.careers import IDENTITY, WORKER_EVENTS, WorkerState, backdated, step_of
from projections.events import LedgerEvent
from projections.handlers import REGISTRY, UnhandledEvent, event_key, handles
from projections.intervals import RowSink, new_sink
from projections.org import Unit
from projections.shards import Share
from projections.unit_functions import add_over, add_shares
from projections.vectors import CadreInfo, traits
from projections.worker_projection import WorkerProjection
from projections.writes import DATA, SHOWN, Writes, kind_name

__all__ = ["DATA", "SHOWN", "Projector", "Writes"]

MOVED = event_key(OrgUnit.Moved)  # needs every worker in memory: their flows move with it


class Projector(WorkerProjection):
    """Applies events in ledger order; ``complete`` means every state it may need is in memory."""

    def __init__(self, *, position: int = 0, next_row_id: int = 1, id_step: int = 1, complete: bool = True) -> None:
        # Bitemporal rectangles, all numbered from one sequence.
        super().__init__(new_sink(next_row_id, id_step))
        self.position = position
        self.complete = complete
        self.generation: UUID | None = None  # of the tables this state belongs to
        self.tree_pieces: dict[str, list[tuple[int, date, date | None, str | None, bool]]] = {}
        self.tree_rows: RowSink = RowSink(self.period_rows.ids)
        self.handlers = REGISTRY.bind(self)

    # Batches.

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
        writes, self.writes = self.writes, Writes()
        return writes

    def next_row_id(self) -> int:
        """The id the next rectangle will take (kept in the tracking row)."""
        return self.period_rows.ids.next

    identity_fields = IDENTITY

    def derive_functions(self) -> None:
        """Every unit's staffing and flows from the workers (all of them in memory) and the tree;
        from then on, they are kept up to date event by event."""
        self.complete, self.deferred = True, False
        self.counts, self.flows, self.dirty_flows = {}, {}, set()
        changes, cells = self.unit_sums(self.derive_share())
        self._roll_up(changes)
        self._apply_flow_net({(unit, date.fromordinal(day)): cell for (unit, day), cell in cells.items()})

    def derive_share(self) -> Share:
        """The workers' staffing changes summed by facility, and their flows counted (days as
        ordinals): what ``derive_functions`` rolls up, and what a split build's child hands on
        (``projections.shards``)."""
        at: dict[str, dict[int, int]] = defaultdict(dict)
        moves: dict[tuple[str | None, str | None, int], int] = {}
        for state in self.workers.values():
            for contribution in state.contributions:
                if contribution is not None:
                    facility, start, end, value = contribution
                    add_over(at[facility], start, end, value)
            for flow in state.derived.flows:
                key = (flow.origin, flow.destination, flow.day.toordinal())
                moves[key] = moves.get(key, 0) + 1
        return at, moves

    def workers_needed(self, events: Iterable[LedgerEvent]) -> set[UUID] | None:
        """The workers a batch touches that are not in memory; None when it needs them all."""
        if self.complete:
            return set()
        needed = set()
        for event in events:
            if (event.aggregate, event.name) == MOVED:
                return None
            if event.aggregate == "Worker" and event.aggregate_id not in self.workers:
                needed.add(event.aggregate_id)
        return needed

    # Org units.

    @handles(OrgUnit.Opened)
    def _unit_opened(self, e: LedgerEvent) -> None:
        d = e.data
        unit = Unit(
            id=e.aggregate_id,
            code=d["code"],
            name=d["name"],
            level=d["level"],
            sector=d.get("sector"),
            facility_kind=d.get("facility_kind"),
            hard_to_reach=bool(d.get("hard_to_reach")),
            opened_on=d["effective_on"],
            parents=[(d["effective_on"], e.position, d.get("parent_code"))],
        )
        self.tree.add(unit)
        self._unit_changed(unit, e.position)
        self.audit(e, subject=unit.code, effective_on=unit.opened_on, to_code=d.get("parent_code"))

    @handles(OrgUnit.Moved)
    def _unit_moved(self, e: LedgerEvent) -> None:
        unit = self.tree.units[self.tree.codes[e.aggregate_id]]
        day = e.data["effective_on"]
        # The facilities whose staffing and flows move with it (none while the functions are deferred).
        facilities = (
            [
                code
                for code, u in self.tree.units.items()
                if u.level == "FACILITY" and any(unit.code in chain for _, chain in self.tree.ancestry(code))
            ]
            if not self.deferred
            else []
        )
        before = {code: self.tree.ancestry(code) for code in facilities}
        # Every worker is in memory here (``workers_needed``): the flows from the move's date on.
        inside = set(facilities)
        moved = [
            flow
            for state in (self.workers.values() if inside else ())
            for flow in state.derived.flows
            if flow.day >= day and (flow.origin in inside or flow.destination in inside)
        ]
        old_shares = [(flow, self._flow_shares(flow)) for flow in moved]
        old_parent = unit.parent_on(day)
        unit.parents.append((day, e.position, e.data["new_parent_code"]))
        unit.parents.sort()
        self.tree.moved()
        self._unit_changed(unit, e.position)
        for code in facilities:
            self._rehang(code, before[code], self.tree.ancestry(code))
        net: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0])
        for flow, old in old_shares:
            add_shares(net, flow.day, old, -1)
            add_shares(net, flow.day, self._flow_shares(flow), 1)
        self._apply_flow_net(net)
        self.audit(e, subject=unit.code, effective_on=day, from_code=old_parent, to_code=e.data["new_parent_code"])

    @handles(OrgUnit.Renamed)
    def _unit_renamed(self, e: LedgerEvent) -> None:
        unit = self.tree.units[self.tree.codes[e.aggregate_id]]
        unit.name = e.data["name"]
        self.writes.units.add(unit.code)
        self.audit(e, subject=unit.code, effective_on=e.data["effective_on"])

    @handles(OrgUnit.Closed)
    def _unit_closed(self, e: LedgerEvent) -> None:
        unit = self.tree.units[self.tree.codes[e.aggregate_id]]
        unit.closed_on = e.data["effective_on"]
        self._unit_changed(unit, e.position)
        self.audit(e, subject=unit.code, effective_on=unit.closed_on)

    @handles(OrgUnit.PopulationEstimated)
    def _population_estimated(self, e: LedgerEvent) -> None:
        code = self.tree.codes[e.aggregate_id]
        d = e.data
        self.writes.populations.append((code, d["year"], e.position, d["population"], d.get("source")))
        self.audit(e, subject=code, effective_on=None)

    @handles(Cadre.Defined)
    def _cadre_defined(self, e: LedgerEvent) -> None:
        d = e.data
        self.cadres[d["code"]] = CadreInfo(d["code"], d["name"], d.get("isco08"), d["group"], bool(d["qualified"]))
        self.writes.cadres.add(d["code"])
        if self.workers:  # their contributions may name the cadre: derive them again
            self.cadre_epoch += 1
        self.audit(e, subject=d["code"], effective_on=None)

    def _unit_changed(self, unit: Unit, position: int) -> None:
        """Re-issues the unit's tree rectangles that changed."""
        self.writes.units.add(unit.code)
        wanted = unit.parent_pieces()
        kept = []
        for row_id, *piece in self.tree_pieces.get(unit.code, []):
            if tuple(piece) in wanted:
                kept.append((row_id, *piece))
            else:
                self.tree_rows.close(row_id, position)
        have = {tuple(piece) for _, *piece in kept}
        for start, end, parent, is_open in wanted:
            if (start, end, parent, is_open) not in have:
                row_id = self.tree_rows.open(unit.code, start, end, position, (parent, is_open))
                kept.append((row_id, start, end, parent, is_open))
        self.tree_pieces[unit.code] = sorted(kept, key=lambda r: r[1])

    # Workers.

    @handles(Worker.Hired)
    def _worker_hired(self, e: LedgerEvent) -> None:
        state = self.worker(e.aggregate_id)
        state.identity = {k: e.data.get(k) for k in IDENTITY}
        self._identity_changed(state)
        self._worker_event(e, state)

    @handles(Worker.DetailsCorrected)
    def _details_corrected(self, e: LedgerEvent) -> None:
        state = self.worker(e.aggregate_id)
        state.identity.update(e.data.get("corrections") or {})
        self._identity_changed(state)
        self._worker_event(e, state)

    def _identity_changed(self, state: WorkerState) -> None:
        state.traits = traits(state.identity)
        self.writes.workers.add(state.id)

    @handles(
        Worker.Posted,
        Worker.Transferred,
        Worker.TrainingRecorded,
        Worker.Requalified,
        Worker.LeaveStarted,
        Worker.LeaveEnded,
        Worker.Departed,
        Worker.Rehired,
        Worker.EventRetracted,
    )
    def _worker_moved_on(self, e: LedgerEvent) -> None:
        self._worker_event(e, self.worker(e.aggregate_id))

    def _worker_event(self, e: LedgerEvent, state: WorkerState) -> None:
        """The worker's timeline takes the event: extended, or derived again (``projections.worker_projection``)."""
        step = step_of(WORKER_EVENTS[e.name], e.position, e.version, e.data)
        extends = self.follows(state, step)
        state.steps.append(step)
        self.audit(
            e,
            subject=None,
            effective_on=step.effective_on or e.recorded_at.date(),
            backdated=not extends and backdated(state.steps, step),
            reason=e.data.get("reason"),
        )
        if extends:
            self.extend(state, step, e.position)
        else:
            self.refresh(state, e.position)

    # The audit trail.

    def audit(
        self,
        e: LedgerEvent,
        *,
        subject: str | None,
        effective_on: date | None,
        from_code: str | None = None,
        to_code: str | None = None,
        backdated: bool = False,
        reason: str | None = None,
    ) -> None:
        m = e.meta
        self.writes.events[e.position] = [
            e.position,
            e.aggregate,
            e.aggregate_id,
            e.version,
            kind_name(e.name),
            effective_on,
            e.recorded_at,
            m.get("recorded_by"),
            m.get("authority"),
            m.get("note"),
            m.get("command_id"),
            subject,
            from_code,
            to_code,
            False,
            backdated,
            reason,
            e.data,
            e.name,
        ]
