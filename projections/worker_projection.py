"""Worker events in the projector: each one extends the worker's timeline, or derives it again.

Most events go last on their worker's timeline: they are dated on or after every other event of
the worker in force (a ledger is mostly recorded in order). Such an event *extends* what was
derived (``Derived.push``): only the last two periods can change and new ones follow, so only those
are re-issued, and the staffing functions change from its date on. Any other event (back-dated,
a retraction, a correction) derives the whole timeline again and re-issues what differs
(``refresh``). Both give the same rows: the rows only depend on what the timeline gives.
"""

from operator import itemgetter
from typing import Any
from uuid import UUID

from domain.worker import Worker
from projections.careers import Period, Step, WorkerState, derive
from projections.intervals import RowSink
from projections.unit_functions import Contribution, UnitFunctions
from projections.vectors import CadreInfo, Traits, packed_vector, traits
from projections.writes import SHOWN, Writes

Shown = tuple[str | None, str | None, bool]
PLAIN: Shown = (None, None, False)  # what a new history row shows: the projector's audit rows start so
DAY_AND_SIGN = itemgetter(0, 1)  # the order a worker's new change rectangles are opened in


class WorkerProjection(UnitFunctions):
    """Worker state, rectangles and history rows; the projector supplies the rest."""

    def __init__(self, period_rows: RowSink) -> None:
        super().__init__()
        self.cadres: dict[str, CadreInfo] = {}
        # Bumped when a cadre is defined: workers derived before then are derived again.
        self.cadre_epoch = 0
        self.workers: dict[UUID, WorkerState] = {}
        self.period_rows = period_rows
        self.flow_rows = RowSink(period_rows.ids, bounded=False)
        self.change_rows = RowSink(period_rows.ids, bounded=False)
        self.writes = Writes()

    def worker(self, worker_id: UUID) -> WorkerState:
        state = self.workers.get(worker_id)
        if state is None:
            state = self.workers[worker_id] = WorkerState(worker_id, epoch=self.cadre_epoch)
        return state

    def follows(self, state: WorkerState, step: Step) -> bool:
        """Whether ``step`` can extend the worker's timeline (see the module's docstring)."""
        return state.epoch == self.cadre_epoch and state.derived.follows(step)

    def adopt(self, state: WorkerState) -> None:
        """Takes in a worker loaded from the tables, deriving what was derived when it was written."""
        state.derived = derive(state.steps)
        state.epoch = self.cadre_epoch
        state.traits = traits(state.identity)
        state.contributions = self._contributions(state.derived.periods, state.traits)
        self.workers[state.id] = state

    def extend(self, state: WorkerState, step: Step, position: int) -> None:
        """Adds ``step``, which goes last on the timeline, and writes what changed (as known from ``position``)."""
        derived = state.derived
        # Only the last two periods can change: two changes on one day may merge the last into the one before.
        first = max(len(derived.periods) - 2, 0)
        old_periods = derived.periods[first:]
        flows_before = len(derived.flows)
        derived.push(step)
        new_periods = derived.periods[first:]
        if new_periods != old_periods:
            same = 0  # periods that did not change need nothing re-issued
            while same < len(old_periods) and same < len(new_periods) and old_periods[same] == new_periods[same]:
                same += 1
            if same:
                first += same
                old_periods, new_periods = old_periods[same:], new_periods[same:]
            old = state.contributions[first:]
            new = self._contributions(new_periods, state.traits)
            state.contributions[first:] = new
            self._apply_contributions(old, new)
            self._reissue_periods(state, position, old_periods, new_periods)
            self._reissue_changes(state, position, old_periods, new_periods)
        if len(derived.flows) > flows_before:
            added = derived.flows[flows_before:]
            self._apply_flows([], added)
            for flow in added:
                value = (flow.origin, flow.destination, flow.position)
                state.flow_ids[flow] = self.flow_rows.open(state.id, flow.day, None, position, value)
        self._set_shown(state, step.position, shown_for(step, False, derived.origins))

    def refresh(self, state: WorkerState, position: int) -> None:
        """Re-derives a worker's timeline and writes what changed, as known from ``position``."""
        old_flows = state.derived.flows
        old_contrib = state.contributions
        derived = derive(state.steps)
        state.derived = derived
        state.epoch = self.cadre_epoch
        state.contributions = self._contributions(derived.periods, state.traits)
        self._apply_contributions(old_contrib, state.contributions)
        # Always: a correction changes the traits every period rectangle carries.
        self._reissue_periods(state, position)
        self._reissue_changes(state, position)
        if derived.flows != old_flows:
            self._apply_flows(old_flows, derived.flows)
            self._reissue_flows(state, position)
        retracted = {s.retracts for s in state.steps if s.retracts is not None}
        for step in state.steps:
            self._set_shown(state, step.position, shown_for(step, step.version in retracted, derived.origins))

    def _period_keys(self, state: WorkerState, periods: list[Period]) -> list[tuple[Any, ...]]:
        worker = state.traits
        return [(*p, *worker) for p in periods]  # (start, end, status, facility, cadre, *traits)

    def _reissue_periods(
        self, state: WorkerState, position: int, old: list[Period] | None = None, new: list[Period] | None = None
    ) -> None:
        """Closes the worker's period rectangles that no longer hold and opens the new ones.

        With ``old`` and ``new``, only those periods changed (the others hold as they are).
        """
        ids = state.period_ids
        wanted = self._period_keys(state, state.derived.periods if new is None else new)
        if old is None:
            kept = set(wanted)
            gone = [key for key in ids if key not in kept]
        else:  # a few periods each: a list is quicker to look in than a set is to build
            gone = [key for key in self._period_keys(state, old) if key not in wanted]
        for key in gone:
            self.period_rows.close(ids.pop(key), position)
        for key in wanted:
            if key not in ids:
                ids[key] = self.period_rows.open(state.id, key[0], key[1], position, key[2:])

    def _change_keys(self, state: WorkerState, periods: list[Period]) -> set[tuple[Any, ...]]:
        """The worker's staffing changes: +1 of a period's figures on its first day, -1 on its end."""
        worker = state.traits
        keys = set()
        for start, end, status, facility, cadre in periods:
            if facility is not None:
                keys.add((start, 1, status, facility, cadre, *worker))
                if end is not None:
                    keys.add((end, -1, status, facility, cadre, *worker))
        return keys

    def _reissue_changes(
        self, state: WorkerState, position: int, old: list[Period] | None = None, new: list[Period] | None = None
    ) -> None:
        """Like ``_reissue_periods``, for the change rectangles (``worker_changes``).

        An event that goes last on the timeline only adds changes on its own date, so what was
        recorded after a position and dated before a day is only what was truly back-dated.
        """
        ids = state.change_ids
        wanted = self._change_keys(state, state.derived.periods if new is None else new)
        held = ids if old is None else self._change_keys(state, old)
        for key in [k for k in held if k not in wanted]:
            self.change_rows.close(ids.pop(key), position)
        for key in sorted([k for k in wanted if k not in ids], key=DAY_AND_SIGN):
            ids[key] = self.change_rows.open(state.id, key[0], None, position, key[1:])

    def _reissue_flows(self, state: WorkerState, position: int) -> None:
        wanted = set(state.derived.flows)
        for flow in [f for f in state.flow_ids if f not in wanted]:
            self.flow_rows.close(state.flow_ids.pop(flow), position)
        for flow in state.derived.flows:
            if flow not in state.flow_ids:
                value = (flow.origin, flow.destination, flow.position)
                state.flow_ids[flow] = self.flow_rows.open(state.id, flow.day, None, position, value)

    def _contributions(self, periods: list[Period], worker: Traits) -> list[Contribution | None]:
        """One per period: the worker's share of its facility's staffing, None when not at one."""
        cadres = self.cadres
        return [
            (facility, start, end, packed_vector(cadres.get(cadre), status == "ON_LEAVE", worker))
            if facility is not None
            else None
            for start, end, status, facility, cadre in periods
        ]

    def _set_shown(self, state: WorkerState, position: int, shown: Shown) -> None:
        """Updates the history row at ``position`` if its origin, destination or retracted flag changed.

        Only what differs from a new row's (nothing, nothing, not retracted) is kept in memory.
        """
        if state.shown.get(position, PLAIN) == shown:
            return
        if shown == PLAIN:
            del state.shown[position]
        else:
            state.shown[position] = shown
        row = self.writes.events.get(position)
        if row is not None:
            row[SHOWN] = shown
        else:
            self.writes.shown[position] = shown


def shown_for(step: Step, retracted: bool, origins: dict[int, str | None]) -> Shown:
    """What the history shows of one event: (from, to, retracted)."""
    kind = step.kind
    if retracted:
        if kind is Worker.Transferred:
            return step.recorded_from, step.facility, True
        return None, step.facility if kind is Worker.Posted else None, True
    if kind is Worker.Posted:
        return None, step.facility, False
    if kind is Worker.Transferred:
        return origins.get(step.position), step.facility, False
    if kind is Worker.Departed:
        return origins.get(step.position), None, False
    return None, None, False
