"""Org-unit queries: units, the tree as of a date and as known at a position, cadres."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeAlias

import asyncpg

from projections.naming import quoted
from projections.vectors import CadreInfo

Executor: TypeAlias = asyncpg.Connection | asyncpg.Pool


@dataclass(frozen=True, slots=True)
class OrgUnitRecord:
    code: str
    name: str
    level: str
    sector: str | None
    facility_kind: str | None
    hard_to_reach: bool
    opened_on: date
    closed_on: date | None


@dataclass(frozen=True, slots=True)
class Tree:
    """The parent links on one date, as known at one position (None: now)."""

    parents: dict[str, str | None]
    open: set[str]

    def chain(self, code: str) -> list[str]:
        chain = [code]
        parent = self.parents.get(code)
        while parent is not None and parent not in chain:
            chain.append(parent)
            parent = self.parents.get(parent)
        return chain

    def children(self, code: str) -> list[str]:
        return sorted(c for c, p in self.parents.items() if p == code and c in self.open)


@dataclass(frozen=True, slots=True)
class TreeHistory:
    """Every unit's parent over time, as known at one position (None: now)."""

    pieces: dict[str, list[tuple[date, date | None, str | None]]]

    def parent_on(self, code: str, day: date) -> str | None:
        for start, end, parent in self.pieces.get(code, ()):
            if start <= day and (end is None or day < end):
                return parent
        return None

    def chain(self, code: str, day: date) -> list[str]:
        chain = [code]
        parent = self.parent_on(code, day)
        while parent is not None and parent not in chain:
            chain.append(parent)
            parent = self.parent_on(parent, day)
        return chain


def _unit(r: asyncpg.Record) -> OrgUnitRecord:
    return OrgUnitRecord(
        r["code"],
        r["name"],
        r["level"],
        r["sector"],
        r["facility_kind"],
        r["hard_to_reach"],
        r["opened_on"],
        r["closed_on"],
    )


UNIT_COLUMNS = "code, name, level, sector, facility_kind, hard_to_reach, opened_on, closed_on"


async def org_units_by_code(db: Executor, schema: str, codes: list[str]) -> dict[str, OrgUnitRecord]:
    rows = await db.fetch(f"SELECT {UNIT_COLUMNS} FROM {quoted(schema)}.org_units WHERE code = ANY($1::text[])", codes)
    return {r["code"]: _unit(r) for r in rows}


async def org_units(
    db: Executor,
    schema: str,
    *,
    level: str | None = None,
    parent_code: str | None = None,
    as_of: date,
    include_closed: bool = False,
) -> list[OrgUnitRecord]:
    """Units open on ``as_of`` (and, with ``include_closed``, those closed by then), optionally of one level and
    under one parent (as of that date)."""
    s, open_only = quoted(schema), "true" if include_closed else "t.is_open"
    rows = await db.fetch(
        f"SELECT {', '.join('u.' + c for c in UNIT_COLUMNS.split(', '))} FROM {s}.org_units u "
        f"JOIN {s}.org_tree t ON t.code = u.code AND t.known_to IS NULL AND {open_only} "
        "AND t.valid_from <= $1 AND (t.valid_to IS NULL OR t.valid_to > $1) "
        "WHERE ($2::text IS NULL OR u.level = $2) AND ($3::text IS NULL OR t.parent = $3) ORDER BY u.code",
        as_of,
        level,
        parent_code,
    )
    return [_unit(r) for r in rows]


async def parents_on(db: Executor, schema: str, codes: list[str], as_of: date) -> dict[str, str | None]:
    """Each unit's parent on ``as_of``, as known now."""
    rows = await db.fetch(
        f"SELECT code, parent FROM {quoted(schema)}.org_tree WHERE code = ANY($1::text[]) AND known_to IS NULL "
        "AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)",
        codes,
        as_of,
    )
    return {r["code"]: r["parent"] for r in rows}


async def children_codes(
    db: Executor, schema: str, codes: list[str], as_of: date, position: int | None = None
) -> dict[str, list[str]]:
    """The units open on ``as_of`` under each of ``codes``, as known at ledger ``position`` (None: now)."""
    return (await children_on_days(db, schema, codes, [as_of], position))[as_of]


async def children_on_days(
    db: Executor, schema: str, codes: list[str], days: list[date], position: int | None = None
) -> dict[date, dict[str, list[str]]]:
    """``children_codes`` on each of ``days``, in one statement."""
    rows = await db.fetch(
        f"SELECT d, parent, code FROM unnest($2::date[]) d JOIN {quoted(schema)}.org_tree ON parent = ANY($1::text[]) "
        f"AND is_open AND {_known('$3', position)} AND valid_from <= d AND (valid_to IS NULL OR valid_to > d) "
        "ORDER BY d, code",
        codes,
        days,
        *_position_arg(position),
    )
    out: dict[date, dict[str, list[str]]] = {day: {c: [] for c in codes} for day in days}
    for r in rows:
        out[r["d"]][r["parent"]].append(r["code"])
    return out


