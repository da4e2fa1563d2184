"""Reloading the projector's state from the read tables, after a restart or a crash.

The tree, the cadres and every unit's functions load at once; workers load on demand, from
their ``events`` rows and their open rectangles, and are derived again exactly as when written.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from domain.worker import Worker
from projections.careers import WORKER_EVENTS, Flow, WorkerState, step_of
from projections.establishment_sums import SUMS, Decrees, lanes_of
from projections.in_post import load_in_post
from projections.ledger_reader import read_range
from projections.naming import quoted
from projections.org import Unit
from projections.pieces import STAFFING, load_vectors
from projections.projector import Projector
from projections.shards import Shard
from projections.store import Target, tracking
from projections.tree_projection import TreePiece
from projections.vectors import CadreInfo
from projections.worker_rows import PLAIN

DATE_KEYS = ("effective_on", "started_on", "ended_on", "birth_date")


def revive(data: dict[str, Any]) -> dict[str, Any]:
    """Dates back from their JSON strings."""
    for key in DATE_KEYS:
        if isinstance(data.get(key), str):
            data[key] = date.fromisoformat(data[key])
    corrections = data.get("corrections")
    if isinstance(corrections, dict):
        revive(corrections)
    return data


async def load(conn: asyncpg.Connection, schema: str, *, functions: bool = True) -> Projector:
    """A projector holding the state of the tables in ``schema`` (workers are loaded on demand).

    Without ``functions`` (the tables of an unfinished rebuild, which writes its staffing and
    flows only at the end), every worker is loaded, and the functions are left for the rebuild to
    derive (``runner.catch_up``).
    """
    s = quoted(schema)
    track = await tracking(conn, schema)
    projector = Projector(position=track["position"], next_row_id=track["next_row_id"], complete=False)
    projector.generation = track["generation"]
    for r in await conn.fetch(f"SELECT * FROM {s}.cadres"):
        projector.cadres[r["code"]] = CadreInfo(r["code"], r["name"], r["isco08"], r["grp"], r["qualified"])
    pieces = await tree_pieces(conn, schema)
    # Parents from the events themselves: the tree's pieces merge moves that a later move may undo.
    parents: dict[str, list[tuple[date, int, str | None]]] = {}
    for r in await conn.fetch(
        f"SELECT subject, position, kind, data FROM {s}.events WHERE aggregate = 'OrgUnit' "
        "AND kind IN ('OPENED', 'MOVED') ORDER BY position"
    ):
        data = revive(orjson.loads(r["data"]))
        parent = data.get("parent_code") if r["kind"] == "OPENED" else data["new_parent_code"]
        parents.setdefault(r["subject"], []).append((data["effective_on"], r["position"], parent))
    for r in await conn.fetch(f"SELECT * FROM {s}.org_units"):
        unit = Unit(
            id=r["id"],
            code=r["code"],
            name=r["name"],
            level=r["level"],
            sector=r["sector"],
            facility_kind=r["facility_kind"],
            hard_to_reach=r["hard_to_reach"],
            opened_on=r["opened_on"],
            closed_on=r["closed_on"],
            parents=sorted(parents.get(r["code"], [])),
        )
        projector.tree.add(unit)
        projector.tree_pieces[unit.code] = pieces.get(unit.code, [])
    await load_decrees(conn, schema, projector)
    if not functions:
        await load_workers(conn, schema, projector, None)
        projector.complete = True
        return projector
    projector.counts.update(await load_vectors(conn, schema, STAFFING))
    projector.units.sums.update(await load_vectors(conn, schema, SUMS))
    for r in await conn.fetch(f"SELECT code, day, entries, exits FROM {s}.flows"):
        projector.flows[(r["code"], r["day"])] = [r["entries"], r["exits"]]
    projector.units.in_post.update(await load_in_post(conn, schema))
    return projector


async def load_decrees(conn: asyncpg.Connection, schema: str, projector: Projector) -> None:
    """Every (facility, cadre) pair's posts, from the establishment's rows in ledger order (the
    latest for a day holds), and its cadre's group (``projections.establishment_sums``)."""
    groups = {code: cadre.group for code, cadre in projector.cadres.items()}
    decrees = projector.units.decrees
    for r in await conn.fetch(
        f"SELECT code, cadre, day, posts FROM {quoted(schema)}.establishment ORDER BY known_from"
    ):
        pair = (r["code"], r["cadre"])
        if pair not in decrees:
            decrees[pair] = Decrees(lanes_of(groups.get(r["cadre"], "OTHER")))
        decrees[pair].set(r["day"], r["posts"])


async def tree_pieces(conn: asyncpg.Connection, schema: str) -> dict[str, list[TreePiece]]:
    """Each unit's open tree rectangles, with their ids."""
    pieces: dict[str, list[TreePiece]] = {}
    for r in await conn.fetch(
        f"SELECT id, code, valid_from, valid_to, parent, is_open FROM {quoted(schema)}.org_tree "
        "WHERE known_to IS NULL ORDER BY valid_from"
    ):
        pieces.setdefault(r["code"], []).append((r["id"], r["valid_from"], r["valid_to"], r["parent"], r["is_open"]))
    return pieces


