"""Running the projections over a test ledger, and reading their figures in the reference's shape."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import psycopg
from psycopg import sql

from api.database import ledger_env
from domain.ledger import Ledger
from projections import density, establishment, in_post, mobility, runner, staffing, store
from projections.establishment import EstablishmentRecord
from projections.projector import Projector
from projections.staffing import StaffingRecord
from projections.store import Target
from replay import rebuild
from replay.log import export_lines
from replay.verify import verify
from tests.reference import Reference

T = TypeVar("T")


@asynccontextmanager
async def live_runner(database_url: str, target: Target, *, announce: bool = False) -> AsyncIterator[asyncpg.Pool]:
    """The live runner at work on ``target`` (woken by the ledger's NOTIFY alone: it polls every
    30 s), and a pool to read the tables with; both stopped afterwards."""
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(database_url, target, stop, poll=30, announce=announce))
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        yield pool
    finally:
        stop.set()
        await task
        await pool.close()


@contextmanager
def fresh_ledger(database_url: str) -> Iterator[Ledger]:
    """A ledger in a schema of its own, closed and dropped (with its read tables) afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    ledger = Ledger(env=ledger_env(database_url, POSTGRES_SCHEMA=schema, POSTGRES_POOL_SIZE="2"))
    try:
        yield ledger
    finally:
        ledger.close()
        read = target_of_schema(schema).schema
        with psycopg.connect(database_url, autocommit=True) as conn:
            for name in (schema, read, f"{read}_shadow", f"{read}_verify"):
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def target_of_schema(schema: str) -> Target:
    return Target.of_ledger(schema)


def target_of(ledger: Ledger) -> Target:
    return Target.of_ledger(ledger.recorder.datastore.schema)  # type: ignore[attr-defined]


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


async def _catch_up(url: str, target: Target, until: int | None, batch: int) -> int:
    conn = await asyncpg.connect(url)
    try:
        await runner.lock(conn, target.schema)
        projector = await runner.open_projector(conn, target)
        return await runner.catch_up(conn, target, projector, batch=batch, until=until)
    finally:
        await conn.close()


def catch_up(url: str, ledger: Ledger, *, until: int | None = None, batch: int = 5000) -> int:
    """Projects the ledger as a live runner would, starting from the tables' state (a fresh process)."""
    return int(run(_catch_up(url, target_of(ledger), until, batch)))


def rebuilt(url: str, ledger: Ledger) -> int:
    return int(run(rebuild.rebuild(url, target_of(ledger))))


def differences(url: str, ledger: Ledger) -> list[Any]:
    return list(run(verify(url, target_of(ledger)))[1])


def reference(ledger: Ledger) -> Reference:
    return Reference(json.loads(line) for line in export_lines(ledger))


