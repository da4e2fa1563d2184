"""The read tables: their schema, indexes, tracking row, and a bulk build's pending changes.

All read tables of one build live in one PostgreSQL schema, with the tracking row. A rebuild
fills a shadow schema and then renames it into place, so readers switch in one step.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import asyncpg

from projections import function_tables
from projections.naming import NAME as NAME  # re-exported for the API and replay
from projections.naming import quoted as quoted
from projections.projector import Projector
from projections.shards import Shard
from projections.tables import FUNCTIONS, GROUPS, HISTORY, Table, fingerprint

# The tables the store writes itself: the tracking row, the history rows (``events``), and the
# functions (``projections.function_tables``). Each read model declares its own (``Projector.tables``).
OWN = (
    Table(
        "tracking",
        "name text PRIMARY KEY, position bigint NOT NULL, generation uuid NOT NULL, "
        "next_row_id bigint NOT NULL, version int NOT NULL, updated_at timestamptz NOT NULL DEFAULT now()",
    ),
    Table(
        "events",
        "position bigint NOT NULL, aggregate text NOT NULL, aggregate_id uuid NOT NULL, version int NOT NULL, "
        "kind text NOT NULL, effective_on date, recorded_at timestamptz NOT NULL, recorded_by text, authority text, "
        "note text, command_id text, subject text, from_code text, to_code text, retracted boolean NOT NULL, "
        "backdated boolean NOT NULL, reason text, data json NOT NULL, event text NOT NULL",
        HISTORY,
        indexes={
            "events_by_aggregate": "events (aggregate_id, position)",
            "events_by_recorder": "events (recorded_by, position)",
            "events_by_time": "events (recorded_at, position)",
            "events_moves": "events (position) WHERE kind = 'MOVED'",
            # The hires and rehires effective in a span (the flows' entries, ``projections.flow_tabs``).
            "events_hires": "events (effective_on) WHERE kind IN ('HIRED', 'REHIRED')",
        },
        keys={"events_key": "events (position)"},
        unfiltered=("version", "note", "command_id", "subject", "reason", "data", "event", "authority"),
    ),
    *function_tables.TABLES,
)
READ_MODELS = Projector()  # built once, for what its read models declare: their tables and rectangles
DECLARED = {table.name: table for table in (*OWN, *READ_MODELS.tables())}
TABLES = {name: table.columns for name, table in DECLARED.items()}
# Raised whenever a table's meaning changes but not its shape: the version is a fingerprint of
# both, and tables of another version must be rebuilt (``tracking``; ``hrh serve`` rebuilds them).
REVISION = 4
VERSION = fingerprint(REVISION, DECLARED.values())
# Built once a build has caught up (a rebuild adds them before the swap): they would only slow
# the bulk writes down. Keys as unique indexes rather than primary keys, built once a rebuild's
# rows are in: sorting the rows into a new index costs less than adding each one. The functions
# are written once, at the end; the rectangles and history rows batch by batch, with the
# rectangles that later batches close recorded in ``PENDING`` meanwhile, and the history rows
# they show anew in ``PENDING_SHOWN`` (``write``, ``apply_pending``, ``apply_pending_shown``).
INDEXES = {name: index for table in DECLARED.values() for name, index in table.indexes.items()}
KEYS = {name: key for table in DECLARED.values() for name, key in table.keys.items()}
# Columns no query filters, joins or sorts on: ANALYZE leaves them out (statistics target 0),
# which halves its cost. The planner would gain nothing from their statistics.
UNFILTERED = {name: table.unfiltered for name, table in DECLARED.items() if table.unfiltered}
# The tables closed, indexed and analysed together at the end of a rebuild (``tables.GROUPS``).
GROUPED = {group: tuple(name for name, table in DECLARED.items() if table.group == group) for group in GROUPS}
FUNCTION_TABLES = tuple(name for name, table in DECLARED.items() if table.group == FUNCTIONS)  # written last

# A bulk build's closes of rectangles that earlier batches wrote: (table, id, position closed at).
PENDING = "pending_closes"
PENDING_COLUMNS = "tbl text NOT NULL, id bigint NOT NULL, position bigint NOT NULL"
RECTANGLES = tuple(READ_MODELS.rectangles())
# A bulk build's updates of history rows that earlier batches wrote (``Writes.shown``), with the
# position of the batch that made each one: the last one made holds.
PENDING_SHOWN = "pending_shown"
PENDING_SHOWN_COLUMNS = (
    "position bigint NOT NULL, batch bigint NOT NULL, from_code text, to_code text, retracted boolean NOT NULL"
)


@dataclass(frozen=True)
class Target:
    """Where a build reads the ledger from and writes its read tables to."""

    events_table: str  # schema-qualified, e.g. public.ledger_events
    schema: str

    def named(self, schema: str) -> "Target":
        return Target(self.events_table, schema)

    @property
    def shadow(self) -> "Target":
        return self.named(f"{self.schema}_shadow")

    @classmethod
    def of_ledger(cls, ledger_schema: str = "public") -> "Target":
        """The read tables of the ledger whose events live in ``ledger_schema``."""
        schema = "read_model" if ledger_schema == "public" else f"{ledger_schema}_read"
        return cls(f"{quoted(ledger_schema)}.ledger_events", schema)


async def create(conn: asyncpg.Connection, schema: str, *, with_indexes: bool) -> None:
    """Creates the schema and its empty tables (the caller's transaction)."""
    s = quoted(schema)
    await conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    await conn.execute(f"CREATE SCHEMA {s}")
    # A bulk build's tables are left alone by autovacuum until they are whole (``analyze_tables``):
    # vacuuming or analysing them between batches would only compete with the build for the CPU.
    options = "" if with_indexes else " WITH (autovacuum_enabled = false)"
    for table, columns in TABLES.items():
        await conn.execute(f"CREATE TABLE {s}.{table} ({columns}){options}")
        if table in UNFILTERED:
            unsampled = ", ".join(f"ALTER COLUMN {column} SET STATISTICS 0" for column in UNFILTERED[table])
            await conn.execute(f"ALTER TABLE {s}.{table} {unsampled}")
    await conn.execute(
        f"INSERT INTO {s}.tracking (name, position, generation, next_row_id, version) VALUES ($1, 0, $2, 1, $3)",
        NAME,
        uuid.uuid4(),
        VERSION,
    )
    if with_indexes:
        await add_indexes(conn, schema)
    else:  # a bulk build: its keys come at its end
        await _create_pending(conn, schema)


async def add_indexes(
    conn: asyncpg.Connection, schema: str, *, tables: Iterable[str] = TABLES, analyze: bool = True
) -> None:
    """Builds the indexes and keys of ``tables`` (in the caller's transaction), then gathers
    their statistics; without ``analyze``, that is left to ``analyze_tables``."""
    await conn.execute("SET LOCAL maintenance_work_mem = '256MB'")  # builds them in memory
    # Without parallel workers: a rebuild builds on three connections while its children work, so
    # the cores are taken; workers would only add their start-up and the merge of their sorts.
    await conn.execute("SET LOCAL max_parallel_maintenance_workers = 0")
    tables = list(tables)
    for unique, indexes in (("", INDEXES), ("UNIQUE ", KEYS)):
        for name, definition in indexes.items():
            if definition.partition(" ")[0] in tables:
                await conn.execute(f"CREATE {unique}INDEX IF NOT EXISTS {name} ON {quoted(schema)}.{definition}")
    if analyze:
        await analyze_tables(conn, schema, tables)


# ANALYZE samples 300 rows per unit of statistics target: at 30, 9,000 rows a table rather than
# PostgreSQL's 30,000, a third of the cost. The queries filter on keys, ids, codes and dates, whose
# estimates need no finer histograms (docs/performance.md: the plans and latencies at scale 10).
STATISTICS_TARGET = 30


async def analyze_tables(conn: asyncpg.Connection, schema: str, tables: Iterable[str] = TABLES) -> None:
    """Gathers the tables' statistics, and hands them back to autovacuum (``create``)."""
    async with conn.transaction():
        await conn.execute(f"SET LOCAL default_statistics_target = {STATISTICS_TARGET}")
        for table in tables:
            await conn.execute(f"ANALYZE {quoted(schema)}.{table}")
            await conn.execute(f"ALTER TABLE {quoted(schema)}.{table} RESET (autovacuum_enabled)")


async def ledger_exists(conn: asyncpg.Connection, events_table: str) -> bool:
    return bool(await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", events_table))


async def exists(conn: asyncpg.Connection, schema: str) -> bool:
    return bool(await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{quoted(schema)}.tracking"))


class OutdatedReadTables(LookupError):
    """Raised when the read tables were built by another version of the projections."""


async def tracking(conn: asyncpg.Connection, schema: str, shard: Shard | None = None) -> asyncpg.Record:
    """The tracking row (of ``shard``, in a split build).

    Raises:
        OutdatedReadTables: the tables were built by another version; they must be rebuilt.
    """
    try:
        row = await conn.fetchrow(
            f"SELECT position, generation, next_row_id, version FROM {quoted(schema)}.tracking WHERE name = $1",
            NAME if shard is None else shard.name,
        )
    except asyncpg.UndefinedColumnError:
        row = None
    if row is None or row["version"] != VERSION:
        raise OutdatedReadTables(
            f"The read tables in {schema!r} were built by another version of hrh; run `hrh rebuild` to build them anew."
        )
    return row


async def head(conn: asyncpg.Connection, events_table: str) -> int:
    return int(await conn.fetchval(f"SELECT coalesce(max(notification_id), 0) FROM {events_table}"))


async def apply_pending(conn: asyncpg.Connection, schema: str, tables: Iterable[str] = RECTANGLES) -> None:
    """Closes the rectangles of ``tables`` recorded in ``PENDING``, one join a table (nothing to
    do without the table). A bulk build does so when it resumes, before it loads its state from
    the open rectangles (``resume_pending``), and once its last batch is in, before it indexes
    them (then ``drop_pending``). Closing one twice closes it at the same position."""
    s = quoted(schema)
    rectangles = [table for table in tables if table in RECTANGLES]
    if not rectangles:
        return
    async with conn.transaction():
        if await conn.fetchval("SELECT to_regclass($1)", f"{s}.{PENDING}") is None:
            return
        await conn.execute("SET LOCAL work_mem = '256MB'")  # the join's hash table, in memory
        for table in rectangles:
            await conn.execute(
                f"UPDATE {s}.{table} t SET known_to = p.position FROM {s}.{PENDING} p WHERE p.tbl = $1 AND t.id = p.id",
                table,
            )


async def apply_pending_shown(conn: asyncpg.Connection, schema: str) -> None:
    """Updates the history rows recorded in ``PENDING_SHOWN`` (nothing to do without the table).

    A few hundred rows at scale 10, in 1.2 million: a bulk build does so once ``events`` has its
    key, which finds them (a join without it reads the whole table). A resumed build does so
    before it loads its state from the history rows (``resume_pending``). Updating one twice
    gives the same row.
    """
    s = quoted(schema)
    if await conn.fetchval("SELECT to_regclass($1)", f"{s}.{PENDING_SHOWN}") is None:
        return
    await conn.execute(
        f"UPDATE {s}.events e SET from_code = p.from_code, to_code = p.to_code, retracted = p.retracted "
        f"FROM (SELECT DISTINCT ON (position) * FROM {s}.{PENDING_SHOWN} ORDER BY position, batch DESC) p "
        "WHERE e.position = p.position"
    )


async def _create_pending(conn: asyncpg.Connection, schema: str) -> None:
    s = quoted(schema)
    await conn.execute(f"CREATE TABLE IF NOT EXISTS {s}.{PENDING} ({PENDING_COLUMNS})")
    await conn.execute(f"CREATE TABLE IF NOT EXISTS {s}.{PENDING_SHOWN} ({PENDING_SHOWN_COLUMNS})")


async def resume_pending(conn: asyncpg.Connection, schema: str) -> None:
    """For a resumed bulk build, before it loads its state from the open rectangles and the
    history rows: applies what ``PENDING`` and ``PENDING_SHOWN`` hold, then empties them for the
    batches the build goes on with."""
    s = quoted(schema)
    async with conn.transaction():
        await apply_pending(conn, schema)
        await apply_pending_shown(conn, schema)
        await _create_pending(conn, schema)
        await conn.execute(f"TRUNCATE {s}.{PENDING}, {s}.{PENDING_SHOWN}")


async def drop_pending(conn: asyncpg.Connection, schema: str) -> None:
    s = quoted(schema)
    await conn.execute(f"DROP TABLE IF EXISTS {s}.{PENDING}, {s}.{PENDING_SHOWN}")
