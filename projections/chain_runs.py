"""The chain of DESIGN's "Tamper evidence" as the recorder keeps it (``projections/event_store.py``).

The chain is kept as *runs*: one row (``<events table>_chain_runs``) for each run of consecutive
positions an insert records, holding the first and last position and the run's digests and
chains, 32 bytes each, one after the other. A bulk insert of thousands of events writes one row
(stored out of line, uncompressed: hashes do not compress), where a row an event cost the server a
row and a key entry each, most of what the chain cost a load. A single command writes a run of
one. The runs cannot overlap (an exclusion constraint), and the view ``<events table>_chain``
shows them as a row an event, ``(position, digest, chain)`` in hex, for whoever reads the
database; the recorder's ``select_chain`` cuts the runs of a range itself (:func:`run_rows`). A
database whose chain was a table of one row an event (hrh before runs) is moved into runs when
the recorder creates its tables.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from psycopg import Copy
from psycopg.sql import SQL, Composed, Identifier, Literal

RUN_COLUMNS = ("first", "last", "digests", "chains")
RUN_COLUMN_TYPES = ("int8", "int8", "bytea", "bytea")
Run = tuple[int, int, bytes, bytes]
"""A run of the chain: its first and last position, and its digests and chains, 32 bytes each."""
HASH = 32
"""The bytes of a SHA-256 digest."""


STATEMENTS = (
    # The runs: no two overlap, and each holds one digest and one chain a position.
    "CREATE TABLE IF NOT EXISTS {schema}.{runs} (first bigint PRIMARY KEY, last bigint NOT NULL, "
    "digests bytea NOT NULL, chains bytea NOT NULL, "
    "CHECK (last >= first AND octet_length(digests) = 32 * (last - first + 1) "
    "AND octet_length(chains) = octet_length(digests)), "
    "EXCLUDE USING gist (int8range(first, last, '[]') WITH &&))",
    # Out of line and uncompressed: hashes do not compress, and a slice of such a value reads only its pages.
    "DO $do$ BEGIN IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(format('%I.%I', "
    "{schema_name}, {runs_name})) AND attname IN ('digests', 'chains') AND attstorage <> 'e') THEN "
    "ALTER TABLE {schema}.{runs} ALTER digests SET STORAGE EXTERNAL, ALTER chains SET STORAGE EXTERNAL; "
    "END IF; END $do$",
    # A chain kept as a table of one row an event (hrh before runs) moves into runs, under the lock
    # every insert takes; a second process waiting for it finds the table gone.
    "DO $do$ BEGIN IF EXISTS (SELECT 1 FROM pg_class WHERE oid = to_regclass(format('%I.%I', "
    "{schema_name}, {view_name})) AND relkind = 'r') THEN "
    "LOCK TABLE {schema}.{events} IN EXCLUSIVE MODE; "
    "IF EXISTS (SELECT 1 FROM pg_class WHERE oid = to_regclass(format('%I.%I', "
    "{schema_name}, {view_name})) AND relkind = 'r') THEN "
    "INSERT INTO {schema}.{runs} (first, last, digests, chains) "
    "SELECT min(position), max(position), string_agg(decode(digest, 'hex'), ''::bytea ORDER BY position), "
    "string_agg(decode(chain, 'hex'), ''::bytea ORDER BY position) "
    "FROM (SELECT position, digest, chain, position - row_number() OVER w AS island, "
    "(row_number() OVER w - 1) / 5000 AS part FROM {schema}.{view} WINDOW w AS (ORDER BY position)) AS rows "
    "GROUP BY island, part; "
    "DROP TABLE {schema}.{view}; "
    "END IF; END IF; END $do$",
    # The chain a row an event, for whoever reads the database.
    "DO $do$ BEGIN IF to_regclass(format('%I.%I', {schema_name}, {view_name})) IS NULL THEN "
    "CREATE VIEW {schema}.{view} AS SELECT r.first + i AS position, "
    "encode(substring(r.digests FROM 32 * i + 1 FOR 32), 'hex') AS digest, "
    "encode(substring(r.chains FROM 32 * i + 1 FOR 32), 'hex') AS chain "
    "FROM {schema}.{runs} AS r CROSS JOIN LATERAL generate_series(0, (r.last - r.first)::int) AS i; "
    "END IF; END $do$",
)
"""What the recorder creates for the chain, after the library's tables (``{...}``: the names that
:func:`statements` gives)."""


def statements(schema: str, events_table: str, runs_table: str, view: str) -> list[Composed]:
    """:data:`STATEMENTS` for the ledger's tables in ``schema``."""
    names = {
        "schema": Identifier(schema),
        "schema_name": Literal(schema),
        "events": Identifier(events_table),
        "runs": Identifier(runs_table),
        "runs_name": Literal(runs_table),
        "view": Identifier(view),
        "view_name": Literal(view),
    }
    return [SQL(statement).format(**names) for statement in STATEMENTS]


def copy_statement(schema: str, runs_table: str) -> Composed:
    """The binary ``COPY`` of runs into ``runs_table`` (their rows: :meth:`ChainRows.write`)."""
    columns = SQL(", ").join(map(Identifier, RUN_COLUMNS))
    return SQL("COPY {}.{} ({}) FROM STDIN (FORMAT BINARY)").format(Identifier(schema), Identifier(runs_table), columns)


def as_runs(positions: Sequence[int], digests: Sequence[str], chains: Sequence[str]) -> Iterator[Run]:
    """Chain rows (rising positions, hex digests, hex chains) as the runs the recorder keeps: one
    for each run of consecutive positions."""
    count = len(positions)
    if not count:
        return
    if positions[-1] - positions[0] == count - 1:  # rising, so consecutive: one run (an insert's, as a rule)
        starts = [0]
    else:
        starts = [i for i in range(count) if i == 0 or positions[i] != positions[i - 1] + 1]
    pack = bytes.fromhex
    for start, end in zip(starts, [*starts[1:], count], strict=True):
        yield positions[start], positions[end - 1], pack("".join(digests[start:end])), pack("".join(chains[start:end]))


@dataclass
class ChainRows:
    """Chain rows in ledger order (rising positions, hex digests and chains), to be recorded as runs."""

    positions: list[int] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)
    chains: list[str] = field(default_factory=list)

    def add(self, position: int, digest: str, chain: str) -> None:
        self.positions.append(position)
        self.digests.append(digest)
        self.chains.append(chain)

    def runs(self) -> Iterator[Run]:
        return as_runs(self.positions, self.digests, self.chains)

    def write(self, copy: Copy) -> None:
        """Writes the runs as the rows of ``copy``, a binary ``COPY`` of the columns ``RUN_COLUMNS``."""
        copy.set_types(list(RUN_COLUMN_TYPES))
        for run in self.runs():
            copy.write_row(run)


def run_rows(first: int, digests: str, chains: str) -> Iterator[tuple[int, str, str]]:
    """The rows (position, digest, chain) of a run, or part of one, from its first position and
    its digests and chains in hex."""
    width = 2 * HASH
    for offset in range(0, len(digests), width):
        yield first + offset // width, digests[offset : offset + width], chains[offset : offset + width]
