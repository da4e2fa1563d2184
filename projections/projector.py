"""The projector: turns ledger events into read-model rows. Pure Python, no I/O.

It keeps what it needs between events in memory (the org tree, the cadres, each unit's current
staffing and flow functions, and the state of the workers it has seen) and collects each
batch's writes. The runner writes them, with the tracking position, in one transaction. A
crash loses only memory: the state is reloaded from the tables the next run finds.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, ClassVar
from uuid import UUID

from projections.events import LedgerEvent
from projections.intervals import RowSink, StepFunction, Vector, new_sink
from projections.org import Chain, OrgTree, Unit
from projections.timeline import Flow, Step, WorkerState, backdated, derive, step_of
from projections.vectors import CadreInfo, Traits, traits, vector_of

IDENTITY = ("civil_service_number", "family_name", "given_names", "sex", "birth_date", "sector", "funding_source")
HISTORY_KIND = {"EventRetracted": "RETRACTED"}
DAY = timedelta(days=1)

Contribution = tuple[str, date, date | None, Vector]  # facility, from, to, vector
# Places in an ``events`` row (the table's column order, see store.TABLES).
SHOWN = slice(12, 15)  # from_code, to_code, retracted
DATA = 17


def kind_name(event_name: str) -> str:
    """``LeaveStarted`` → ``LEAVE_STARTED``; ``EventRetracted`` → ``RETRACTED``."""
    if event_name in HISTORY_KIND:
        return HISTORY_KIND[event_name]
    return "".join("_" + c if c.isupper() and i else c for i, c in enumerate(event_name)).upper()


@dataclass
class Writes:
    """One batch's changes to the read tables."""

    events: dict[int, list[Any]] = field(default_factory=dict)  # new audit rows, by position
    shown: dict[int, tuple[str | None, str | None, bool]] = field(default_factory=dict)  # updated rows
    workers: set[UUID] = field(default_factory=set)  # identity or periods changed
    units: set[str] = field(default_factory=set)
    cadres: set[str] = field(default_factory=set)
    populations: list[tuple[str, int, int, int, str | None]] = field(default_factory=list)


