"""Writing the as-known-now functions: each unit's staffing pieces and its daily flows.

A live batch rewrites each touched unit's pieces from the earliest day it changed. A rebuild
writes every unit's final pieces once, at the end: nobody reads its shadow tables before the
swap, and a resumed rebuild derives the functions again from the worker rectangles.

Staffing pieces go in with a binary COPY whose bytes are packed here: asyncpg's own encoder
checks the type of every element of every ``int[]``, which cost more than the rest of the
write. A packed vector's bytes are already its array's elements, but for their lengths.
"""

import struct
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import asyncpg

from projections.intervals import LANE, StepFunction, unpack
from projections.naming import quoted
from projections.vectors import SIZE

Piece = tuple[str, date, date | None, int]  # code, valid_from, valid_to, counts (packed)

HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
TRAILER = struct.pack(">h", -1)
EPOCH = date(2000, 1, 1).toordinal()  # PostgreSQL's binary dates count days from here
INT4 = 23  # the oid of int4, the element type of counts


@lru_cache(maxsize=256)
def _row(name_length: int, bounded: bool) -> struct.Struct:
    """A row up to its array's elements: 4 fields; the code; valid_from; valid_to (or null); the
    header of counts, a 1-d int4 array."""
    dates = "iiii" if bounded else "iii"
    return struct.Struct(f">hi{name_length}s{dates}iiiiii")


@lru_cache(maxsize=64)
def _elements(size: int) -> tuple[int, int]:
    """What turns a packed vector into its array elements, each a length (4) and a big-endian int4.

    A packed vector of figures in [0, 2**31) holds each figure in the low half of its 64-bit lane
    (``projections.intervals.pack``). Setting each high half to 4 gives the elements' bytes.
    """
    lengths = sum(4 << (LANE * i + 32) for i in range(size))
    outside = sum(((1 << 33) - 1) << (LANE * i + 31) for i in range(size))  # a figure outside [0, 2**31)
    return lengths, outside


def copy_data(pieces: Iterable[Piece], size: int = SIZE) -> bytes:
    """The binary COPY stream of ``staffing`` rows (code, valid_from, valid_to, counts of ``size`` figures)."""
    out = [HEADER]
    lengths, outside = _elements(size)
    array = (20 + 8 * size, 1, 0, INT4, size, 1)
    for code, start, end, counts in pieces:
        name = code.encode()
        row = _row(len(name), end is not None)
        if end is None:
            out.append(row.pack(4, len(name), name, 4, start.toordinal() - EPOCH, -1, *array))
        else:
            out.append(row.pack(4, len(name), name, 4, start.toordinal() - EPOCH, 4, end.toordinal() - EPOCH, *array))
        if counts >= 0 and not counts & outside:
            out.append((counts | lengths).to_bytes(8 * size, "big"))
        else:  # not a staffing value: PostgreSQL will say what is wrong with it
            out.append(b"".join(struct.pack(">ii", 4, x) for x in unpack(counts, size)))
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