async def load_shard(conn: asyncpg.Connection, target: Target, shard: Shard) -> Projector:
    """The projector of one shard of a split build, at its tracking row (``projections.shards``).

    The tables may hold the tree at another position than this shard's (shard 0 writes it), so
    the org events up to the shard's position are projected again from the ledger; shard 0 then
    takes its tree rectangles' ids from the tables. The shard's workers load from their rows (their
    staffing and flows are derived at the end of the build, ``runner.catch_up``).
    """
    track = await tracking(conn, target.schema, shard)
    projector = Projector()
    if track["position"]:
        projector.apply(await read_range(conn, target.events_table, 0, track["position"], shard.reads(workers=False)))
        projector.take()
        for sink in projector.rectangles().values():
            sink.take()
        if shard.writes_org:
            projector.tree_pieces = await tree_pieces(conn, target.schema)
        await load_workers(conn, target.schema, projector, None, shard)
    projector.position = track["position"]
    projector.generation = track["generation"]
    projector.period_rows.ids.next, projector.period_rows.ids.step = track["next_row_id"], shard.count
    return projector


EVENT_COLUMNS = "aggregate_id, position, version, event, data, from_code, to_code, retracted"
PERIOD_COLUMNS = "id, worker_id, valid_from, valid_to, status, facility, cadre, sex, sector, funding_source, present"
CHANGE_COLUMNS = "id, worker_id, day, sign, status, facility, cadre, sex, sector, funding_source, present"
FLOW_COLUMNS = "id, worker_id, day, origin, destination, position"
OPEN = "known_to IS NULL"

Rows = Sequence[Sequence[Any]]  # rows of the columns above, in their order


async def load_workers(
    conn: asyncpg.Connection, schema: str, projector: Projector, ids: Iterable[UUID] | None, shard: Shard | None = None
) -> None:
    """Loads the state of the workers ``ids`` (None: every worker, or ``shard``'s) that the projector lacks.

    A few workers (the live runner's usual case) come in one statement: each table's rows as an
    array of records.
    """
    s = quoted(schema)
    if ids is None:
        of_shard = "" if shard is None else f" AND {shard.owns('worker_id')}"
        of_shard_events = "" if shard is None else f" AND {shard.owns('aggregate_id')}"
        events = await conn.fetch(
            f"SELECT {EVENT_COLUMNS} FROM {s}.events WHERE aggregate = 'Worker'{of_shard_events} ORDER BY position"
        )
        periods = await conn.fetch(f"SELECT {PERIOD_COLUMNS} FROM {s}.worker_periods WHERE {OPEN}{of_shard}")
        changes = await conn.fetch(f"SELECT {CHANGE_COLUMNS} FROM {s}.worker_changes WHERE {OPEN}{of_shard}")
        flows = await conn.fetch(f"SELECT {FLOW_COLUMNS} FROM {s}.worker_flows WHERE {OPEN}{of_shard}")
    else:
        wanted = [i for i in ids if i not in projector.workers]
        if not wanted:
            return
        of_wanted = "worker_id = ANY($1::uuid[])"
        row = await conn.fetchrow(
            f"SELECT (SELECT array_agg(({EVENT_COLUMNS}) ORDER BY position) FROM {s}.events "
            "WHERE aggregate_id = ANY($1::uuid[])), "
            f"(SELECT array_agg(({PERIOD_COLUMNS})) FROM {s}.worker_periods WHERE {of_wanted} AND {OPEN}), "
            f"(SELECT array_agg(({CHANGE_COLUMNS})) FROM {s}.worker_changes WHERE {of_wanted} AND {OPEN}), "
            f"(SELECT array_agg(({FLOW_COLUMNS})) FROM {s}.worker_flows WHERE {of_wanted} AND {OPEN})",
            wanted,
        )
        events, periods, changes, flows = (rows or [] for rows in row)
    adopt(projector, events, periods, changes, flows)


def adopt(projector: Projector, events: Rows, periods: Rows, changes: Rows, flows: Rows) -> None:
    """Derives the state of the workers whose ``events`` are given (in ledger order) that the
    projector lacks, with the ids of their open rectangles."""
    states: dict[UUID, WorkerState] = {}
    for worker_id, position, version, event, data_text, from_code, to_code, retracted in events:
        if worker_id in projector.workers:
            continue
        state = states.get(worker_id)
        if state is None:
            state = states[worker_id] = WorkerState(worker_id)
        data = revive(orjson.loads(data_text))
        kind = WORKER_EVENTS[event]
        state.steps.append(step_of(kind, position, version, data))
        if kind is Worker.Hired:
            state.identity = {k: data.get(k) for k in projector.identity_fields}
        elif kind is Worker.DetailsCorrected:
            state.identity.update(data.get("corrections") or {})
        shown = (from_code, to_code, retracted)
        if shown != PLAIN:
            state.shown[position] = shown
    for period_id, worker_id, *period in periods:
        if worker_id in states:
            states[worker_id].period_ids[tuple(period)] = period_id
    for change_id, worker_id, *change in changes:
        if worker_id in states:
            states[worker_id].change_ids[tuple(change)] = change_id
    for flow_id, worker_id, day, origin, destination, position in flows:
        if worker_id in states:
            states[worker_id].flow_ids[Flow(day, position, origin, destination)] = flow_id
    for state in states.values():
        projector.adopt(state)
