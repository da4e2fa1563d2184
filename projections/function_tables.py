"""The tables of the functions kept as known now, and writing them: each unit's staffing, its
daily flows, the workers in post per (facility, cadre), and each unit's establishment sums.

A live batch writes what changed; a rebuild writes every function once, at its end; a split
rebuild's children each write the units (and the pairs of the facilities) they own.
"""

import asyncpg

from projections import establishment_sums
from projections.in_post import TABLE as IN_POST
from projections.in_post import add_in_post_changes, write_in_post
from projections.pieces import STAFFING, add_flows, add_vector_changes, write_flows, write_vectors
from projections.shards import UnitSums
from projections.tables import FUNCTIONS, Table
from projections.unit_functions import UnitFunctions

TABLES = (
    Table(
        STAFFING.name,
        "code text NOT NULL, valid_from date NOT NULL, valid_to date, counts int[] NOT NULL",
        FUNCTIONS,
        keys={"staffing_key": "staffing (code, valid_from)"},
        unfiltered=("counts",),
    ),
    Table(
        "flows",
        "code text NOT NULL, day date NOT NULL, entries int NOT NULL, exits int NOT NULL",
        FUNCTIONS,
        keys={"flows_key": "flows (code, day)"},
        unfiltered=("entries", "exits"),
    ),
    IN_POST,
    establishment_sums.TABLE,
)


async def write_functions(
    conn: asyncpg.Connection, schema: str, units: UnitFunctions, *, everything: bool = False
) -> None:
    """Writes the staffing pieces, daily flows, workers in post and establishment sums that
    changed (with ``everything``: all of them, anew)."""
    await write_vectors(conn, schema, STAFFING, units.counts, everything=everything)
    await write_flows(conn, schema, units.flows, units.dirty_flows, everything=everything)
    await write_in_post(conn, schema, units.in_post, everything=everything)
    await write_vectors(conn, schema, establishment_sums.SUMS, units.sums, everything=everything)


async def add_share(conn: asyncpg.Connection, schema: str, sums: UnitSums) -> None:
    """Writes the functions of ``sums`` (a split rebuild's child: the units it owns,
    ``UnitFunctions.unit_sums``) to tables that hold none of its units'."""
    counts, flows, in_post, establishment = sums
    await add_vector_changes(conn, schema, STAFFING, counts)
    await add_flows(conn, schema, flows)
    await add_in_post_changes(conn, schema, in_post)
    await add_vector_changes(conn, schema, establishment_sums.SUMS, establishment)
