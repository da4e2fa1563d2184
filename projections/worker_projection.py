"""Worker events in the projector: each one extends the worker's timeline, or derives it again.

Most events go last on their worker's timeline: they are dated on or after every other event of
the worker in force (a ledger is mostly recorded in order). Such an event *extends* what was
derived (``Derived.push``): only the last two periods can change and new ones follow, so only those
are re-issued, and the staffing functions change from its date on. Any other event (back-dated,
a retraction, a correction) derives the whole timeline again and re-issues what differs
(``refresh``). Both give the same rows: the rows only depend on what the timeline gives.
"""

from collections import defaultdict
from collections.abc import Iterable
from uuid import UUID

from domain.cadre import Cadre
from domain.worker import Worker
from projections.careers import WORKER_EVENTS, Period, Step, WorkerState, backdated, derive, step_of
from projections.events import LedgerEvent
from projections.handlers import handles
from projections.intervals import RowSink, add_over
from projections.postings import IN_POST
from projections.search import SEARCH_COLUMNS, SEARCH_INDEXES
from projections.shards import Share
from projections.tables import CHANGES, Table
from projections.unit_functions import Contribution, UnitFunctions
from projections.vectors import CadreInfo, Traits, packed_vector, traits
from projections.worker_rows import WorkerRows, shown_for
from projections.writes import Writes

IDENTITY = (
    "civil_service_number",
    "family_name",
    "given_names",
    "sex",
    "birth_date",
    "sector",
    "funding_source",
    "country_of_birth",
    "qualification_country",
)
"""A worker's identity fields, as ``Worker.Hired`` names them: the columns of the workers table (then the
keys a search looks up, ``projections.search``)."""
# The workers' tables: their identities, the cadres, and their period, change and flow rectangles.
TABLES = (
    Table(
        "cadres",
        "code text PRIMARY KEY, name text NOT NULL, isco08 text, grp text NOT NULL, qualified boolean NOT NULL",
    ),
    Table(
        "workers",
        "id uuid PRIMARY KEY, civil_service_number text, family_name text, given_names text, sex text, "
        "birth_date date, sector text, funding_source text, country_of_birth text, qualification_country text, "
        + SEARCH_COLUMNS,
        indexes=SEARCH_INDEXES,
        unfiltered=IDENTITY,
        per_worker=True,
    ),
    Table(
        "worker_periods",
        "id bigint NOT NULL, worker_id uuid NOT NULL, valid_from date NOT NULL, valid_to date, "
        "known_from bigint NOT NULL, known_to bigint, status text NOT NULL, facility text, cadre text NOT NULL, "
        "sex text, sector text, funding_source text, present smallint NOT NULL",
        indexes={
            # Every row, not the current ones only: a worker's periods as known at an earlier position too.
            "periods_by_worker": "worker_periods (worker_id)",
            # The workers in post at some facilities: the dates are checked on the few rows each one has.
            "periods_at_facility": "worker_periods (facility, valid_from) WHERE known_to IS NULL",
        },
        keys={"worker_periods_key": "worker_periods (id)"},
        unfiltered=("sex", "sector", "funding_source", "present"),
        per_worker=True,
    ),
    Table(
        "worker_changes",
        "id bigint NOT NULL, worker_id uuid NOT NULL, day date NOT NULL, known_from bigint NOT NULL, "
        "known_to bigint, sign smallint NOT NULL, status text NOT NULL, facility text NOT NULL, cadre text NOT NULL, "
        "sex text, sector text, funding_source text, present smallint NOT NULL",
        CHANGES,
        indexes={
            "changes_by_worker": "worker_changes (worker_id) WHERE known_to IS NULL",
            # Changes recorded after a position and dated up to a day (staffing as known then).
            "changes_opened": "worker_changes USING gist (known_from, day) WHERE known_to IS NULL",
            "changes_closed": "worker_changes USING gist (int8range(known_from, known_to), day) "
            "WHERE known_to IS NOT NULL",
        },
        keys={"worker_changes_key": "worker_changes (id)"},
        unfiltered=("sign", "status", "cadre", "sex", "sector", "funding_source", "present"),
        per_worker=True,
    ),
    Table(
        "worker_flows",
        "id bigint NOT NULL, worker_id uuid NOT NULL, day date NOT NULL, known_from bigint NOT NULL, "
        "known_to bigint, origin text, destination text, position bigint NOT NULL",
        CHANGES,
        indexes={
            "flows_by_worker": "worker_flows (worker_id)",  # every row, as for the periods
            "flows_on": "worker_flows (day)",  # the moves effective in a span (``projections.flow_tabs``)
            "flows_opened": "worker_flows (known_from)",
            "flows_closed": "worker_flows (known_to)",
        },
        keys={"worker_flows_key": "worker_flows (id)"},
        unfiltered=("position",),
        per_worker=True,
    ),
)


