"""Workers and their mobility histories: who is where, and how they got there."""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson

from projections.naming import quoted
from projections.org_units import Executor, tree_at


@dataclass(frozen=True, slots=True)
class WorkerRecord:
    id: UUID
    civil_service_number: str | None
    family_name: str
    given_names: str
    sex: str
    birth_date: date | None
    sector: str
    funding_source: str
    country_of_birth: str | None
    qualification_country: str | None
    cadre_code: str
    status: str
    facility_code: str | None


@dataclass(frozen=True, slots=True)
class MovementRecord:
    position: int
    worker_id: UUID
    kind: str
    effective_on: date
    recorded_at: datetime
    recorded_by: str
    authority: str | None
    note: str | None
    from_code: str | None
    to_code: str | None
    reason: str | None
    retracted: bool
    backdated: bool
    retracted_position: int | None = None  # a retraction's: the position of the event it retracted
    leave_kind: str | None = None  # a leave's start: its kind (STUDY, MATERNITY, ...)
    course: str | None = None  # a training's: its course


@dataclass(frozen=True, slots=True)
class TrainingRecord:
    position: int
    course: str
    kind: str | None
    provider: str | None
    started_on: date
    ended_on: date | None
    outcome: str | None


# The workers table's identity columns (not its search keys, ``projections.search``).
WORKER_COLUMNS = (
    "w.id, w.civil_service_number, w.family_name, w.given_names, w.sex, w.birth_date, w.sector, w.funding_source, "
    "w.country_of_birth, w.qualification_country"
)
WORKER_QUERY = """
SELECT {columns}, p.status, p.facility, p.cadre, first.cadre AS first_cadre FROM {s}.workers w
LEFT JOIN LATERAL (
    SELECT status, facility, cadre FROM {s}.worker_periods q
    WHERE q.worker_id = w.id AND q.known_to IS NULL AND q.valid_from <= $2 ORDER BY q.valid_from DESC LIMIT 1
) p ON true
LEFT JOIN LATERAL (
    SELECT cadre FROM {s}.worker_periods q WHERE q.worker_id = w.id AND q.known_to IS NULL
    ORDER BY q.valid_from LIMIT 1
) first ON true
"""


def _worker(r: Any) -> WorkerRecord:
    return WorkerRecord(
        id=r["id"],
        civil_service_number=r["civil_service_number"],
        family_name=r["family_name"],
        given_names=r["given_names"],
        sex=r["sex"],
        birth_date=r["birth_date"],
        sector=r["sector"],
        funding_source=r["funding_source"],
        country_of_birth=r["country_of_birth"],
        qualification_country=r["qualification_country"],
        cadre_code=r["cadre"] or r["first_cadre"] or "",
        status=r["status"] or "HIRED",
        facility_code=r["facility"] if r["status"] in ("POSTED", "ON_LEAVE") else None,
    )


async def workers_by_id(db: Executor, schema: str, ids: list[UUID], as_of: date) -> dict[UUID, WorkerRecord]:
    """Workers with their status, cadre and facility on ``as_of`` (before the hire: HIRED)."""
    s = quoted(schema)
    rows = await db.fetch(
        WORKER_QUERY.format(s=s, columns=WORKER_COLUMNS) + " WHERE w.id = ANY($1::uuid[])", ids, as_of
    )
    return {r["id"]: _worker(r) for r in rows}


@dataclass(frozen=True, slots=True)
class Roster:
    """Which workers a roster lists: those in post (in one of ``facilities``, when given) on ``as_of``, as
    known at ledger ``position`` (None: now), with ``status`` and in ``cadre_group`` when given."""

    schema: str
    as_of: date
    facilities: list[str] | None
    status: str | None
    cadre_group: str | None
    position: int | None

    def where(self, param: int) -> str:
        """The rows' condition, the position (when known at one) being the ``param``-th argument."""
        known_then = f"q.known_from <= ${param} AND (q.known_to IS NULL OR q.known_to > ${param})"
        return (
            f"{'q.known_to IS NULL' if self.position is None else known_then} "
            "AND q.valid_from <= $1 AND (q.valid_to IS NULL OR q.valid_to > $1) "
            "AND ($2::text[] IS NULL OR q.facility = ANY($2::text[])) AND ($3::text IS NULL OR q.status = $3) "
            f"AND ($4::text IS NULL OR q.cadre IN (SELECT code FROM {quoted(self.schema)}.cadres WHERE grp = $4))"
        )

    def args(self) -> tuple[Any, ...]:
        return (self.as_of, self.facilities, self.status, self.cadre_group)

    def known(self) -> tuple[int, ...]:
        return () if self.position is None else (self.position,)


