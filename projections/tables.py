"""A read table's declaration: its columns, indexes and keys, and how a build treats it.

Each read model declares its own tables (``ReadModel.tables``); the store declares the ones it
writes itself (the tracking row, the history rows, the staffing and flow functions). The store
creates, indexes and analyses what they declare, the schema version is a fingerprint of it, the
rebuild finishes the tables in their ``group``, and a split build's shards other than shard 0
drop the rows of every table not declared ``per_worker`` (``projections.store``).
"""

import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# The rebuild closes, indexes and analyses the tables once every batch is in, in three groups of
# about the same cost, each on a connection of its own (``replay.rebuild``); the staffing and
# flow functions are written last, and indexed then.
PERIODS, CHANGES, HISTORY, FUNCTIONS = "periods", "changes", "history", "functions"
GROUPS = (PERIODS, CHANGES, HISTORY)


@dataclass(frozen=True)
class Table:
    """A read table.

    ``columns`` is its CREATE TABLE's column list. ``indexes`` and ``keys`` (unique) are built once
    a build has caught up, by name: each definition starts with the table's name, as in
    ``"org_tree USING gist (code)"``. ``unfiltered`` names the columns no query filters, joins or
    sorts on: ANALYZE leaves them out. ``per_worker``: each row is one worker's, so each shard of a
    split build writes its own workers' rows; any other table is written by shard 0 alone.
    """

    name: str
    columns: str
    group: str = PERIODS
    indexes: Mapping[str, str] = field(default_factory=dict)
    keys: Mapping[str, str] = field(default_factory=dict)
    unfiltered: tuple[str, ...] = ()
    per_worker: bool = False

    def shape(self) -> tuple[str, str, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
        """What the tables' rows and indexes depend on (``fingerprint``)."""
        return self.name, self.columns, tuple(sorted(self.indexes.items())), tuple(sorted(self.keys.items()))


def fingerprint(revision: int, tables: Iterable[Table]) -> int:
    """The schema version of ``tables``: it changes with any table's shape (``Table.shape``) and
    with ``revision`` (raised when a table's meaning changes but not its shape). A 31-bit number,
    for the tracking row's ``version int``."""
    text = repr((revision, sorted(table.shape() for table in tables)))
    return zlib.crc32(text.encode()) & 0x7FFFFFFF
