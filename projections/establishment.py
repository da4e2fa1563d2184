"""The establishment: budgeted posts against the workers in post (DESIGN, "Definitions: Establishment").

The read model (``EstablishmentProjection``) writes one row of the ``establishment`` table per
``OrgUnit.EstablishmentSet``: the facility, the cadre, the posts, the day they take effect and the
position they are known from (the event is never retracted, so its row is never closed).
``posts(F, C, D)`` is the latest row for (F, C) effective on or before D (latest by day, then by
position), known at T when its position is at or before T's. ``filled`` is the number of workers
of cadre C (in force on D) in post at F on D, on leave included. An area's and a cadre group's
figures are sums over the (F, C) pairs they cover, so a surplus never hides a vacancy.

As known now, those sums are kept per unit and cadre group as step functions of the day
(``projections.establishment_sums``, rolled up the tree as the staffing is), so a unit's
establishment with its children reads one indexed row a unit, however many pairs and workers
lie under it. As known at an earlier position, posts are read from this table and ``filled``
counted from the ``worker_periods`` rectangles known then, pair by pair (``by_pairs``); as
known now, ``by_pairs`` probes each pair's ``in_post`` function instead (the tests' oracle).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from domain.org_unit import OrgUnit
from projections.establishment_sums import SUMS, by_group
from projections.events import LedgerEvent
from projections.handlers import handles
from projections.in_post import Pair, piece_on
from projections.intervals import Ids, RowSink
from projections.naming import quoted
from projections.org_units import Executor, cadres, children_codes, tree_at
from projections.postings import IN_POST
from projections.staffing import known_position, values_now
from projections.tables import Table
from projections.unit_functions import UnitFunctions
from projections.vectors import CadreInfo
from projections.writes import Writes

TABLE = "establishment"
TABLES = (Table(TABLE, "id bigint, code text, day date, known_from bigint, known_to bigint, cadre text, posts int"),)


class EstablishmentProjection:
    """The establishment's read model: a row of posts per ``EstablishmentSet``, and its history row."""

    def __init__(self, units: UnitFunctions, cadres: dict[str, CadreInfo], ids: Ids, writes: Writes) -> None:
        self.units = units  # for the facility's code, and the establishment's sums
        self.cadres = cadres  # for a cadre's group
        self.rows = RowSink(ids, bounded=False)  # (id, facility, day, known_from, known_to, cadre, posts)
        self.writes = writes

    def tables(self) -> tuple[Table, ...]:
        return TABLES

    def rectangles(self) -> dict[str, RowSink]:
        return {TABLE: self.rows}

    @handles(OrgUnit.EstablishmentSet)
    def _establishment_set(self, e: LedgerEvent) -> None:
        code = self.units.tree.codes[e.aggregate_id]
        d = e.data
        self.rows.open(code, d["effective_on"], None, e.position, (d["cadre_code"], d["posts"]))
        cadre = self.cadres.get(d["cadre_code"])
        group = cadre.group if cadre is not None else "OTHER"
        self.units.set_posts((code, d["cadre_code"]), group, d["effective_on"], d["posts"])
        self.writes.history(e, subject=code, effective_on=d["effective_on"])


@dataclass(slots=True)
class PostCounts:
    """Posts, filled, vacant and surplus, summed over some (facility, cadre) pairs."""

    posts: int = 0
    filled: int = 0
    vacant: int = 0
    surplus: int = 0

    @property
    def vacancy_rate(self) -> float | None:
        return self.vacant / self.posts if self.posts else None


@dataclass(slots=True)
class EstablishmentRecord:
    code: str
    as_of: date
    known_at: datetime | None
    totals: PostCounts
    by_cadre_group: dict[str, PostCounts]
    children: list["EstablishmentRecord"] = field(default_factory=list)


LATEST = "ORDER BY code, cadre, day DESC, known_from DESC"  # with DISTINCT ON (code, cadre): posts(F, C, D)
# The rows of the units in $1, by a join: ``code = ANY($1)`` compares each row with every code
# once the statement's plan is generic (a national establishment: 10,000 rows by 1,500 codes).
OF_UNITS = "JOIN unnest($1::text[]) u(unit) ON code = u.unit"


async def posts_on(
    db: Executor, schema: str, facilities: list[str], day: date, position: int | None
) -> dict[Pair, int]:
    """posts(F, C, day) for every pair of ``facilities`` with posts set, as known at ledger
    ``position`` (None: now)."""
    rows = await db.fetch(
        f"SELECT DISTINCT ON (code, cadre) code, cadre, posts FROM {quoted(schema)}.{TABLE} {OF_UNITS} "
        f"WHERE day <= $2 AND ($3::bigint IS NULL OR known_from <= $3) {LATEST}",
        facilities,
        day,
        position,
    )
    return {(r["code"], r["cadre"]): int(r["posts"]) for r in rows}