async def roster(
    db: Executor,
    schema: str,
    *,
    as_of: date,
    org_unit_code: str | None = None,
    status: str | None = None,
    cadre_group: str | None = None,
    position: int | None = None,
) -> Roster:
    """The roster of ``org_unit_code`` (following the tree as known at ``position``), or of everyone."""
    facilities: list[str] | None = None
    if org_unit_code is not None:
        tree = await tree_at(db, schema, as_of, position)
        facilities = [code for code in tree.parents if org_unit_code in tree.chain(code)]
    return Roster(schema, as_of, facilities, status, cadre_group, position)


async def workers(
    db: Executor, listed: Roster, *, first: int = 50, after: UUID | None = None
) -> tuple[list[WorkerRecord], bool]:
    """A page of ``listed``'s workers by id after ``after`` (read from the workers' index: its cost follows the
    page), with their state on its day as known at its position, and whether more follow. Their identity is as
    known now."""
    s = quoted(listed.schema)
    rows = await db.fetch(
        f"SELECT {WORKER_COLUMNS}, q.status, q.facility, q.cadre, NULL AS first_cadre FROM {s}.worker_periods q "
        f"JOIN {s}.workers w ON w.id = q.worker_id WHERE {listed.where(7)} AND ($5::uuid IS NULL OR q.worker_id > $5) "
        "ORDER BY q.worker_id LIMIT $6",
        *listed.args(),
        after,
        first + 1,
        *listed.known(),
    )
    return [_worker(r) for r in rows[:first]], len(rows) > first


async def workers_count(db: Executor, listed: Roster) -> int:
    """How many workers ``listed`` holds (a count over the whole roster: asked only when wanted)."""
    query = f"SELECT count(*) FROM {quoted(listed.schema)}.worker_periods q WHERE {listed.where(5)}"
    return int(await db.fetchval(query, *listed.args(), *listed.known()))


MOVEMENT_COLUMNS = (
    "position, aggregate_id, kind, effective_on, recorded_at, recorded_by, authority, note, from_code, to_code, "
    "reason, retracted, backdated, "
    "CASE WHEN kind = 'LEAVE_STARTED' THEN data->>'kind' END AS leave_kind, "
    "CASE WHEN kind = 'TRAINING_RECORDED' THEN data->>'course' END AS course"
)


def _movement(r: Any, retracted_position: int | None = None) -> MovementRecord:
    return MovementRecord(
        position=r["position"],
        worker_id=r["aggregate_id"],
        kind=r["kind"],
        effective_on=r["effective_on"],
        recorded_at=r["recorded_at"],
        recorded_by=r["recorded_by"] or "",
        authority=r["authority"],
        note=r["note"],
        from_code=r["from_code"],
        to_code=r["to_code"],
        reason=r["reason"],
        retracted=r["retracted"],
        backdated=r["backdated"],
        retracted_position=retracted_position,
        leave_kind=r["leave_kind"],
        course=r["course"],
    )


def as_known_at(history: list[MovementRecord], known_at: datetime) -> list[MovementRecord]:
    """A history as the ledger knew it at ``known_at``: the events recorded by then, each retracted only
    when its retraction too was recorded by then."""
    known = [m for m in history if m.recorded_at <= known_at]
    retracted = {m.retracted_position for m in known if m.retracted_position is not None}
    return [replace(m, retracted=m.position in retracted) for m in known]


