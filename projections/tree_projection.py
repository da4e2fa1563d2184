"""The org tree's read model: the units, their rectangles in the tree (``org_tree``), their
populations; a move also moves its facilities' staffing and flows (``projections.unit_functions``).
"""

from collections import defaultdict
from datetime import date

from domain.org_unit import OrgUnit
from projections.events import LedgerEvent
from projections.handlers import handles
from projections.intervals import RowSink
from projections.org import Unit
from projections.tables import HISTORY, Table
from projections.unit_functions import UnitFunctions, add_shares
from projections.worker_projection import WorkerProjection
from projections.writes import Writes

BITEMPORAL_KEY = "daterange(valid_from, valid_to), int8range(known_from, known_to)"
# The units, their rectangles in the tree, and their populations.
TABLES = (
    Table(
        "org_units",
        "code text PRIMARY KEY, id uuid NOT NULL, name text NOT NULL, level text NOT NULL, sector text, "
        "facility_kind text, hard_to_reach boolean NOT NULL, opened_on date NOT NULL, closed_on date",
    ),
    Table(
        "org_tree",
        "id bigint PRIMARY KEY, code text NOT NULL, valid_from date NOT NULL, valid_to date, "
        "known_from bigint NOT NULL, known_to bigint, parent text, is_open boolean NOT NULL",
        HISTORY,
        indexes={
            "tree_by_unit": f"org_tree USING gist (code, {BITEMPORAL_KEY})",
            "tree_by_parent": f"org_tree USING gist (parent, {BITEMPORAL_KEY})",
        },
    ),
    Table(
        "populations",
        "code text NOT NULL, year int NOT NULL, position bigint NOT NULL, population bigint NOT NULL, "
        "source text, PRIMARY KEY (code, year, position)",
    ),
)

TreePiece = tuple[int, date, date | None, str | None, bool]  # row id, from, to, parent, open


class OrgTreeProjection:
    """The units' rows; the tree itself is the unit functions' (``UnitFunctions.tree``)."""

    def __init__(self, units: UnitFunctions, people: WorkerProjection, tree_rows: RowSink, writes: Writes) -> None:
        self.units = units
        self.people = people  # a move needs every worker's flows (``Projector.workers_needed``)
        self.tree_rows = tree_rows
        self.writes = writes
        self.tree_pieces: dict[str, list[TreePiece]] = {}

    def tables(self) -> tuple[Table, ...]:
        return TABLES

    def rectangles(self) -> dict[str, RowSink]:
        """The sink of the tree's rectangles, by the table it is written to."""
        return {"org_tree": self.tree_rows}

    def _unit(self, e: LedgerEvent) -> Unit:
        tree = self.units.tree
        return tree.units[tree.codes[e.aggregate_id]]

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
        self.units.tree.add(unit)
        self._unit_changed(unit, e.position)
        self.writes.history(e, subject=unit.code, effective_on=unit.opened_on, to_code=d.get("parent_code"))

    @handles(OrgUnit.Moved)
    def _unit_moved(self, e: LedgerEvent) -> None:
        unit = self._unit(e)
        day = e.data["effective_on"]
        # The facilities whose staffing and flows move with it (none while the functions are deferred).
        facilities = (
            [
                code
                for code, u in self.units.tree.units.items()
                if u.level == "FACILITY" and any(unit.code in chain for _, chain in self.units.tree.ancestry(code))
            ]
            if not self.units.deferred
            else []
        )
        before = {code: self.units.tree.ancestry(code) for code in facilities}
        # Every worker is in memory here (``workers_needed``): the flows from the move's date on.
        inside = set(facilities)
        moved = [
            flow
            for state in (self.people.workers.values() if inside else ())
            for flow in state.derived.flows
            if flow.day >= day and (flow.origin in inside or flow.destination in inside)
        ]
        old_shares = [(flow, self.units.flow_shares(flow)) for flow in moved]
        old_parent = unit.parent_on(day)
        unit.parents.append((day, e.position, e.data["new_parent_code"]))
        unit.parents.sort()
        self.units.tree.moved()
        self._unit_changed(unit, e.position)
        for code in facilities:
            self.units.rehang(code, before[code], self.units.tree.ancestry(code))
        net: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0])
        for flow, old in old_shares:
            add_shares(net, flow.day, old, -1)
            add_shares(net, flow.day, self.units.flow_shares(flow), 1)
        self.units.apply_flow_net(net)
        self.writes.history(
            e, subject=unit.code, effective_on=day, from_code=old_parent, to_code=e.data["new_parent_code"]
        )

    @handles(OrgUnit.Renamed)
    def _unit_renamed(self, e: LedgerEvent) -> None:
        unit = self._unit(e)
        unit.name = e.data["name"]
        self.writes.units.add(unit.code)
        self.writes.history(e, subject=unit.code, effective_on=e.data["effective_on"])

    @handles(OrgUnit.Closed)
    def _unit_closed(self, e: LedgerEvent) -> None:
        unit = self._unit(e)
        unit.closed_on = e.data["effective_on"]
        self._unit_changed(unit, e.position)
        self.writes.history(e, subject=unit.code, effective_on=unit.closed_on)

    @handles(OrgUnit.PopulationEstimated)
    def _population_estimated(self, e: LedgerEvent) -> None:
        code = self.units.tree.codes[e.aggregate_id]
        d = e.data
        self.writes.populations.append((code, d["year"], e.position, d["population"], d.get("source")))
        self.writes.history(e, subject=code, effective_on=None)

    def _unit_changed(self, unit: Unit, position: int) -> None:
        """Re-issues the unit's tree rectangles that changed."""
        self.writes.units.add(unit.code)
        wanted = unit.parent_pieces()
        kept: list[TreePiece] = []
        for row_id, start, end, parent, is_open in self.tree_pieces.get(unit.code, []):
            if (start, end, parent, is_open) in wanted:
                kept.append((row_id, start, end, parent, is_open))
            else:
                self.tree_rows.close(row_id, position)
        have = {piece[1:] for piece in kept}
        for start, end, parent, is_open in wanted:
            if (start, end, parent, is_open) not in have:
                row_id = self.tree_rows.open(unit.code, start, end, position, (parent, is_open))
                kept.append((row_id, start, end, parent, is_open))
        self.tree_pieces[unit.code] = sorted(kept, key=lambda r: r[1])