class WorkerProjection:
    """The workers and cadres: each worker's state and rows, and their share of the units' functions."""

    identity_fields = IDENTITY

    def __init__(self, units: UnitFunctions, period_rows: RowSink, writes: Writes) -> None:
        self.units = units
        self.rows = WorkerRows(period_rows, writes)
        self.writes = writes
        self.cadres: dict[str, CadreInfo] = {}
        # Bumped when a cadre is defined: workers derived before then are derived again.
        self.cadre_epoch = 0
        self.workers: dict[UUID, WorkerState] = {}

    def tables(self) -> tuple[Table, ...]:
        return TABLES

    def rectangles(self) -> dict[str, RowSink]:
        """The sinks of the workers' rectangles, by the table they are written to."""
        return self.rows.rectangles()

    def worker(self, worker_id: UUID) -> WorkerState:
        state = self.workers.get(worker_id)
        if state is None:
            state = self.workers[worker_id] = WorkerState(worker_id, epoch=self.cadre_epoch)
        return state

    def missing(self, events: Iterable[LedgerEvent]) -> set[UUID]:
        """The workers ``events`` touch that are not in memory."""
        return {e.aggregate_id for e in events if e.aggregate == "Worker" and e.aggregate_id not in self.workers}

    def share(self) -> Share:
        """The workers' staffing changes summed by facility, their flows counted, and their changes
        in post summed by facility and cadre (days as ordinals): what ``UnitFunctions.derive``
        rolls up, and what a split build's child hands on (``projections.shards``)."""
        at: dict[str, dict[int, int]] = defaultdict(dict)
        moves: dict[tuple[str | None, str | None, int], int] = {}
        in_post: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
        for state in self.workers.values():
            for contribution in state.contributions:
                if contribution is not None:
                    facility, cadre, start, end, value = contribution
                    add_over(at[facility], start, end, value)
                    if cadre is not None:
                        add_over(in_post[(facility, cadre)], start, end, 1)
            for flow in state.derived.flows:
                key = (flow.origin, flow.destination, flow.day.toordinal())
                moves[key] = moves.get(key, 0) + 1
        return at, moves, in_post

    @handles(Cadre.Defined)
    def _cadre_defined(self, e: LedgerEvent) -> None:
        d = e.data
        self.cadres[d["code"]] = CadreInfo(d["code"], d["name"], d.get("isco08"), d["group"], bool(d["qualified"]))
        self.writes.cadres.add(d["code"])
        if self.workers:  # their contributions may name the cadre: derive them again
            self.cadre_epoch += 1
        self.writes.history(e, subject=d["code"], effective_on=None)

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
        """The worker's timeline takes the event: extended, or derived again (see the module's docstring)."""
        step = step_of(WORKER_EVENTS[e.name], e.position, e.version, e.data)
        extends = self.follows(state, step)
        state.steps.append(step)
        self.writes.history(
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
            self.units.apply_contributions(old, new)
            self.rows.reissue_periods(state, position, old_periods, new_periods)
            self.rows.reissue_changes(state, position, old_periods, new_periods)
        if len(derived.flows) > flows_before:
            added = derived.flows[flows_before:]
            self.units.apply_flows([], added)
            self.rows.open_flows(state, added, position)
        self.rows.set_shown(state, step.position, shown_for(step, False, derived.origins))

    def refresh(self, state: WorkerState, position: int) -> None:
        """Re-derives a worker's timeline and writes what changed, as known from ``position``."""
        old_flows = state.derived.flows
        old_contrib = state.contributions
        derived = derive(state.steps)
        state.derived = derived
        state.epoch = self.cadre_epoch
        state.contributions = self._contributions(derived.periods, state.traits)
        self.units.apply_contributions(old_contrib, state.contributions)
        # Always: a correction changes the traits every period rectangle carries.
        self.rows.reissue_periods(state, position)
        self.rows.reissue_changes(state, position)
        if derived.flows != old_flows:
            self.units.apply_flows(old_flows, derived.flows)
            self.rows.reissue_flows(state, position)
        retracted = {s.retracts for s in state.steps if s.retracts is not None}
        for step in state.steps:
            self.rows.set_shown(state, step.position, shown_for(step, step.version in retracted, derived.origins))

    def _contributions(self, periods: list[Period], worker: Traits) -> list[Contribution | None]:
        """One per period at a facility (None otherwise): the worker's share of its staffing, and
        the cadre whose workers in post there it counts in (None when the status holds no post)."""
        cadres = self.cadres
        return [
            (
                facility,
                cadre if status in IN_POST else None,
                start,
                end,
                packed_vector(cadres.get(cadre), status == "ON_LEAVE", worker),
            )
            if facility is not None
            else None
            for start, end, status, facility, cadre in periods
        ]
