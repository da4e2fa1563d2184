"""A build split between processes by worker: which events, rows and tracking row are a shard's.

A rebuild on several cores gives each of its processes (shards) the workers whose id's last
byte leaves ``index`` modulo ``count``, and every org-unit and cadre event: the tree is what
turns a worker's periods into staffing and flows, so each shard needs all of it. Only shard 0
writes what the org events give (the tree's rectangles, units, cadres, populations and their
history rows); every shard writes its own workers' rows. Rectangle ids interleave (shard ``i``
numbers ``i + 1, i + 1 + count, ...``), so they never collide, and each shard commits its
batches with a tracking row of its own, from which a killed build resumes. The staffing and
flow functions are sums over workers: each shard sums its workers' changes by facility (and by
facility and cadre, ``projections.in_post``) and counts their flows (its share), the shards trade
their shares, and each adds them up (``add_up``), then rolls them up into the units it owns and
writes those, with the pairs of the facilities it owns (``owner``, ``UnitFunctions.unit_sums``).
"""

import zlib
from dataclasses import dataclass
from typing import TypeVar

import asyncpg

from projections.intervals import RowSink
from projections.naming import NAME, quoted
from projections.writes import Writes

PREFIX = "workforce.shard"  # tracking rows: workforce.shard0, workforce.shard1, ...
AGGREGATE = 1  # place of the aggregate's name in an ``events`` row


@dataclass(frozen=True)
class Shard:
    index: int
    count: int

    @property
    def name(self) -> str:
        """Its tracking row's name."""
        return f"{PREFIX}{self.index}"

    @property
    def writes_org(self) -> bool:
        return self.index == 0

    def owns_unit(self, code: str) -> bool:
        """Whether this shard adds up and writes unit ``code``'s functions."""
        return owner(code, self.count) == self.index

    def owns(self, column: str) -> str:
        """The SQL condition that the worker id in ``column`` is this shard's."""
        return f"get_byte(uuid_send({column}), 15) % {self.count} = {self.index}"

    def reads(self, *, workers: bool = True) -> str:
        """The SQL condition on the ledger's rows this shard reads: its workers' events and the org
        events (without ``workers``, only those)."""
        org = "(topic LIKE 'hrh:OrgUnit.%' OR topic LIKE 'hrh:Cadre.%')"  # prefixes: cheaper than a regex
        return f"({org} OR topic LIKE 'hrh:Worker.%' AND {self.owns('originator_id')})" if workers else org

    def keep(self, writes: Writes, *org_rows: RowSink) -> None:
        """Drops what another shard writes: everything but workers' rows (``org_rows``: the sinks
        of the other rectangles, ``Projector.org_rectangles``), unless this is shard 0."""
        if self.writes_org:
            return
        for sink in org_rows:
            sink.take()
        writes.units.clear()
        writes.cadres.clear()
        writes.populations.clear()
        writes.events = {p: row for p, row in writes.events.items() if row[AGGREGATE] == "Worker"}


async def create_rows(conn: asyncpg.Connection, schema: str, count: int) -> None:
    """Adds the tracking rows of ``count`` shards beside the build's own (the caller's transaction)."""
    s = quoted(schema)
    await conn.execute(
        f"INSERT INTO {s}.tracking (name, position, generation, next_row_id, version) "
        f"SELECT $1 || i, 0, t.generation, i + 1, t.version FROM {s}.tracking t, generate_series(0, $2 - 1) i "
        "WHERE t.name = $3",
        PREFIX,
        count,
        NAME,
    )


async def positions(conn: asyncpg.Connection, schema: str) -> list[int]:
    """Each shard's tracking position, by shard; empty when the build is not split."""
    rows = await conn.fetch(
        f"SELECT position FROM {quoted(schema)}.tracking WHERE name LIKE $1 || '%' "
        "ORDER BY substr(name, length($1) + 1)::int",
        PREFIX,
    )
    return [r["position"] for r in rows]


async def finish(conn: asyncpg.Connection, schema: str, position: int) -> None:
    """Ends a split build at ``position`` (the caller's transaction): the build's tracking row
    takes it, and the rectangle ids after every shard's, and the shards' rows go."""
    s = quoted(schema)
    await conn.execute(
        f"UPDATE {s}.tracking SET position = $2, updated_at = now(), next_row_id = "
        f"(SELECT max(next_row_id) FROM {s}.tracking WHERE name LIKE $3 || '%') WHERE name = $1",
        NAME,
        position,
        PREFIX,
    )
    await conn.execute(f"DELETE FROM {s}.tracking WHERE name LIKE $1 || '%'", PREFIX)


# What a shard hands on: its workers' staffing changes by facility (packed vectors, by day), and
# their flows counted by (origin, destination, day). Days go as ordinals: a pickled date costs a
# child four times what an int does. Facilities rather than every unit above them: a third of
# the size, and each shard rolls up only the units it owns (``UnitFunctions.unit_sums``).
# Third, their changes in post per (facility, cadre) (``projections.in_post``), by day.
Share = tuple[
    dict[str, dict[int, int]], dict[tuple[str | None, str | None, int], int], dict[tuple[str, str], dict[int, int]]
]
# Units' staffing changes by day, their daily [entries, exits], the changes in post of the
# (facility, cadre) pairs whose facility the shard owns, and units' establishment sums' changes
# by day (``projections.establishment_sums``), days as ordinals.
UnitSums = tuple[
    dict[str, dict[int, int]],
    dict[tuple[str, int], list[int]],
    dict[tuple[str, str], dict[int, int]],
    dict[str, dict[int, int]],
]


def owner(code: str, count: int) -> int:
    """The shard that adds up and writes unit ``code``'s functions (the same in every process)."""
    return zlib.crc32(code.encode()) % count


def add_up(shares: list[Share]) -> Share:
    """The shares' sum: each facility's (and pair's) changes and each flow's count added up,
    changes that cancel out left out."""
    moves: dict[tuple[str | None, str | None, int], int] = {}
    for _, counted, _ in shares:
        for key, n in counted.items():
            moves[key] = moves.get(key, 0) + n
    return _summed([share[0] for share in shares]), moves, _summed([share[2] for share in shares])


Key = TypeVar("Key")


def _summed(parts: list[dict[Key, dict[int, int]]]) -> dict[Key, dict[int, int]]:
    """Each key's changes by day added up over ``parts``; changes that cancel out, and keys left with none, left out."""
    changes: dict[Key, dict[int, int]] = {}
    for part in parts:
        for key, days in part.items():
            into = changes.get(key)
            if into is None:
                changes[key] = dict(days)
                continue
            for day, delta in days.items():
                into[day] = into.get(day, 0) + delta
    for key, days in list(changes.items()):
        if not all(days.values()):
            kept = {day: delta for day, delta in days.items() if delta}
            if kept:
                changes[key] = kept
            else:
                del changes[key]
    return changes
