"""A worker's rows in the read tables: their period, change and flow rectangles, and what their
history rows show, re-issued where the worker's derived timeline changed (``projections.worker_projection``).
"""

from operator import itemgetter
from typing import Any

from domain.worker import Worker
from projections.careers import Flow, Period, Step, WorkerState
from projections.intervals import RowSink
from projections.writes import SHOWN, Writes

Shown = tuple[str | None, str | None, bool]
PLAIN: Shown = (None, None, False)  # what a new history row shows (``Writes.history``)
DAY_AND_SIGN = itemgetter(0, 1)  # the order a worker's new change rectangles are opened in


class WorkerRows:
    """The workers' rectangles (numbered from one sequence with the others: ``period_rows.ids``)
    and the updates of their history rows."""

    def __init__(self, period_rows: RowSink, writes: Writes) -> None:
        self.period_rows = period_rows
        self.flow_rows = RowSink(period_rows.ids, bounded=False)
        self.change_rows = RowSink(period_rows.ids, bounded=False)
        self.writes = writes

    def rectangles(self) -> dict[str, RowSink]:
        """The rectangles' sinks, by the table they are written to."""
        return {"worker_periods": self.period_rows, "worker_changes": self.change_rows, "worker_flows": self.flow_rows}

    def open_flows(self, state: WorkerState, flows: list[Flow], position: int) -> None:
        """Opens the rectangles of flows that went last on the worker's timeline."""
        for flow in flows:
            value = (flow.origin, flow.destination, flow.position)
            state.flow_ids[flow] = self.flow_rows.open(state.id, flow.day, None, position, value)

    def _period_keys(self, state: WorkerState, periods: list[Period]) -> list[tuple[Any, ...]]:
        worker = state.traits
        return [(*p, *worker) for p in periods]  # (start, end, status, facility, cadre, *traits)

    def reissue_periods(
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

    def reissue_changes(
        self, state: WorkerState, position: int, old: list[Period] | None = None, new: list[Period] | None = None
    ) -> None:
        """Like ``reissue_periods``, for the change rectangles (``worker_changes``).

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

    def reissue_flows(self, state: WorkerState, position: int) -> None:
        wanted = set(state.derived.flows)
        for flow in [f for f in state.flow_ids if f not in wanted]:
            self.flow_rows.close(state.flow_ids.pop(flow), position)
        for flow in state.derived.flows:
            if flow not in state.flow_ids:
                value = (flow.origin, flow.destination, flow.position)
                state.flow_ids[flow] = self.flow_rows.open(state.id, flow.day, None, position, value)

    def set_shown(self, state: WorkerState, position: int, shown: Shown) -> None:
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
