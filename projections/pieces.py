"""Writing the as-known-now functions: each unit's vector pieces (staffing, the establishment's
sums) and its daily flows.

A live batch rewrites each touched unit's pieces from the earliest day it changed. A rebuild
writes every unit's final pieces once, at the end: nobody reads its shadow tables before the
swap, and a resumed rebuild derives the functions again from the worker rectangles.

Staffing pieces go in with a binary COPY whose bytes are packed here: asyncpg's own encoder
checks the type of every element of every ``int[]``, which cost more than the rest of the
write. A packed vector's bytes are already its array's elements, but for their lengths.
"""

import struct
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import chain
from typing import Any, TypeVar

import asyncpg

from projections.intervals import LANE, StepFunction, pieces_of, unpack
from projections.naming import quoted
from projections.vectors import SIZE

Piece = tuple[int, int | None, int]  # valid_from, valid_to (date ordinals), counts (packed)
UnitPieces = tuple[str, list[Piece]]  # a unit's code and pieces

HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
TRAILER = struct.pack(">h", -1)
EPOCH = date(2000, 1, 1).toordinal()  # PostgreSQL's binary dates count days from here
INT4 = 23  # the oid of int4, the element type of counts
NAME = struct.Struct(">hi")  # a row's field count (4), then the code's length
BOUNDED = struct.Struct(">iiii")  # valid_from and valid_to, each with its length
UNBOUNDED = struct.Struct(">iii")  # valid_from, then a null valid_to


@lru_cache(maxsize=64)
def _array(size: int) -> tuple[bytes, int, int]:
    """What a ``counts`` field of ``size`` figures takes: the field's length and the array's
    header (a 1-d int4 array); then what turns a packed vector into its elements, each a length
    (4) and a big-endian int4.

    A packed vector of figures in [0, 2**31) holds each figure in the low half of its 64-bit lane
    (``projections.intervals.pack``). Setting each high half to 4 gives the elements' bytes.
    """
    header = struct.pack(">iiiiii", 20 + 8 * size, 1, 0, INT4, size, 1)
    lengths = sum(4 << (LANE * i + 32) for i in range(size))
    outside = sum(((1 << 33) - 1) << (LANE * i + 31) for i in range(size))  # a figure outside [0, 2**31)
    return header, lengths, outside


def copy_data(units: Iterable[UnitPieces], size: int = SIZE) -> bytes:
    """The binary COPY stream of ``staffing`` rows (code, valid_from, valid_to, counts of ``size`` figures)."""
    out = [HEADER]
    header, lengths, outside = _array(size)
    width = 8 * size
    for code, pieces in units:
        name = code.encode()
        prefix = NAME.pack(4, len(name)) + name
        for start, end, counts in pieces:
            first = start - EPOCH
            days = UNBOUNDED.pack(4, first, -1) if end is None else BOUNDED.pack(4, first, 4, end - EPOCH)
            if counts >= 0 and not counts & outside:
                out += (prefix, days, header, (counts | lengths).to_bytes(width, "big"))
            else:  # not a staffing value: PostgreSQL will say what is wrong with it
                out += (prefix, days, header, b"".join(struct.pack(">ii", 4, x) for x in unpack(counts, size)))
    out.append(TRAILER)
    return b"".join(out)


CHUNK = 50_000  # rows per COPY: a rebuild's final write would otherwise hold them all at once


@dataclass(frozen=True)
class VectorTable:
    """A table of step functions of vectors, one per unit: ``staffing`` (the staffing vector,
    ``projections.vectors``), ``establishment_sums`` (``projections.establishment_sums``). Each row is a unit's
    piece: code, valid_from, valid_to, counts (``size`` figures)."""

    name: str
    size: int

    def copy_data(self, units: Iterable[UnitPieces]) -> bytes:
        return copy_data(units, self.size)


STAFFING = VectorTable("staffing", SIZE)


async def write_vectors(
    conn: asyncpg.Connection,
    schema: str,
    table: VectorTable,
    functions: dict[str, StepFunction],
    *,
    everything: bool = False,
) -> None:
    """Writes the pieces that changed since the last write (with ``everything``: all, anew)."""
    s = quoted(schema)
    if everything:
        await conn.execute(f"DELETE FROM {s}.{table.name}")
        await add_vectors(conn, schema, table, functions)
        return
    codes, starts, units = [], [], []
    for code, fn in functions.items():
        taken = fn.take() if fn.dirty_from is not None else None  # most are unchanged: skip the call
        if taken is not None:
            since, pieces = taken
            codes.append(code)
            starts.append(since)
            units.append((code, ordinals(pieces)))
    if codes:
        await conn.execute(
            f"DELETE FROM {s}.{table.name} t USING unnest($1::text[], $2::date[]) x(code, day) "
            "WHERE t.code = x.code AND t.valid_from >= x.day",
            codes,
            starts,
        )
    await copy_chunks(conn, schema, table.name, units, table.copy_data)


