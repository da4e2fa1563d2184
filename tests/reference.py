"""A from-scratch reference computation of the planner and auditor figures (DESIGN, "Definitions").

It reads events in the public log format (DESIGN, "Log export format") and recomputes every figure by
replaying the whole history for each question. It is deliberately slow and plain: property-based tests
compare the real projections against it. It imports nothing from the project.
"""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

AGGREGATES = ("OrgUnit", "Cadre", "Worker")

# Worker events without an effective date.
UNDATED = ("DetailsCorrected", "EventRetracted")

KINDS = {
    "Hired": "HIRED",
    "Posted": "POSTED",
    "Transferred": "TRANSFERRED",
    "TrainingRecorded": "TRAINING_RECORDED",
    "Requalified": "REQUALIFIED",
    "LeaveStarted": "LEAVE_STARTED",
    "LeaveEnded": "LEAVE_ENDED",
    "Departed": "DEPARTED",
    "Rehired": "REHIRED",
    "DetailsCorrected": "DETAILS_CORRECTED",
    "EventRetracted": "RETRACTED",
}

# Completeness: public field name -> identity key (cadre is the cadre in force, handled apart).
COMPLETENESS_FIELDS = {
    "civilServiceNumber": "civil_service_number",
    "birthDate": "birth_date",
    "sex": "sex",
    "cadre": "cadre_code",
    "fundingSource": "funding_source",
}


@dataclass(frozen=True)
class Event:
    """One line of the log, with its dates parsed."""

    position: int
    aggregate: str
    aggregate_id: str
    version: int
    name: str
    recorded_at: datetime
    data: Mapping[str, Any]

    @property
    def effective_on(self) -> date | None:
        """The event's effective date; None for DetailsCorrected, EventRetracted and non-worker undated events."""
        if self.name == "TrainingRecorded":
            return date.fromisoformat(self.data["started_on"])
        value = self.data.get("effective_on")
        return None if value is None else date.fromisoformat(value)

    @property
    def timeline_key(self) -> tuple[date, int]:
        day = self.effective_on
        assert day is not None, self
        return (day, self.position)


@dataclass
class WorkerState:
    """A worker's situation after replaying part of their timeline."""

    hired: bool = False
    facility: str | None = None
    on_leave: bool = False
    cadre_code: str | None = None


def parse(line: Mapping[str, Any]) -> Event:
    return Event(
        position=int(line["position"]),
        aggregate=line["aggregate"],
        aggregate_id=str(line["aggregate_id"]),
        version=int(line["version"]),
        name=line["event"],
        recorded_at=datetime.fromisoformat(line["recorded_at"]),
        data=line.get("data") or {},
    )


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def periods(start: date, end: date, interval: str) -> list[tuple[str, date, date]]:
    """(label, first day, last day) of every period whose last day lies in [start, end], in order."""
    candidates: list[tuple[str, date, date]] = []
    for year in range(start.year, end.year + 1):
        if interval == "YEAR":
            candidates.append((str(year), date(year, 1, 1), date(year, 12, 31)))
        elif interval == "QUARTER":
            for quarter in range(1, 5):
                first_month = 3 * quarter - 2
                candidates.append((f"{year}Q{quarter}", date(year, first_month, 1), month_end(year, first_month + 2)))
        elif interval == "MONTH":
            for month in range(1, 13):
                candidates.append((f"{year}{month:02d}", date(year, month, 1), month_end(year, month)))
        else:
            raise ValueError(f"unknown interval {interval!r}")
    return [p for p in candidates if start <= p[2] <= end]


def density(active: int, population: int | None) -> float | None:
    if not population:
        return None
    return active / population * 10000