class Projector:
    """Applies events in ledger order; ``complete`` means every state it may need is in memory."""

    def __init__(self, *, position: int = 0, next_row_id: int = 1, complete: bool = True) -> None:
        self.position = position
        self.complete = complete
        self.generation: UUID | None = None  # of the tables this state belongs to
        self.tree = OrgTree()
        self.cadres: dict[str, CadreInfo] = {}
        self.workers: dict[UUID, WorkerState] = {}
        self.counts: dict[str, StepFunction] = {}  # staffing per unit, as known now
        self.flows: dict[tuple[str, date], list[int]] = {}  # (unit, day) → [entries, exits], as known now
        self.dirty_flows: set[tuple[str, date]] = set()
        self.tree_pieces: dict[str, list[tuple[int, date, date | None, str | None, bool]]] = {}
        self.flows_at: dict[str, Counter[tuple[UUID, Flow]]] = defaultdict(Counter)
        # Bitemporal rectangles, all numbered from one sequence.
        self.period_rows: RowSink = new_sink(next_row_id)
        self.flow_rows: RowSink = RowSink(self.period_rows.ids)
        self.tree_rows: RowSink = RowSink(self.period_rows.ids)
        self.writes = Writes()

    # Batches.

    def apply(self, events: Iterable[LedgerEvent]) -> None:
        for event in events:
            if event.aggregate == "Worker":
                self._worker_event(event)
            else:
                handler = self.ORG_HANDLERS.get((event.aggregate, event.name))
                if handler is not None:
                    handler(self, event)
            self.position = event.position

    def take(self) -> Writes:
        writes, self.writes = self.writes, Writes()
        return writes

    def next_row_id(self) -> int:
        """The id the next rectangle will take (kept in the tracking row)."""
        return self.period_rows.ids.next

    identity_fields = IDENTITY

    def adopt(self, state: WorkerState) -> None:
        """Takes in a worker loaded from the tables, deriving what was derived when it was written."""
        state.derived = derive(state.steps)
        state.traits = traits(state.identity)
        state.contributions = self._contributions(state.derived, state.traits)
        for flow in state.derived.flows:
            for facility in (flow.origin, flow.destination):
                if facility is not None:
                    self.flows_at[facility][(state.id, flow)] += 1
        self.workers[state.id] = state

    def workers_needed(self, events: Iterable[LedgerEvent]) -> set[UUID] | None:
        """The workers a batch touches that are not in memory; None when it needs them all."""
        if self.complete:
            return set()
        needed = set()
        for event in events:
            if event.aggregate == "OrgUnit" and event.name == "Moved":
                return None
            if event.aggregate == "Worker" and event.aggregate_id not in self.workers:
                needed.add(event.aggregate_id)
        return needed

    # Org units.

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

    def _unit_moved(self, e: LedgerEvent) -> None:
        unit = self.tree.units[self.tree.codes[e.aggregate_id]]
        day = e.data["effective_on"]
        facilities = [
            code
            for code, u in self.tree.units.items()
            if u.level == "FACILITY" and any(unit.code in chain for _, chain in self.tree.ancestry(code))
        ]
        before = {code: self.tree.ancestry(code) for code in facilities}
        moved = {
            item for code in facilities for item, n in self.flows_at.get(code, {}).items() if n and item[1].day >= day
        }
        old_shares = {item: self._flow_shares(item[1]) for item in moved}
        old_parent = unit.parent_on(day)
        unit.parents.append((day, e.position, e.data["new_parent_code"]))
        unit.parents.sort()
        self.tree.moved()
        self._unit_changed(unit, e.position)
        for code in facilities:
            self._rehang(code, before[code], self.tree.ancestry(code))
        net: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0])
        for (worker, flow), old in old_shares.items():
            times = self.flows_at[flow.origin or flow.destination or ""][(worker, flow)]
            add_shares(net, flow.day, old, -times)
            add_shares(net, flow.day, self._flow_shares(flow), times)
        self._apply_flow_net(net)
        self.audit(e, subject=unit.code, effective_on=day, from_code=old_parent, to_code=e.data["new_parent_code"])

    def _unit_renamed(self, e: LedgerEvent) -> None:
        unit = self.tree.units[self.tree.codes[e.aggregate_id]]
        unit.name = e.data["name"]
        self.writes.units.add(unit.code)
        self.audit(e, subject=unit.code, effective_on=e.data["effective_on"])

    def _unit_closed(self, e: LedgerEvent) -> None:
        unit = self.tree.units[self.tree.codes[e.aggregate_id]]
        unit.closed_on = e.data["effective_on"]
        self._unit_changed(unit, e.position)
        self.audit(e, subject=unit.code, effective_on=unit.closed_on)

    def _population_estimated(self, e: LedgerEvent) -> None:
        code = self.tree.codes[e.aggregate_id]
        d = e.data
        self.writes.populations.append((code, d["year"], e.position, d["population"], d.get("source")))
        self.audit(e, subject=code, effective_on=None)

    def _cadre_defined(self, e: LedgerEvent) -> None:
        d = e.data
        self.cadres[d["code"]] = CadreInfo(d["code"], d["name"], d.get("isco08"), d["group"], bool(d["qualified"]))
        self.writes.cadres.add(d["code"])
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

    def _rehang(self, facility: str, before: list[tuple[date, Chain]], after: list[tuple[date, Chain]]) -> None:
        """Moves a facility's staffing between areas where its ancestry changed."""
        counts = self.counts.get(facility)
        if counts is None or before == after:
            return
        days = sorted({d for d, _ in before} | {d for d, _ in after})
        for i, day in enumerate(days):
            end = days[i + 1] if i + 1 < len(days) else None
            old, new = chain_at(before, day), chain_at(after, day)
            if old == new:
                continue
            gone = [u for u in old if u not in new]
            came = [u for u in new if u not in old]
            for lo, hi, value in list(counts.pieces(day, end)):
                negative = tuple(-x for x in value)
                for unit in gone:
                    self._count_fn(unit).apply(lo, hi, negative)
                for unit in came:
                    self._count_fn(unit).apply(lo, hi, value)

    ORG_HANDLERS: ClassVar[dict[tuple[str, str], Callable[["Projector", LedgerEvent], None]]] = {
        ("OrgUnit", "Opened"): _unit_opened,
        ("OrgUnit", "Moved"): _unit_moved,
        ("OrgUnit", "Renamed"): _unit_renamed,
        ("OrgUnit", "Closed"): _unit_closed,
        ("OrgUnit", "PopulationEstimated"): _population_estimated,
        ("Cadre", "Defined"): _cadre_defined,
    }

    # Workers.

    def _worker_event(self, e: LedgerEvent) -> None:
        state = self.workers.get(e.aggregate_id)
        if state is None:
            state = self.workers[e.aggregate_id] = WorkerState(e.aggregate_id)
        step = step_of(e.name, e.position, e.version, e.data)
        state.steps.append(step)
        if e.name == "Hired":
            state.identity = {k: e.data.get(k) for k in IDENTITY}
            state.traits = traits(state.identity)
            self.writes.workers.add(state.id)
        elif e.name == "DetailsCorrected":
            state.identity.update(e.data.get("corrections") or {})
            state.traits = traits(state.identity)
            self.writes.workers.add(state.id)
        self.audit(
            e,
            subject=None,
            effective_on=step.effective_on or e.recorded_at.date(),
            backdated=backdated(state.steps, step),
            reason=e.data.get("reason"),
        )
        self.refresh(state, e.position)

    def refresh(self, state: WorkerState, position: int) -> None:
        """Re-derives a worker's timeline and writes what changed, as known from ``position``."""
        old_periods, old_flows = state.derived.periods, state.derived.flows
        old_contrib = state.contributions
        derived = derive(state.steps)
        state.derived = derived
        state.contributions = self._contributions(derived, state.traits)
        if derived.periods != old_periods:
            self.writes.workers.add(state.id)
        if state.contributions != old_contrib or derived.periods != old_periods:
            self._apply_contributions(old_contrib, state.contributions)
            self._reissue_periods(state, position)
        if derived.flows != old_flows:
            self._apply_flows(state.id, old_flows, derived.flows)
            self._reissue_flows(state, position)
        self._show(state, derived)

    def _period_keys(self, state: WorkerState) -> list[tuple[Any, ...]]:
        worker = state.traits
        return [(p.start, p.end, p.status, p.facility, p.cadre, *worker) for p in state.derived.periods]

    def _reissue_periods(self, state: WorkerState, position: int) -> None:
        """Closes the worker's period rectangles that no longer hold and opens the new ones."""
        wanted = self._period_keys(state)
        wanted_set = set(wanted)
        for key in [k for k in state.period_ids if k not in wanted_set]:
            self.period_rows.close(state.period_ids.pop(key), position)
        for key in wanted:
            if key not in state.period_ids:
                start, end, *value = key
                state.period_ids[key] = self.period_rows.open(state.id, start, end, position, tuple(value))

    def _reissue_flows(self, state: WorkerState, position: int) -> None:
        wanted = set(state.derived.flows)
        for flow in [f for f in state.flow_ids if f not in wanted]:
            self.flow_rows.close(state.flow_ids.pop(flow), position)
        for flow in state.derived.flows:
            if flow not in state.flow_ids:
                value = (flow.origin, flow.destination, flow.position)
                state.flow_ids[flow] = self.flow_rows.open(state.id, flow.day, None, position, value)

    def _contributions(self, derived: Any, worker: Traits) -> list[Contribution]:
        return [
            (p.facility, p.start, p.end, vector_of(self.cadres.get(p.cadre), p.status == "ON_LEAVE", worker))
            for p in derived.periods
            if p.facility is not None
        ]

    def _apply_contributions(self, old: list[Contribution], new: list[Contribution]) -> None:
        n = 0
        while n < len(old) and n < len(new) and old[n] == new[n]:
            n += 1
        if n == len(old) == len(new):
            return
        steps: dict[str, dict[date, list[int]]] = defaultdict(dict)
        for sign, items in ((-1, old[n:]), (1, new[n:])):
            for facility, start, end, value in items:
                bump(steps[facility], start, value, sign)
                if end is not None:
                    bump(steps[facility], end, value, -sign)
        for facility, changes in steps.items():
            days = sorted(changes)
            running = [0] * len(next(iter(changes.values())))
            for i, day in enumerate(days):
                running = [a + b for a, b in zip(running, changes[day], strict=True)]
                if any(running):
                    end = days[i + 1] if i + 1 < len(days) else None
                    delta = tuple(running)
                    for lo, hi, chain in self.tree.chains_over(facility, day, end):
                        for unit in chain:
                            self._count_fn(unit).apply(lo, hi, delta)

    def _count_fn(self, unit: str) -> StepFunction:
        fn = self.counts.get(unit)
        if fn is None:
            fn = self.counts[unit] = StepFunction(unit)
        return fn

    def _flow_shares(self, flow: Flow) -> list[tuple[str, int, int]]:
        """Per Definitions: (unit, entries, exits) of one flow, with the tree as of its date."""
        dest = set(self.tree.chain_on(flow.destination, flow.day)) if flow.destination else set()
        orig = set(self.tree.chain_on(flow.origin, flow.day)) if flow.origin else set()
        return [(u, 1, 0) for u in dest - orig] + [(u, 0, 1) for u in orig - dest]

    def _apply_flow_net(self, net: dict[tuple[str, date], list[int]]) -> None:
        for key, (entries, exits) in net.items():
            if entries or exits:
                cell = self.flows.get(key)
                if cell is None:
                    cell = self.flows[key] = [0, 0]
                cell[0] += entries
                cell[1] += exits
                self.dirty_flows.add(key)

    def _apply_flows(self, worker: UUID, old: list[Flow], new: list[Flow]) -> None:
        removed = Counter(old) - Counter(new)
        added = Counter(new) - Counter(old)
        net: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0])
        for sign, flows in ((-1, removed), (1, added)):
            for flow, times in flows.items():
                for facility in (flow.origin, flow.destination):
                    if facility is not None:
                        self.flows_at[facility][(worker, flow)] += sign * times
                add_shares(net, flow.day, self._flow_shares(flow), sign * times)
        self._apply_flow_net(net)

    def _show(self, state: WorkerState, derived: Any) -> None:
        """Updates the history rows whose origin, destination or retracted flag changed."""
        retracted = {s.retracts for s in state.steps if s.retracts is not None}
        for step in state.steps:
            shown = shown_for(step, step.version in retracted, derived.origins)
            if state.shown.get(step.position) == shown:
                continue
            state.shown[step.position] = shown
            row = self.writes.events.get(step.position)
            if row is not None:
                row[SHOWN] = shown
            else:
                self.writes.shown[step.position] = shown

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