async def posts_filled_now(
    db: Executor, schema: str, facilities: list[str], day: date
) -> tuple[dict[Pair, int], dict[Pair, int]]:
    """posts(F, C, day) and filled(F, C, day) for every pair of ``facilities`` with posts set,
    as known now, in one statement: filled from the pair's ``in_post`` function."""
    rows = await db.fetch(
        f"SELECT p.code, p.cadre, p.posts, coalesce(piece.workers, 0) AS filled FROM ("
        f"SELECT DISTINCT ON (code, cadre) code, cadre, posts FROM {quoted(schema)}.{TABLE} {OF_UNITS} "
        f"WHERE day <= $2 {LATEST}) p {piece_on(schema, 'p', '$2')}",
        facilities,
        day,
    )
    return {(r["code"], r["cadre"]): r["posts"] for r in rows}, {(r["code"], r["cadre"]): r["filled"] for r in rows}


async def filled_on(
    db: Executor, schema: str, facilities: list[str], day: date, position: int | None
) -> dict[Pair, int]:
    """The workers in post at each of ``facilities`` on ``day`` by cadre (in force that day), as
    known at ledger ``position`` (None: now), counted from their periods: what the ``in_post``
    functions keep as known now (the tests check them against it)."""
    known = "known_to IS NULL" if position is None else "known_from <= $4 AND (known_to IS NULL OR known_to > $4)"
    rows = await db.fetch(
        f"SELECT facility, cadre, count(*) AS n FROM {quoted(schema)}.worker_periods "
        "WHERE facility = ANY($1::text[]) AND status = ANY($3::text[]) AND valid_from <= $2 "
        f"AND (valid_to IS NULL OR valid_to > $2) AND {known} GROUP BY facility, cadre",
        facilities,
        day,
        list(IN_POST),
        *(() if position is None else (position,)),
    )
    return {(r["facility"], r["cadre"]): int(r["n"]) for r in rows}


async def establishment(
    db: Executor, schema: str, code: str, as_of: date, known_at: datetime | None = None
) -> EstablishmentRecord | None:
    """Establishment(U, D) and each child's, as known at ``known_at`` (now when None); None for an unknown unit.

    As known now, the unit's and its children's sums on D (``projections.establishment_sums``),
    one indexed row each; as known at a past position, summed pair by pair (``by_pairs``).
    """
    position = await known_position(db, schema, known_at)
    exists = await db.fetchval(f"SELECT EXISTS (SELECT 1 FROM {quoted(schema)}.org_units WHERE code = $1)", code)
    if not exists:
        return None
    if position is not None:
        return await by_pairs(db, schema, code, as_of, known_at, position)
    children = (await children_codes(db, schema, [code], as_of))[code]
    values = await values_now(db, schema, [code, *children], as_of, SUMS)
    result = _record(code, as_of, known_at, by_group(values[code]))
    result.children = [_record(child, as_of, known_at, by_group(values[child])) for child in children]
    return result


async def by_pairs(
    db: Executor, schema: str, code: str, as_of: date, known_at: datetime | None, position: int | None
) -> EstablishmentRecord:
    """Establishment(U, D) and each child's summed over the (facility, cadre) pairs with posts
    under U, as known at ``position`` (None: now, each pair's ``in_post`` probed: what the sums
    kept as known now must equal, and the tests check them against it)."""
    tree = await tree_at(db, schema, as_of, position)
    chains = {unit: tree.chain(unit) for unit in (*tree.parents, code)}
    covered = [unit for unit, chain in chains.items() if code in chain]  # the unit and every unit under it
    if position is None:
        posts, filled = await posts_filled_now(db, schema, covered, as_of)
    else:
        posts = await posts_on(db, schema, covered, as_of, position)
        filled = await filled_on(db, schema, sorted({f for f, _ in posts}), as_of, position) if posts else {}
    groups = {c.code: c.group for c in await cadres(db, schema)}
    children = tree.children(code)
    sums: dict[str, dict[str, list[int]]] = {unit: {} for unit in (code, *children)}  # group -> the four counts
    for (facility, cadre), n in posts.items():
        in_post, group = filled.get((facility, cadre), 0), groups.get(cadre, "OTHER")
        vacant, surplus = max(n - in_post, 0), max(in_post - n, 0)
        for unit in chains[facility]:  # the facility and the areas above it: a pair counts once in each
            if (by_group := sums.get(unit)) is not None:
                counts = by_group.get(group) or by_group.setdefault(group, [0, 0, 0, 0])
                counts[0] += n
                counts[1] += in_post
                counts[2] += vacant
                counts[3] += surplus
    result = _record(code, as_of, known_at, sums[code])
    result.children = [_record(child, as_of, known_at, sums[child]) for child in children]
    return result


def _record(code: str, as_of: date, known_at: datetime | None, by_group: dict[str, list[int]]) -> EstablishmentRecord:
    """A unit's record from its sums by cadre group (posts, filled, vacant, surplus)."""
    totals = [sum(column) for column in zip(*by_group.values(), strict=True)] if by_group else [0, 0, 0, 0]
    groups = {group: PostCounts(*counts) for group, counts in sorted(by_group.items())}
    return EstablishmentRecord(code, as_of, known_at, PostCounts(*totals), groups)