async def add_vectors(
    conn: asyncpg.Connection, schema: str, table: VectorTable, functions: dict[str, StepFunction]
) -> None:
    """Writes every unit's pieces, a chunk at a time, to a table that holds none of these units'."""

    def units() -> Iterator[UnitPieces]:
        for code, fn in functions.items():
            taken = fn.take(everything=True)
            if taken is not None:
                yield code, ordinals(taken[1])

    await copy_chunks(conn, schema, table.name, units(), table.copy_data)


async def add_vector_changes(
    conn: asyncpg.Connection, schema: str, table: VectorTable, changes: dict[str, dict[int, int]]
) -> None:
    """Like ``add_vectors``, from each unit's changes by day ordinal (``projections.shards``)."""
    pieces = ((code, pieces_of(sorted(steps), steps)) for code, steps in changes.items())
    await copy_chunks(conn, schema, table.name, pieces, table.copy_data)


async def load_vectors(conn: asyncpg.Connection, schema: str, table: VectorTable) -> dict[str, StepFunction]:
    """Every unit's function from its rows (a live runner's state after a restart, ``projections.state``)."""
    rows: dict[str, list[tuple[date, date | None, tuple[int, ...]]]] = {}
    for r in await conn.fetch(f"SELECT code, valid_from, valid_to, counts FROM {quoted(schema)}.{table.name}"):
        rows.setdefault(r["code"], []).append((r["valid_from"], r["valid_to"], tuple(r["counts"])))
    return {code: StepFunction.from_rows(code, items) for code, items in rows.items()}


def ordinals(pieces: list[tuple[date, date | None, int]]) -> list[Piece]:
    """Pieces with their days as ordinals, as the COPY streams take them."""
    return [(start.toordinal(), None if end is None else end.toordinal(), counts) for start, end, counts in pieces]


Key = TypeVar("Key")


async def copy_chunks(
    conn: asyncpg.Connection,
    schema: str,
    table: str,
    functions: Iterable[tuple[Key, list[Piece]]],
    encode: Callable[[list[tuple[Key, list[Piece]]]], bytes],
) -> None:
    """Writes each function's pieces to ``table`` (staffing, ``projections.in_post``), a binary
    COPY of ``CHUNK`` rows or so at a time (``encode`` makes it)."""
    chunk: list[tuple[Key, list[Piece]]] = []
    rows = 0
    for key, pieces in functions:
        if pieces:
            chunk.append((key, pieces))
            rows += len(pieces)
        if rows >= CHUNK:
            await conn.copy_to_table(table, schema_name=schema, source=memoryview(encode(chunk)), format="binary")
            chunk, rows = [], 0
    if chunk:
        await conn.copy_to_table(table, schema_name=schema, source=memoryview(encode(chunk)), format="binary")


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
    keys = list(dirty)
    dirty.clear()
    if everything:
        await conn.execute(f"DELETE FROM {s}.flows")
        keys = list(flows)
    elif keys:
        await conn.execute(
            f"DELETE FROM {s}.flows t USING unnest($1::text[], $2::date[]) x(code, day) "
            "WHERE t.code = x.code AND t.day = x.day",
            [k[0] for k in keys],
            [k[1] for k in keys],
        )
    await _copy_flows(conn, schema, flows, keys)


async def add_flows(conn: asyncpg.Connection, schema: str, flows: dict[tuple[str, int], list[int]]) -> None:
    """Writes every cell (days as ordinals) to a table that holds none of these units'; forgets empty cells."""
    await _copy_flows(conn, schema, flows, list(flows))


FlowKey = tuple[str, date] | tuple[str, int]  # a unit and a day (as a date, or as its ordinal)
FLOW = struct.Struct(">iiiiii")  # a flow row's day, entries and exits, each with its length


def flow_copy_data(rows: Iterable[tuple[str, date | int, int, int]]) -> bytes:
    """The binary COPY stream of ``flows`` rows (code, day or its ordinal, entries, exits)."""
    out = [HEADER]
    prefixes: dict[str, bytes] = {}
    for code, day, entries, exits in rows:
        prefix = prefixes.get(code)
        if prefix is None:
            name = code.encode()
            prefix = prefixes[code] = NAME.pack(4, len(name)) + name
        ordinal = day if isinstance(day, int) else day.toordinal()
        out += (prefix, FLOW.pack(4, ordinal - EPOCH, 4, entries, 4, exits))
    out.append(TRAILER)
    return b"".join(out)


async def _copy_flows(
    conn: asyncpg.Connection, schema: str, flows: dict[Any, list[int]], keys: Sequence[FlowKey]
) -> None:
    # A unit's rows go together: a series reads one unit's days, and then reads a few pages, not one per day.
    by_unit: dict[str, list[tuple[str, date | int, int, int]]] = {}
    for key in keys:
        cell = flows[key]
        if any(cell):
            code = key[0]
            rows = by_unit.get(code)
            if rows is None:
                rows = by_unit[code] = []
            rows.append((code, key[1], cell[0], cell[1]))
        else:
            del flows[key]
    if by_unit:
        data = flow_copy_data(chain.from_iterable(by_unit.values()))
        await conn.copy_to_table("flows", schema_name=schema, source=memoryview(data), format="binary")