def shown_for(step: Step, retracted: bool, origins: dict[int, str | None]) -> tuple[str | None, str | None, bool]:
    """What the history shows of one event: (from, to, retracted)."""
    kind = step.kind
    if retracted:
        if kind == "Transferred":
            return step.recorded_from, step.facility, True
        return None, step.facility if kind == "Posted" else None, True
    if kind == "Posted":
        return None, step.facility, False
    if kind == "Transferred":
        return origins.get(step.position), step.facility, False
    if kind == "Departed":
        return origins.get(step.position), None, False
    return None, None, False


def add_shares(net: dict[tuple[str, date], list[int]], day: date, shares: list[tuple[str, int, int]], n: int) -> None:
    """Adds ``n`` times a flow's (unit, entries, exits) shares to the day's net changes."""
    for unit, entries, exits in shares:
        cell = net[(unit, day)]
        cell[0] += n * entries
        cell[1] += n * exits


def chain_at(pieces: list[tuple[date, Chain]], day: date) -> Chain:
    found = pieces[0][1]
    for start, chain in pieces:
        if start > day:
            break
        found = chain
    return found


def bump(changes: dict[date, list[int]], day: date, value: Vector, sign: int) -> None:
    cell = changes.get(day)
    if cell is None:
        changes[day] = [sign * x for x in value]
    else:
        for i, x in enumerate(value):
            cell[i] += sign * x