class View:
    """The ledger as known at one moment: only events recorded at or before it, retractions applied."""

    def __init__(self, events: list[Event], known_at: datetime | None) -> None:
        self.events = [e for e in events if known_at is None or e.recorded_at <= known_at]
        retracted = {
            (e.aggregate_id, e.data["retracted_version"])
            for e in self.events
            if e.aggregate == "Worker" and e.name == "EventRetracted"
        }
        # Events in force: every known event that no known retraction names.
        self.in_force = [e for e in self.events if (e.aggregate_id, e.version) not in retracted]
        self.unit_codes = {
            e.aggregate_id: e.data["code"] for e in self.events if e.aggregate == "OrgUnit" and e.name == "Opened"
        }
        self.cadres = {e.data["code"]: e.data for e in self.events if e.aggregate == "Cadre" and e.name == "Defined"}
        # Plain groupings, in ledger order, so that each question does not rescan the whole log.
        self.unit_log: dict[str, list[Event]] = defaultdict(list)
        self.worker_log: dict[str, list[Event]] = defaultdict(list)
        self.worker_in_force: dict[str, list[Event]] = defaultdict(list)
        for e in self.events:
            if e.aggregate == "OrgUnit" and e.aggregate_id in self.unit_codes:
                self.unit_log[self.unit_codes[e.aggregate_id]].append(e)
            elif e.aggregate == "Worker":
                self.worker_log[e.aggregate_id].append(e)
        for e in self.in_force:
            if e.aggregate == "Worker":
                self.worker_in_force[e.aggregate_id].append(e)

    # The org tree.

    def unit_events(self, code: str, name: str) -> list[Event]:
        """The events called ``name`` of the org unit ``code``, in ledger order."""
        return [e for e in self.unit_log.get(code, []) if e.name == name]

    def opened(self, code: str) -> Event | None:
        found = self.unit_events(code, "Opened")
        return found[0] if found else None

    def parent_on(self, code: str, day: date) -> str | None:
        """The unit's parent on ``day``: Opened's parent from its date, then each move from its date."""
        opened = self.opened(code)
        if opened is None or opened.timeline_key[0] > day:
            return None
        parent: str | None = opened.data["parent_code"]
        moves = sorted(self.unit_events(code, "Moved"), key=lambda e: e.timeline_key)
        for move in moves:
            if move.timeline_key[0] <= day:
                parent = move.data["new_parent_code"]
        return parent

    def is_open_on(self, code: str, day: date) -> bool:
        opened = self.opened(code)
        if opened is None or opened.timeline_key[0] > day:
            return False
        return not any(e.timeline_key[0] <= day for e in self.unit_events(code, "Closed"))

    def belongs(self, facility: str | None, area: str, day: date) -> bool:
        """Whether ``area`` is ``facility`` or one of its ancestors on ``day``."""
        seen: set[str] = set()
        unit = facility
        while unit is not None and unit not in seen:
            if unit == area:
                return True
            seen.add(unit)
            unit = self.parent_on(unit, day)
        return False

    def children(self, code: str, day: date) -> list[str]:
        """Units open on ``day`` whose parent on ``day`` is ``code``, sorted by code."""
        return sorted(
            c for c in set(self.unit_codes.values()) if self.is_open_on(c, day) and self.parent_on(c, day) == code
        )

    def population(self, code: str, year: int, seen: frozenset[str] = frozenset()) -> int | None:
        estimates = [e for e in self.unit_events(code, "PopulationEstimated") if e.data["year"] == year]
        if estimates:
            return int(max(estimates, key=lambda e: e.position).data["population"])
        if code in seen:
            return None
        children = self.children(code, date(year, 12, 31))
        if not children:
            return None
        figures = [self.population(child, year, seen | {code}) for child in children]
        if any(f is None for f in figures):
            return None
        return sum(f for f in figures if f is not None)

    # Workers.

    def worker_ids(self) -> list[str]:
        return sorted(w for w, events in self.worker_log.items() if any(e.name == "Hired" for e in events))

    def timeline(self, worker_id: str) -> list[Event]:
        """The worker's events in force that have an effective date, by (effective date, position)."""
        dated = [e for e in self.worker_in_force.get(worker_id, []) if e.name not in UNDATED]
        return sorted(dated, key=lambda e: e.timeline_key)

    def identity(self, worker_id: str) -> dict[str, Any]:
        """Hired's identity fields with every known correction applied in ledger order."""
        found: dict[str, Any] = {}
        for e in self.worker_log.get(worker_id, []):
            if e.name in ("Hired", "DetailsCorrected"):
                found.update(e.data)
        return found

    def replay(self, worker_id: str, events: Iterable[Event]) -> WorkerState:
        state = WorkerState(cadre_code=self.identity(worker_id).get("cadre_code"))
        for e in events:
            if e.name in ("Hired", "Rehired"):
                state.hired, state.facility, state.on_leave = True, None, False
            elif e.name == "Posted":
                state.facility = e.data["facility_code"]
            elif e.name == "Transferred":
                state.facility = e.data["to_facility_code"]
            elif e.name == "LeaveStarted":
                state.on_leave = True
            elif e.name == "LeaveEnded":
                state.on_leave = False
            elif e.name == "Departed":
                state.hired, state.facility, state.on_leave = False, None, False
            elif e.name == "Requalified":
                state.cadre_code = e.data["cadre_code"]
        return state

    def state_on(self, worker_id: str, day: date) -> WorkerState:
        """The worker's state on ``day``: every timeline event effective on or before it applied."""
        return self.replay(worker_id, [e for e in self.timeline(worker_id) if e.timeline_key[0] <= day])

    def state_before(self, event: Event) -> WorkerState:
        """The worker's state just before ``event`` on their timeline."""
        earlier = [e for e in self.timeline(event.aggregate_id) if e.timeline_key < event.timeline_key]
        return self.replay(event.aggregate_id, earlier)

    def in_post(self, worker_id: str, area: str, day: date) -> bool:
        state = self.state_on(worker_id, day)
        return state.hired and state.facility is not None and self.belongs(state.facility, area, day)

    def staffing(self, code: str, day: date, with_children: bool = True) -> dict[str, Any]:
        headcount = on_leave = qualified = 0
        groups: Counter[str | None] = Counter()
        sexes: Counter[str | None] = Counter()
        sectors: Counter[str | None] = Counter()
        funding: Counter[str | None] = Counter()
        for worker_id in self.worker_ids():
            if not self.in_post(worker_id, code, day):
                continue
            headcount += 1
            state = self.state_on(worker_id, day)
            if state.on_leave:
                on_leave += 1
                continue
            cadre = self.cadres.get(state.cadre_code or "", {})
            identity = self.identity(worker_id)
            if cadre.get("qualified"):
                qualified += 1
            groups[cadre.get("group")] += 1
            sexes[identity.get("sex")] += 1
            sectors[identity.get("sector")] += 1
            funding[identity.get("funding_source")] += 1
        active = headcount - on_leave
        population = self.population(code, day.year)
        return {
            "headcount": headcount,
            "onLeave": on_leave,
            "active": active,
            "qualifiedActive": qualified,
            "population": population,
            "density": density(active, population),
            "qualifiedDensity": density(qualified, population),
            "byCadreGroup": {k: n for k, n in groups.items() if n},
            "bySex": {k: n for k, n in sexes.items() if n},
            "bySector": {k: n for k, n in sectors.items() if n},
            "byFundingSource": {k: n for k, n in funding.items() if n},
            "children": (
                {child: self.staffing(child, day, with_children=False) for child in self.children(code, day)}
                if with_children
                else {}
            ),
        }

    def posts(self, day: date) -> dict[tuple[str, str], int]:
        """posts(F, C, day) for every (facility, cadre) pair with posts set: the latest EstablishmentSet
        effective on or before ``day`` (latest by effective date, then by position)."""
        found: dict[tuple[str, str], tuple[tuple[date, int], int]] = {}
        for facility, events in self.unit_log.items():
            for e in events:
                if e.name != "EstablishmentSet" or e.timeline_key[0] > day:
                    continue
                pair = (facility, e.data["cadre_code"])
                if pair not in found or found[pair][0] < e.timeline_key:
                    found[pair] = (e.timeline_key, int(e.data["posts"]))
        return {pair: posts for pair, (_, posts) in found.items()}

    def establishment(self, code: str, day: date, with_children: bool = True) -> dict[str, Any]:
        """Establishment(U, D): posts, filled, vacant and surplus summed over the (F, C) pairs in U."""
        filled: Counter[tuple[str, str]] = Counter()
        for worker_id in self.worker_ids():
            state = self.state_on(worker_id, day)
            if state.hired and state.facility is not None and state.cadre_code is not None:
                filled[(state.facility, state.cadre_code)] += 1
        totals = {"posts": 0, "filled": 0, "vacant": 0, "surplus": 0}
        groups: dict[str, dict[str, int]] = {}
        for (facility, cadre), posts in self.posts(day).items():
            if not self.belongs(facility, code, day):
                continue
            n = filled[(facility, cadre)]
            pair = {"posts": posts, "filled": n, "vacant": max(posts - n, 0), "surplus": max(n - posts, 0)}
            group = groups.setdefault(self.cadres.get(cadre, {}).get("group"), dict.fromkeys(totals, 0))
            for key, value in pair.items():
                totals[key] += value
                group[key] += value
        return {
            **totals,
            "vacancyRate": totals["vacant"] / totals["posts"] if totals["posts"] else None,
            "byCadreGroup": groups,
            "children": (
                {child: self.establishment(child, day, with_children=False) for child in self.children(code, day)}
                if with_children
                else {}
            ),
        }

    def flows(self, code: str, first: date, last: date) -> tuple[int, int]:
        """(entries, exits) of the area ``code`` effective within [first, last]."""
        entries = exits = 0
        for worker_id in self.worker_ids():
            for e in self.timeline(worker_id):
                day = e.timeline_key[0]
                if not first <= day <= last:
                    continue
                origin = self.state_before(e).facility
                origin_in = origin is not None and self.belongs(origin, code, day)
                if e.name == "Posted":
                    entries += int(self.belongs(e.data["facility_code"], code, day))
                elif e.name == "Transferred":
                    destination_in = self.belongs(e.data["to_facility_code"], code, day)
                    entries += int(destination_in and not origin_in)
                    exits += int(origin_in and not destination_in)
                elif e.name == "Departed":
                    exits += int(origin_in)
        return entries, exits