async def _query(url: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    conn = await asyncpg.connect(url)
    try:
        return await fn(conn, *args, **kwargs)
    finally:
        await conn.close()


def query(url: str, ledger: Ledger, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Calls a projection query function on the ledger's read tables."""
    return run(_query(url, fn, target_of(ledger).schema, *args, **kwargs))


def nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {k: n for k, n in counts.items() if n}


def figures(record: StaffingRecord) -> dict[str, Any]:
    return {
        "headcount": record.headcount,
        "onLeave": record.on_leave,
        "active": record.active,
        "qualifiedActive": record.qualified_active,
        "population": record.population,
        "density": record.density,
        "qualifiedDensity": record.qualified_density,
        "byCadreGroup": nonzero(record.by_cadre_group),
        "bySex": nonzero(record.by_sex),
        "bySector": nonzero(record.by_sector),
        "byFundingSource": nonzero(record.by_funding_source),
    }


def staffing_of(url: str, ledger: Ledger, code: str, as_of: date, known_at: datetime | None = None) -> dict[str, Any]:
    """Staffing in the reference's shape: figures, and children by code."""
    record = query(url, ledger, staffing.staffing, code, as_of, known_at)
    assert record is not None
    out = figures(record)
    out["children"] = {child.code: figures(child) for child in record.children}
    return out


def establishment_of(
    url: str, ledger: Ledger, code: str, as_of: date, known_at: datetime | None = None
) -> dict[str, Any]:
    """The establishment in the reference's shape: figures, by cadre group, and children by code."""
    record = query(url, ledger, establishment.establishment, code, as_of, known_at)
    assert record is not None

    def shape(r: EstablishmentRecord, children: dict[str, Any]) -> dict[str, Any]:
        t = r.totals
        return {
            "posts": t.posts,
            "filled": t.filled,
            "vacant": t.vacant,
            "surplus": t.surplus,
            "vacancyRate": t.vacancy_rate,
            "byCadreGroup": {
                k: {"posts": g.posts, "filled": g.filled, "vacant": g.vacant, "surplus": g.surplus}
                for k, g in r.by_cadre_group.items()
            },
            "children": children,
        }

    return shape(record, {child.code: shape(child, {}) for child in record.children})


async def _in_post_against_periods(conn: asyncpg.Connection, schema: str, days: list[date]) -> list[Any]:
    s = store.quoted(schema)
    rows = await conn.fetch(f"SELECT DISTINCT facility, cadre FROM {s}.worker_periods WHERE facility IS NOT NULL")
    pairs = sorted((r["facility"], r["cadre"]) for r in rows)
    facilities = sorted({facility for facility, _ in pairs})
    wrong = []
    for day in days:
        kept = await in_post.in_post_now(conn, schema, pairs, day)
        counted = await establishment.filled_on(conn, schema, facilities, day, None)
        if kept != counted:
            wrong.append((day, kept, counted))
    return wrong


def in_post_against_periods(url: str, ledger: Ledger, days: list[date]) -> list[Any]:
    """The days on which the workers in post per (facility, cadre) as known now (the ``in_post``
    table, what the establishment reads) differ from their periods counted (``filled_on``, the
    query it replaced), with both; empty when they agree."""
    return list(query(url, ledger, _in_post_against_periods, days))


async def _sums_against_pairs(conn: asyncpg.Connection, schema: str, days: list[date]) -> list[Any]:
    s = store.quoted(schema)
    roots = [r["code"] for r in await conn.fetch(f"SELECT DISTINCT code FROM {s}.org_tree WHERE parent IS NULL")]
    wrong = []
    for day in days:
        areas = list(roots)
        for unit in roots:  # the roots and the units one level down, each with its children
            record = await establishment.establishment(conn, schema, unit, day)
            areas += [child.code for child in record.children] if record is not None else []
        for unit in areas:
            kept = await establishment.establishment(conn, schema, unit, day)
            summed = await establishment.by_pairs(conn, schema, unit, day, None, None)
            if kept != summed:
                wrong.append((unit, day, kept, summed))
    return wrong


def sums_against_pairs(url: str, ledger: Ledger, days: list[date]) -> list[Any]:
    """The (unit, day)s on which the establishment as known now (the ``establishment_sums``
    table) differs from its (facility, cadre) pairs summed (``establishment.by_pairs``), for the
    roots and the units one level down, each with its children; empty when they agree."""
    return list(query(url, ledger, _sums_against_pairs, days))


def expected_staffing(ref: Reference, code: str, as_of: date, known_at: datetime | None = None) -> dict[str, Any]:
    out = dict(ref.staffing(code, as_of, known_at))
    out["children"] = {
        child: {k: v for k, v in figures_.items() if k != "children"} for child, figures_ in out["children"].items()
    }
    for key in ("byCadreGroup", "bySex", "bySector", "byFundingSource"):
        out[key] = nonzero(out[key])
        for child in out["children"].values():
            child[key] = nonzero(child[key])
    return out


def series_of(
    url: str, ledger: Ledger, code: str, start: date, end: date, interval: str, known_at: datetime | None = None
) -> list[dict[str, Any]]:
    points = query(url, ledger, density.density_series, code, start, end, interval, known_at)
    return [
        {
            "period": p.period,
            "endOn": p.end_on,
            "active": p.active,
            "qualifiedActive": p.qualified_active,
            "population": p.population,
            "density": p.density,
            "qualifiedDensity": p.qualified_density,
            "entries": p.entries,
            "exits": p.exits,
        }
        for p in points
    ]


def history_of(url: str, ledger: Ledger, worker_id: UUID) -> list[dict[str, Any]]:
    found = query(url, ledger, mobility.histories, [worker_id])[worker_id]
    return [
        {
            "position": m.position,
            "kind": m.kind,
            "effectiveOn": m.effective_on,
            "fromFacility": m.from_code,
            "toFacility": m.to_code,
            "retracted": m.retracted,
            "backdated": m.backdated,
        }
        for m in found
    ]


def completeness_of(url: str, ledger: Ledger, code: str, today: date) -> dict[str, Any]:
    record = query(url, ledger, staffing.completeness, code, today)
    return {
        "workers": record.workers,
        "complete": record.complete,
        "rate": record.rate,
        "missing": nonzero(record.missing),
    }


__all__ = ["Projector", "store"]