async def histories(db: Executor, schema: str, ids: list[UUID]) -> dict[UUID, list[MovementRecord]]:
    """Each worker's events in effective order, then ledger order, retracted ones included; a
    retraction names the position of the event it retracted (the worker's event of the version
    its ``retracted_version`` gives)."""
    rows = await db.fetch(
        f"SELECT {MOVEMENT_COLUMNS}, version, (data->>'retracted_version')::int AS retracted_version "
        f"FROM {quoted(schema)}.events WHERE aggregate_id = ANY($1::uuid[]) "
        "ORDER BY aggregate_id, effective_on, position",
        ids,
    )
    positions = {(r["aggregate_id"], r["version"]): r["position"] for r in rows}
    out: dict[UUID, list[MovementRecord]] = defaultdict(list)
    for r in rows:
        target = r["retracted_version"]
        retracted = positions.get((r["aggregate_id"], target)) if target is not None else None
        out[r["aggregate_id"]].append(_movement(r, retracted))
    return {worker_id: out.get(worker_id, []) for worker_id in ids}


async def movements(db: Executor, schema: str, code: str, start: date, end: date) -> list[MovementRecord]:
    """Postings, transfers and departures into or out of a unit over [start, end] (as known now)."""
    s = quoted(schema)
    tree = await tree_at(db, schema, end, None)
    inside = [c for c in tree.parents if code in tree.chain(c)]
    rows = await db.fetch(
        f"SELECT {MOVEMENT_COLUMNS} FROM {s}.events WHERE aggregate = 'Worker' AND NOT retracted "
        "AND kind IN ('POSTED', 'TRANSFERRED', 'DEPARTED') AND effective_on BETWEEN $1 AND $2 "
        "AND (from_code = ANY($3::text[]) OR to_code = ANY($3::text[])) ORDER BY effective_on, position",
        start,
        end,
        inside,
    )
    return [_movement(r) for r in rows]


async def trainings(db: Executor, schema: str, ids: list[UUID]) -> dict[UUID, list[TrainingRecord]]:
    rows = await db.fetch(
        f"SELECT aggregate_id, position, data FROM {quoted(schema)}.events WHERE aggregate_id = ANY($1::uuid[]) "
        "AND kind = 'TRAINING_RECORDED' AND NOT retracted ORDER BY aggregate_id, effective_on, position",
        ids,
    )
    out: dict[UUID, list[TrainingRecord]] = defaultdict(list)
    for r in rows:
        d = orjson.loads(r["data"])
        out[r["aggregate_id"]].append(
            TrainingRecord(
                r["position"],
                d["course"],
                d.get("kind"),
                d.get("provider"),
                date.fromisoformat(d["started_on"]),
                date.fromisoformat(d["ended_on"]) if d.get("ended_on") else None,
                d.get("outcome"),
            )
        )
    return {worker_id: out.get(worker_id, []) for worker_id in ids}


@dataclass(frozen=True, slots=True)
class Home:
    """What places a worker in the org tree: ``facility`` as ``Worker.home_facility`` defines it (None
    for a worker never posted), and who recorded the hire."""

    facility: str | None
    hired_by: str


async def homes(db: Executor, schema: str, ids: list[UUID], day: date) -> dict[UUID, Home]:
    """Each worker's home on ``day``: the latest posting or transfer in force effective on or before
    it, or failing that the first one after it (the same rule as the domain's ``Worker.home_facility``)."""
    s = quoted(schema)
    rows = await db.fetch(
        f"SELECT h.aggregate_id, h.recorded_by, p.to_code FROM {s}.events h LEFT JOIN LATERAL ("
        f"  SELECT to_code FROM {s}.events e WHERE e.aggregate_id = h.aggregate_id "
        "   AND e.kind IN ('POSTED', 'TRANSFERRED') AND NOT e.retracted "
        "  ORDER BY e.effective_on <= $2 DESC, "
        "   CASE WHEN e.effective_on <= $2 THEN e.effective_on END DESC, "
        "   CASE WHEN e.effective_on <= $2 THEN e.position END DESC, e.effective_on, e.position LIMIT 1"
        ") p ON true WHERE h.aggregate_id = ANY($1::uuid[]) AND h.kind = 'HIRED'",
        ids,
        day,
    )
    return {r["aggregate_id"]: Home(r["to_code"], r["recorded_by"] or "") for r in rows}