class Reference:
    """Reference figures recomputed from scratch from a list of events in the public log format."""

    def __init__(self, events: Iterable[Mapping[str, Any]]) -> None:
        parsed = [parse(line) for line in events if line["aggregate"] in AGGREGATES]
        self.events = sorted(parsed, key=lambda e: e.position)

    def view(self, known_at: datetime | None = None) -> View:
        """The ledger as known at ``known_at`` (None: everything)."""
        return View(self.events, known_at)

    def staffing(self, code: str, as_of: date, known_at: datetime | None = None) -> dict[str, Any]:
        """Staffing(U, D) with its breakdowns and one level of children (their own ``children`` empty)."""
        return self.view(known_at).staffing(code, as_of)

    def population(self, code: str, year: int, known_at: datetime | None = None) -> int | None:
        """Population(U, Y): the latest estimate, else the sum of the children's when all have one."""
        return self.view(known_at).population(code, year)

    def density_series(
        self, code: str, start: date, end: date, interval: str, known_at: datetime | None = None
    ) -> list[dict[str, Any]]:
        """One point per period whose end date lies in [start, end]: stock at the end, flows within."""
        view = self.view(known_at)
        points = []
        for label, first, last in periods(start, end, interval):
            stock = view.staffing(code, last, with_children=False)
            entries, exits = view.flows(code, first, last)
            points.append(
                {
                    "period": label,
                    "endOn": last,
                    "active": stock["active"],
                    "qualifiedActive": stock["qualifiedActive"],
                    "population": stock["population"],
                    "density": stock["density"],
                    "qualifiedDensity": stock["qualifiedDensity"],
                    "entries": entries,
                    "exits": exits,
                }
            )
        return points

    def establishment(self, code: str, as_of: date, known_at: datetime | None = None) -> dict[str, Any]:
        """Establishment(U, D) (DESIGN, Definitions), with one level of children (their own ``children`` empty)."""
        return self.view(known_at).establishment(code, as_of)

    def workers_in_post(self, code: str, as_of: date, known_at: datetime | None = None) -> set[str]:
        """Ids of the workers in post in ``code`` (a facility or an area) on ``as_of``, on leave or not."""
        view = self.view(known_at)
        return {w for w in view.worker_ids() if view.in_post(w, code, as_of)}

    def history(self, worker_id: str) -> list[dict[str, Any]]:
        """Every event of the worker (current knowledge), by (effective date, position), as auditors see it."""
        view = self.view()
        mine = [e for e in self.events if e.aggregate == "Worker" and e.aggregate_id == worker_id]
        retractions = [e for e in mine if e.name == "EventRetracted"]
        rows = []
        for e in mine:
            effective_on = e.effective_on if e.name not in UNDATED else e.recorded_at.astimezone(UTC).date()
            retracted = any(r.data["retracted_version"] == e.version for r in retractions)
            origin: str | None = None
            destination: str | None = None
            if retracted:
                if e.name == "Transferred":
                    origin, destination = e.data["from_facility_code"], e.data["to_facility_code"]
                elif e.name == "Posted":
                    destination = e.data["facility_code"]
            elif e.name == "Posted":
                destination = e.data["facility_code"]
            elif e.name == "Transferred":
                origin, destination = view.state_before(e).facility, e.data["to_facility_code"]
            elif e.name == "Departed":
                origin = view.state_before(e).facility
            rows.append(
                {
                    "position": e.position,
                    "kind": KINDS[e.name],
                    "effectiveOn": effective_on,
                    "fromFacility": origin,
                    "toFacility": destination,
                    "retracted": retracted,
                    "backdated": self._backdated(e, mine),
                }
            )
        return sorted(rows, key=lambda row: (row["effectiveOn"], row["position"]))

    @staticmethod
    def _backdated(event: Event, mine: list[Event]) -> bool:
        """Whether, when ``event`` was recorded, a dated event of the worker in force then had a later date."""
        if event.name in UNDATED:
            return False
        before = [e for e in mine if e.position < event.position]
        retracted_then = {e.data["retracted_version"] for e in before if e.name == "EventRetracted"}
        return any(
            e.name not in UNDATED and e.version not in retracted_then and e.timeline_key[0] > event.timeline_key[0]
            for e in before
        )

    def completeness(self, code: str, today: date, known_at: datetime | None = None) -> dict[str, Any]:
        """Among the workers in post in ``code`` on ``today``, those with every completeness field filled."""
        view = self.view(known_at)
        workers = [w for w in view.worker_ids() if view.in_post(w, code, today)]
        missing: Counter[str] = Counter()
        complete = 0
        for worker_id in workers:
            values = dict(view.identity(worker_id))
            values["cadre_code"] = view.state_on(worker_id, today).cadre_code
            absent = [name for name, key in COMPLETENESS_FIELDS.items() if values.get(key) is None]
            missing.update(absent)
            complete += int(not absent)
        return {
            "workers": len(workers),
            "complete": complete,
            "rate": complete / len(workers) if workers else 0.0,
            "missing": {k: n for k, n in missing.items() if n},
        }
