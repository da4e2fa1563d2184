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
from itertools import chain, repeat

import asyncpg

from projections.intervals import StepFunction
from projections.naming import quoted

Piece = tuple[str, date, date | None, tuple[int, ...]]  # code, valid_from, valid_to, counts

HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
TRAILER = struct.pack(">h", -1)
EPOCH = date(2000, 1, 1).toordinal()  # PostgreSQL's binary dates count days from here
INT4 = 23  # the oid of int4, the element type of counts


def _array(size: int) -> struct.Struct:
    return struct.Struct(">iiiiii" + "ii" * size)


def copy_data(pieces: Iterable[Piece]) -> bytes:
    """The binary COPY stream of ``staffing`` rows (code, valid_from, valid_to, counts)."""
    out = [HEADER]
    arrays: dict[int, struct.Struct] = {}
    for code, start, end, counts in pieces:
        size = len(counts)
        array = arrays.get(size)
        if array is None:
            array = arrays[size] = _array(size)
        name = code.encode()
        out.append(struct.pack(">hi", 4, len(name)))
        out.append(name)
        if end is None:
            out.append(struct.pack(">iii", 4, start.toordinal() - EPOCH, -1))
        else:
            out.append(struct.pack(">iiii", 4, start.toordinal() - EPOCH, 4, end.toordinal() - EPOCH))
        out.append(array.pack(array.size - 4, 1, 0, INT4, size, 1, *chain.from_iterable(zip(repeat(4), counts))))
    out.append(TRAILER)
    return b"".join(out)


async def write_staffing(
    conn: asyncpg.Connection, schema: str, counts: dict[str, StepFunction], *, everything: bool = False
) -> None:
    """Writes the pieces that changed since the last write (with ``everything``: all, anew)."""
    s = quoted(schema)
    codes, starts, rows = [], [], []
    for code, fn in counts.items():
        taken = fn.take(everything=everything)
        if taken is not None:
            since, pieces = taken
            codes.append(code)
            starts.append(since)
            rows.extend((code, start, end, value) for start, end, value in pieces)
    if everything:
        await conn.execute(f"DELETE FROM {s}.staffing")
    elif codes:
        await conn.execute(
            f"DELETE FROM {s}.staffing t USING unnest($1::text[], $2::date[]) x(code, day) "
            "WHERE t.code = x.code AND t.valid_from >= x.day",
            codes,
            starts,
        )
    if rows:
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
