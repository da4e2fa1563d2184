"""Writing the as-known-now functions: each unit's staffing pieces and its daily flows.

A live batch rewrites each touched unit's pieces from the earliest day it changed. A rebuild
writes every unit's final pieces once, at the end: nobody reads its shadow tables before the
swap, and a resumed rebuild derives the functions again from the worker rectangles.

Staffing pieces go in with a binary COPY whose bytes are packed here with ``struct``: asyncpg's
own encoder checks the type of every element of every ``int[]``, which cost more than the rest
of the write.
"""

import struct
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import asyncpg

from projections.intervals import StepFunction
from projections.naming import quoted

Piece = tuple[str, date, date | None, tuple[int, ...]]  # code, valid_from, valid_to, counts

HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
TRAILER = struct.pack(">h", -1)
EPOCH = date(2000, 1, 1).toordinal()  # PostgreSQL's binary dates count days from here
INT4 = 23  # the oid of int4, the element type of counts


@lru_cache(maxsize=256)
def _row(name_length: int, bounded: bool, size: int) -> struct.Struct:
    """One row: 4 fields; the code; valid_from; valid_to (or null); counts as a 1-d int4 array."""
    dates = "iiii" if bounded else "iii"
    return struct.Struct(f">hi{name_length}s{dates}iiiiii" + "ii" * size)


def copy_data(pieces: Iterable[Piece]) -> bytes:
    """The binary COPY stream of ``staffing`` rows (code, valid_from, valid_to, counts)."""
    out = [HEADER]
    flat: dict[int, list[int]] = {}
    for code, start, end, counts in pieces:
        size = len(counts)
        elements = flat.get(size)
        if elements is None:
            elements = flat[size] = [4] * (2 * size)  # each element: its length (4), its value
        elements[1::2] = counts
        name = code.encode()
        row = _row(len(name), end is not None, size)
        array = (20 + 8 * size, 1, 0, INT4, size, 1)
        if end is None:
            out.append(row.pack(4, len(name), name, 4, start.toordinal() - EPOCH, -1, *array, *elements))
        else:
            days = (4, start.toordinal() - EPOCH, 4, end.toordinal() - EPOCH)
            out.append(row.pack(4, len(name), name, *days, *array, *elements))
    out.append(TRAILER)
    return b"".join(out)


CHUNK = 50_000  # staffing rows per COPY: a rebuild's final write would otherwise hold them all at once


async def write_staffing(
    conn: asyncpg.Connection, schema: str, counts: dict[str, StepFunction], *, everything: bool = False
) -> None:
    """Writes the pieces that changed since the last write (with ``everything``: all, anew)."""
    s = quoted(schema)
    if everything:  # every unit's pieces anew, a chunk at a time
        await conn.execute(f"DELETE FROM {s}.staffing")
        rows: list[Piece] = []
        for code, fn in counts.items():
            taken = fn.take(everything=True)
            if taken is not None:
                rows.extend((code, start, end, value) for start, end, value in taken[1])
            if len(rows) >= CHUNK:
                await _copy(conn, schema, rows)
                rows = []
        if rows:
            await _copy(conn, schema, rows)
        return
    codes, starts, rows = [], [], []
    for code, fn in counts.items():
        taken = fn.take() if fn.dirty_from is not None else None  # most are unchanged: skip the call
        if taken is not None:
            since, pieces = taken
            codes.append(code)
            starts.append(since)
            rows.extend((code, start, end, value) for start, end, value in pieces)
    if codes:
        await conn.execute(
            f"DELETE FROM {s}.staffing t USING unnest($1::text[], $2::date[]) x(code, day) "
            "WHERE t.code = x.code AND t.valid_from >= x.day",
            codes,
            starts,
        )
    if rows:
        await _copy(conn, schema, rows)


async def _copy(conn: asyncpg.Connection, schema: str, rows: list[Piece]) -> None:
    await conn.copy_to_table("staffing", schema_name=schema, source=memoryview(copy_data(rows)), format="binary")


async def write_flows(
    conn: asyncpg.Connection,
    schema: str,
    flows: dict[tuple[str, date], list[int]],
    dirty: set[tuple[str, date]],
    *,
    everything: bool = False,
) -> None:
    """Writes the (unit, day) cells in ``dirty`` (with ``everything``: all, anew); forgets empty cells."""
    s = quoted(schema)
    keys = list(flows if everything else dirty)
    dirty.clear()
    if everything:
        await conn.execute(f"DELETE FROM {s}.flows")
    elif keys:
        await conn.execute(
            f"DELETE FROM {s}.flows t USING unnest($1::text[], $2::date[]) x(code, day) "
            "WHERE t.code = x.code AND t.day = x.day",
            [k[0] for k in keys],
            [k[1] for k in keys],
        )
    rows = []
    for key in keys:
        cell = flows[key]
        if any(cell):
            rows.append((*key, *cell))
        else:
            del flows[key]
    if rows:
        await conn.copy_records_to_table("flows", schema_name=schema, records=rows)
