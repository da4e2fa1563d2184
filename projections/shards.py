"""A build split between processes by worker: which events, rows and tracking row are a shard's.

A rebuild on several cores gives each of its processes (shards) the workers whose id's last
byte leaves ``index`` modulo ``count``, and every org-unit and cadre event: the tree is what
turns a worker's periods into staffing and flows, so each shard needs all of it. Only shard 0
writes what the org events give (the tree's rectangles, units, cadres, populations and their
history rows); every shard writes its own workers' rows. Rectangle ids interleave (shard ``i``
numbers ``i + 1, i + 1 + count, ...``), so they never collide, and each shard commits its
batches with a tracking row of its own, from which a killed build resumes. The staffing and
flow functions are sums over workers: each shard derives its share of every unit's, and the
shards then trade them so that each adds up and writes the units it owns (``owner``, ``parts``,
``add_up``).
"""

import zlib
from dataclasses import dataclass
from datetime import date

import asyncpg

from projections.batch import Writes
from projections.intervals import RowSink
from projections.naming import NAME, quoted

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

    def owns(self, column: str) -> str:
        """The SQL condition that the worker id in ``column`` is this shard's."""
        return f"get_byte(uuid_send({column}), 15) % {self.count} = {self.index}"

    def reads(self, *, workers: bool = True) -> str:
        """The SQL condition on the ledger's rows this shard reads: its workers' events and the org
        events (without ``workers``, only those)."""
        org = "(topic LIKE 'hrh:OrgUnit.%' OR topic LIKE 'hrh:Cadre.%')"  # prefixes: cheaper than a regex
        return f"({org} OR topic LIKE 'hrh:Worker.%' AND {self.owns('originator_id')})" if workers else org

    def keep(self, writes: Writes, tree_rows: RowSink) -> None:
        """Drops what another shard writes: everything but workers' rows, unless this is shard 0."""
        if self.writes_org:
            return
        tree_rows.take()
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


# What a shard hands back: each unit's staffing changes (packed) and its daily flows, by day.
# Days go as ordinals: a pickled date costs a child four times what an int does.
Share = tuple[dict[str, dict[int, int]], dict[tuple[str, int], list[int]]]


def owner(code: str, count: int) -> int:
    """The shard that adds up and writes unit ``code``'s functions (the same in every process)."""
    return zlib.crc32(code.encode()) % count


def parts(share: Share, count: int) -> list[Share]:
    """``share`` cut by the shard that owns each unit (``owner``): part ``i`` goes to shard ``i``."""
    out: list[Share] = [({}, {}) for _ in range(count)]
    owners: dict[str, int] = {}
    for code, days in share[0].items():
        out[owners.setdefault(code, owner(code, count))][0][code] = days
    for key, cell in share[1].items():
        code = key[0]
        shard = owners.get(code)
        if shard is None:
            shard = owners[code] = owner(code, count)
        out[shard][1][key] = cell
    return out


def add_up(shares: list[Share]) -> Share:
    """The shares' sum: each unit's changes and each cell's flows added up, changes that cancel out left out."""
    changes: dict[str, dict[int, int]] = {}
    flows: dict[tuple[str, int], list[int]] = {}
    for counts, cells in shares:
        for code, days in counts.items():
            into = changes.get(code)
            if into is None:
                changes[code] = dict(days)
                continue
            for day, delta in days.items():
                into[day] = into.get(day, 0) + delta
        for key, (entries, exits) in cells.items():
            cell = flows.get(key)
            if cell is None:
                flows[key] = [entries, exits]
            else:
                cell[0] += entries
                cell[1] += exits
    for code, days in changes.items():
        if not all(days.values()):
            changes[code] = {day: delta for day, delta in days.items() if delta}
    return changes, flows


def dated(flows: dict[tuple[str, int], list[int]]) -> dict[tuple[str, date], list[int]]:
    """A share's flows keyed by date rather than ordinal; the units share their days, so each is made once."""
    dates: dict[int, date] = {}
    out = {}
    for (code, ordinal), cell in flows.items():
        day = dates.get(ordinal)
        if day is None:
            day = dates[ordinal] = date.fromordinal(ordinal)
        out[(code, day)] = cell
    return out