async def chains(
    db: Executor, schema: str, codes: list[str], as_of: date, position: int | None
) -> dict[str, list[str]]:
    """Each unit with its ancestors on ``as_of``, nearest first, as known at ledger ``position``
    (None: now): ``Tree.chain`` for a few units, without reading the whole tree."""
    rows = await db.fetch(
        "WITH RECURSIVE up(code, chain) AS (SELECT c, ARRAY[c] FROM unnest($1::text[]) c UNION ALL "
        f"SELECT t.parent, up.chain || t.parent FROM up JOIN {quoted(schema)}.org_tree t ON t.code = up.code "
        f"AND {_known('$3', position, 't.')} AND t.valid_from <= $2 AND (t.valid_to IS NULL OR t.valid_to > $2) "
        "WHERE t.parent IS NOT NULL AND t.parent <> ALL(up.chain)) "
        "SELECT DISTINCT ON (chain[1]) chain FROM up ORDER BY chain[1], cardinality(chain) DESC",
        list(dict.fromkeys(codes)),
        as_of,
        *_position_arg(position),
    )
    return {r["chain"][0]: list(r["chain"]) for r in rows}


def _known(param: str, position: int | None, prefix: str = "") -> str:
    """The condition on a bitemporal row to be known at ``position``, given as ``param`` (None: now)."""
    if position is None:
        return f"{prefix}known_to IS NULL"
    return f"{prefix}known_from <= {param} AND ({prefix}known_to IS NULL OR {prefix}known_to > {param})"


def _position_arg(position: int | None) -> tuple[int, ...]:
    return () if position is None else (position,)


async def tree_at(db: Executor, schema: str, as_of: date, position: int | None) -> Tree:
    """The whole tree on ``as_of``, as known at ledger ``position`` (None: now)."""
    rows = await db.fetch(
        f"SELECT code, parent, is_open FROM {quoted(schema)}.org_tree WHERE {_known('$2', position)} "
        "AND valid_from <= $1 AND (valid_to IS NULL OR valid_to > $1)",
        as_of,
        *_position_arg(position),
    )
    return Tree({r["code"]: r["parent"] for r in rows}, {r["code"] for r in rows if r["is_open"]})


async def tree_history(db: Executor, schema: str, position: int | None) -> TreeHistory:
    """The whole tree over time, as known at ledger ``position`` (None: now)."""
    rows = await db.fetch(
        f"SELECT code, valid_from, valid_to, parent FROM {quoted(schema)}.org_tree WHERE {_known('$1', position)} "
        "ORDER BY valid_from",
        *_position_arg(position),
    )
    pieces: dict[str, list[tuple[date, date | None, str | None]]] = {}
    for r in rows:
        pieces.setdefault(r["code"], []).append((r["valid_from"], r["valid_to"], r["parent"]))
    return TreeHistory(pieces)


async def facility_codes(db: Executor, schema: str) -> set[str]:
    rows = await db.fetch(f"SELECT code FROM {quoted(schema)}.org_units WHERE level = 'FACILITY'")
    return {r["code"] for r in rows}


async def moves_after(db: Executor, schema: str, position: int) -> bool:
    """Whether a unit was moved by an event recorded after ``position``."""
    return bool(
        await db.fetchval(
            f"SELECT EXISTS (SELECT 1 FROM {quoted(schema)}.events WHERE aggregate = 'OrgUnit' AND kind = 'MOVED' "
            "AND position > $1)",
            position,
        )
    )


async def position_at(db: Executor, schema: str, moment: datetime) -> int:
    """The last ledger position recorded at or before ``moment`` (knownAt)."""
    # Recording times rise with positions, so the latest event recorded by then has the highest.
    value = await db.fetchval(
        f"SELECT position FROM {quoted(schema)}.events WHERE recorded_at <= $1 "
        "ORDER BY recorded_at DESC, position DESC LIMIT 1",
        moment,
    )
    return int(value or 0)


async def cadres(db: Executor, schema: str) -> list[CadreInfo]:
    rows = await db.fetch(f"SELECT code, name, isco08, grp, qualified FROM {quoted(schema)}.cadres ORDER BY code")
    return [CadreInfo(r["code"], r["name"], r["isco08"], r["grp"], r["qualified"]) for r in rows]
