"""The workers in post per facility and cadre, as known now: what an establishment's ``filled`` reads.

Per (facility, cadre), the number of workers of that cadre in post at that facility (on leave
included) is a step function of the day, kept like a unit's staffing (``UnitFunctions.in_post``):
each period a worker spends at a facility adds one over it, under the cadre in force then, and
every change of a worker's periods (a back-dated transfer, a retraction, a requalification, a
departure) takes its old periods back and adds its new ones. Its pieces go to the ``in_post``
table as the staffing's do (``projections.pieces``): a live batch rewrites each touched pair's
pieces from the earliest day it changed, a rebuild writes every pair's once, at its end. So the
figures as known now cost one indexed row per pair, however many workers the facility has had.
"""

import struct
from collections.abc import Iterable, Iterator
from datetime import date

import asyncpg

from projections.intervals import StepFunction, pieces_of
from projections.naming import quoted
from projections.org_units import Executor
from projections.pieces import BOUNDED, EPOCH, HEADER, TRAILER, UNBOUNDED, Piece, copy_chunks, ordinals
from projections.tables import FUNCTIONS, Table

Pair = tuple[str, str]  # (facility code, cadre code)
PairPieces = tuple[Pair, list[Piece]]  # a pair's pieces: from, to (ordinals), workers

TABLE = Table(
    "in_post",
    "code text NOT NULL, cadre text NOT NULL, valid_from date NOT NULL, valid_to date, workers int NOT NULL",
    FUNCTIONS,
    keys={"in_post_key": "in_post (code, cadre, valid_from)"},
    unfiltered=("workers",),
)

FIELDS = struct.Struct(">h")  # a row's field count (5)
TEXT = struct.Struct(">i")  # a text field's length
WORKERS = struct.Struct(">ii")  # the count, with its length


def copy_data(pairs: Iterable[PairPieces]) -> bytes:
    """The binary COPY stream of ``in_post`` rows."""
    out = [HEADER]
    for (code, cadre), pieces in pairs:
        facility, group = code.encode(), cadre.encode()
        prefix = FIELDS.pack(5) + TEXT.pack(len(facility)) + facility + TEXT.pack(len(group)) + group
        for start, end, workers in pieces:
            first = start - EPOCH
            days = UNBOUNDED.pack(4, first, -1) if end is None else BOUNDED.pack(4, first, 4, end - EPOCH)
            out += (prefix, days, WORKERS.pack(4, workers))
    out.append(TRAILER)
    return b"".join(out)


async def write_in_post(
    conn: asyncpg.Connection, schema: str, functions: dict[Pair, StepFunction], *, everything: bool = False
) -> None:
    """Writes the pieces that changed since the last write (with ``everything``: all, anew)."""
    if everything:
        await conn.execute(f"DELETE FROM {quoted(schema)}.in_post")
        await add_in_post(conn, schema, functions)
        return
    starts, pairs = [], []
    for pair, fn in functions.items():
        taken = fn.take() if fn.dirty_from is not None else None
        if taken is not None:
            starts.append((pair, taken[0]))
            pairs.append((pair, ordinals(taken[1])))
    if starts:
        await conn.execute(
            f"DELETE FROM {quoted(schema)}.in_post t USING unnest($1::text[], $2::text[], $3::date[]) "
            "x(code, cadre, day) WHERE t.code = x.code AND t.cadre = x.cadre AND t.valid_from >= x.day",
            [pair[0] for pair, _ in starts],
            [pair[1] for pair, _ in starts],
            [day for _, day in starts],
        )
        await _copy_chunks(conn, schema, pairs)


async def add_in_post(conn: asyncpg.Connection, schema: str, functions: dict[Pair, StepFunction]) -> None:
    """Writes every pair's pieces to a table that holds none of these pairs'."""

    def pairs() -> Iterator[PairPieces]:
        for pair, fn in functions.items():
            taken = fn.take(everything=True)
            if taken is not None:
                yield pair, ordinals(taken[1])

    await _copy_chunks(conn, schema, pairs())


async def add_in_post_changes(conn: asyncpg.Connection, schema: str, changes: dict[Pair, dict[int, int]]) -> None:
    """Like ``add_in_post``, from each pair's changes by day ordinal (a split build's child, ``projections.shards``)."""
    await _copy_chunks(conn, schema, ((pair, pieces_of(sorted(steps), steps)) for pair, steps in changes.items()))


async def _copy_chunks(conn: asyncpg.Connection, schema: str, pairs: Iterable[PairPieces]) -> None:
    await copy_chunks(conn, schema, TABLE.name, pairs, copy_data)


async def load_in_post(conn: asyncpg.Connection, schema: str) -> dict[Pair, StepFunction]:
    """Every pair's function from its rows (a live runner's state after a restart, ``projections.state``)."""
    rows: dict[Pair, list[tuple[date, date | None, tuple[int, ...]]]] = {}
    for r in await conn.fetch(f"SELECT code, cadre, valid_from, valid_to, workers FROM {quoted(schema)}.in_post"):
        rows.setdefault((r["code"], r["cadre"]), []).append((r["valid_from"], r["valid_to"], (r["workers"],)))
    return {pair: StepFunction.from_rows(label(pair), items) for pair, items in rows.items()}


def label(pair: Pair) -> str:
    """A pair's function's key (``StepFunction.key``)."""
    return f"{pair[0]}/{pair[1]}"


def piece_on(schema: str, pairs: str, day: str) -> str:
    """SQL: a LEFT JOIN LATERAL that gives each row of ``pairs`` (an alias with ``code`` and
    ``cadre``) the ``piece`` of its function in force on ``day`` (a parameter), as known now:
    ``piece.workers`` is NULL where none is (no worker in post). One probe of the table's key a pair."""
    return (
        f"LEFT JOIN LATERAL (SELECT workers, valid_to FROM {quoted(schema)}.in_post t "
        f"WHERE t.code = {pairs}.code AND t.cadre = {pairs}.cadre AND t.valid_from <= {day} "
        f"ORDER BY t.valid_from DESC LIMIT 1) piece ON piece.valid_to IS NULL OR piece.valid_to > {day}"
    )


async def in_post_now(db: Executor, schema: str, pairs: list[Pair], day: date) -> dict[Pair, int]:
    """The workers in post on ``day`` for each of ``pairs`` that has any, as known now (the tests
    check it against ``establishment.filled_on``)."""
    rows = await db.fetch(
        f"SELECT p.code, p.cadre, piece.workers AS n FROM unnest($1::text[], $2::text[]) p(code, cadre) "
        f"{piece_on(schema, 'p', '$3')} WHERE piece.workers IS NOT NULL",
        [code for code, _ in pairs],
        [cadre for _, cadre in pairs],
        day,
    )
    return {(r["code"], r["cadre"]): int(r["n"]) for r in rows}


def in_post_functions(changes: dict[Pair, dict[int, int]]) -> dict[Pair, StepFunction]:
    """Each pair's function from its changes by day ordinal (``WorkerProjection.share``)."""
    functions = {}
    for pair, steps in changes.items():
        by_date = {date.fromordinal(day): delta for day, delta in steps.items() if delta}
        if by_date:
            days = sorted(by_date)
            functions[pair] = StepFunction(label(pair), days, by_date, dirty_from=days[0])
    return functions
