"""A health worker's career in the demo: what the simulation knows of a worker, and the events
that change it (transfers, trainings, leaves and requalifications, departures, rehires).

A worker's events are recorded in effective order, except a few that are entered late: a
transfer or training recorded months later, after a later event of the same worker, as the
DESIGN's "backdated" events. Until such a record arrives, nothing is planned that would be
invalid without it: no transfer goes back to the facility a late transfer left.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from domain.commands import (
    Command,
    EndLeave,
    PostWorker,
    RecordDeparture,
    RecordTraining,
    RehireWorker,
    RequalifyWorker,
    StartLeave,
    TransferWorker,
)
from domain.values import DepartureReason, FundingSource, LeaveKind, Sector, Sex
from replay import demo_data as data
from replay.demo_career_rates import (
    ATTRACTION,
    DEFERRED,
    LEAVE_DAYS,
    REHIRE_RATE,
    SECTOR_KINDS,
    STUDY_DAYS,
    TRANSFER_REASONS,
)
from replay.demo_clerk import LAST_DAY, Clerk, Decisions, Planned, ministry
from replay.demo_org import Facility, OrgTree
from replay.demo_population import regions_in


@dataclass(slots=True, eq=False)
class Last:
    """A worker's latest planned event, which may still be entered late.

    Attributes:
        planned: the planned command.
        effective_on: its effective date.
        kind: "transfer", "training", "posting"...
        origin: the facility a transfer left.
    """

    planned: Planned
    effective_on: date
    kind: str
    origin: str | None = None


@dataclass(slots=True, eq=False)
class Career:
    """A worker as the simulation knows them; the ledger may know less (e.g. no birth date).

    Attributes:
        facility: where the worker is in post; None once departed.
        region: the region of the worker's latest facility, where a rehire looks for a post.
        last_recorded: when the worker's latest event in effective order is recorded; the next
            one is recorded after it.
        leave_since: the start of the leave the worker is on, if any.
        leave_until: when that leave ends (None: not before the end of 2025).
        requalify_to: the cadre the worker comes back from study leave in.
        rehire_on: when a departed worker is rehired, if ever.
        pending_until: when a record entered late arrives; until then, ``pending_origin`` (the
            facility a late transfer left) must not be a transfer's destination.
    """

    worker_id: UUID
    sex: Sex
    birth: date
    cadre: str
    sector: Sector
    funding: FundingSource
    retire_on: date
    facility: Facility | None
    region: str
    last_recorded: datetime
    last: Last | None = None
    employed: bool = True
    leave_since: date | None = None
    leave_until: date | None = None
    requalify_to: str | None = None
    rehire_on: date | None = None
    pending_until: datetime | None = None
    pending_origin: str | None = None

    @property
    def qualified(self) -> bool:
        return data.CADRE_BY_CODE[self.cadre].qualified

    def can_work_at(self, facility: Facility) -> bool:
        return facility.kind in data.CADRE_BY_CODE[self.cadre].kinds and facility.kind in SECTOR_KINDS[self.sector]


class CareerEvents:
    """Plans the events of careers with the clerk, keeping each worker's timeline valid."""

    def __init__(self, tree: OrgTree, clerk: Clerk, decisions: Decisions, rng: random.Random) -> None:
        self.tree, self.clerk, self.decisions, self.rng = tree, clerk, decisions, rng

    def _emit(
        self,
        career: Career,
        day: date,
        command: Command,
        recorded_at: datetime,
        kind: str,
        *,
        origin: str | None = None,
        user: str | None = None,
    ) -> None:
        """Plans a worker's command, recorded by the HR staff of the worker's facility unless ``user``
        is given; may let the worker's previous transfer or training be entered late."""
        assert career.facility is not None
        planned = self.clerk.plan(recorded_at, command, user or self.tree.user(career.facility, day))
        self._defer_previous(career, day, planned, command)
        career.last_recorded = recorded_at
        career.last = Last(planned, day, kind, origin)

    def _defer_previous(self, career: Career, day: date, planned: Planned, command: Command) -> None:
        """Enters the worker's previous transfer or training late, after ``planned`` (a later event),
        when the ledger can do without it until then."""
        last = career.last
        if last is None or last.planned.released or last.effective_on >= day or last.kind not in DEFERRED:
            return
        if career.pending_until is not None and career.pending_until > planned.recorded_at:
            return
        if isinstance(command, TransferWorker) and command.to_facility_code == last.origin:
            return
        if self.rng.random() >= DEFERRED[last.kind]:
            return
        late = planned.recorded_at.date() + timedelta(days=self.rng.randint(20, 150))
        recorded_at = self.clerk.recorded(late, after=planned.recorded_at, max_delay=0)
        if recorded_at > planned.recorded_at:
            last.planned.recorded_at = recorded_at
            career.pending_until, career.pending_origin = recorded_at, last.origin

    def transfer(self, career: Career, day: date) -> None:
        """Transfers the worker, mostly within the district or region; not when no post is found."""
        here = career.facility
        assert here is not None
        recorded_at = self.clerk.recorded(day, after=career.last_recorded)
        pending = career.pending_until is not None and career.pending_until > recorded_at
        destination = self._destination(career, day, {here.code, career.pending_origin if pending else None})
        if destination is None:
            return
        national = destination.region_on(day) != here.region_on(day)
        authority: str | None = None
        if national:
            authority = self.decisions.decision(day.year, ministry(day.year))
        elif destination.district is not here.district:
            authority = self.decisions.decision(day.year, f"DRS-{here.region_on(day)}")
        reason = "Fin de séjour en zone difficile" if here.hard_to_reach else self.rng.choice(TRANSFER_REASONS)
        command = TransferWorker(
            worker_id=career.worker_id,
            to_facility_code=destination.code,
            effective_on=day,
            reason=reason,
            authority=authority,
        )
        career.facility = destination
        user = data.NATIONAL_USER if national else None
        self._emit(career, day, command, recorded_at, "transfer", origin=here.code, user=user)

    def _destination(self, career: Career, day: date, avoid: set[str | None]) -> Facility | None:
        """A facility the worker can work at, other than those in ``avoid``; seldom a hard-to-reach
        one for a worker leaving one. Other regions draw transfers by size and attraction."""
        here = career.facility
        assert here is not None
        region, draw = here.region_on(day), self.rng.random()
        key = here.district.code if here.district and (draw < 0.35 or career.sector is Sector.COMMUNITY) else region
        if draw > 0.8 and career.sector in (Sector.PUBLIC, Sector.PARAPUBLIC):
            others = [r for r in regions_in(day.year) if r != region]
            sizes = [ATTRACTION.get(r, 0.4) * self.tree.pool(r, day.year).total for r in others]
            key = self.rng.choices(others, weights=sizes)[0]
        pool = self.tree.pool(key, day.year)
        for _ in range(15):
            found = pool.draw(self.rng)
            if found is None:
                return None
            if found.code in avoid or not career.can_work_at(found):
                continue
            if here.hard_to_reach and found.hard_to_reach and self.rng.random() < 0.8:
                continue
            return found
        return None

    def train(self, career: Career, day: date) -> None:
        """Records a course of a few days, once its certificate is in."""
        course, kind, provider, _, _ = self.rng.choice([t for t in data.TRAININGS if t[3] <= day.year <= t[4]])
        ended_on = day + timedelta(days=self.rng.randint(3, 14))
        command = RecordTraining(
            worker_id=career.worker_id,
            course=course,
            kind=kind,
            provider=provider,
            started_on=day,
            ended_on=ended_on,
            outcome=self.rng.choice(data.TRAINING_OUTCOMES),
        )
        self._emit(career, day, command, self.clerk.recorded(ended_on, after=career.last_recorded), "training")

    def start_leave(self, career: Career, day: date, kind: LeaveKind) -> tuple[date, int, str] | None:
        """Starts a leave (studies may lead to a new cadre); returns its end when within the year."""
        if career.leave_since is not None:
            return None
        target = data.REQUALIFICATIONS.get(career.cadre) if kind is LeaveKind.STUDY else None
        assert career.facility is not None
        if target == "MED-SPE" and career.facility.kind == "CSCOM":
            target = None
        if target is not None and self.rng.random() < 0.75:
            length, career.requalify_to = STUDY_DAYS[career.cadre], target
        elif kind is LeaveKind.MATERNITY:
            length = 98
        else:
            length = self.rng.randint(*LEAVE_DAYS[kind])
        end = day + timedelta(days=length)
        career.leave_since, career.leave_until = day, (end if end <= LAST_DAY else None)
        authority = self.decisions.decision(day.year, ministry(day.year)) if kind is LeaveKind.STUDY else None
        command = StartLeave(worker_id=career.worker_id, kind=kind, effective_on=day, authority=authority)
        self._emit(career, day, command, self.clerk.recorded(day, after=career.last_recorded), "leave")
        return (end, 0, "leave end") if end.year == day.year else None

    def end_leave(self, career: Career, day: date) -> None:
        """Ends the worker's leave on ``day``, requalified when they come back from their studies."""
        if career.leave_since is None or career.leave_until != day:
            return
        command: Command = EndLeave(worker_id=career.worker_id, effective_on=day)
        self._emit(career, day, command, self.clerk.recorded(day, after=career.last_recorded), "leave end")
        career.leave_since = career.leave_until = None
        if career.requalify_to is not None:
            authority = self.decisions.arrete(day.year, "MTFP-SG")
            command = RequalifyWorker(
                worker_id=career.worker_id, cadre_code=career.requalify_to, effective_on=day, authority=authority
            )
            self._emit(career, day, command, self.clerk.recorded(day, after=career.last_recorded), "requalification")
            career.cadre, career.requalify_to = career.requalify_to, None

    def depart(self, career: Career, day: date, reason: DepartureReason) -> None:
        """Records a departure (a retirement is recorded ahead); some who leave come back later."""
        here = career.facility
        assert here is not None
        authority: str | None = None
        if reason is DepartureReason.RETIREMENT:
            recorded_at = self.clerk.ahead(day, after=career.last_recorded)
            if career.sector in (Sector.PUBLIC, Sector.PARAPUBLIC):
                authority = self.decisions.arrete(day.year, "MTFP-SG")
        else:
            recorded_at = self.clerk.recorded(day, after=career.last_recorded)
            if reason is DepartureReason.DISMISSAL:
                authority = self.decisions.decision(day.year, ministry(day.year))
        command = RecordDeparture(worker_id=career.worker_id, reason=reason, effective_on=day, authority=authority)
        self._emit(career, day, command, recorded_at, "departure")
        career.employed, career.region, career.facility = False, here.region_on(day), None
        career.leave_since = career.leave_until = career.requalify_to = None
        if self.rng.random() < REHIRE_RATE.get(reason, 0.0):
            rehire_on = max(day + timedelta(days=self.rng.randint(180, 1400)), date(day.year + 1, 1, 2))
            if rehire_on < career.retire_on and rehire_on <= LAST_DAY:
                career.rehire_on = rehire_on

    def rehire(self, career: Career) -> None:
        """Rehires a departed worker in their former region, and posts them the same day."""
        day, career.rehire_on = career.rehire_on, None
        assert day is not None
        pool = self.tree.pool(career.region, day.year)
        found = next((f for f in (pool.draw(self.rng) for _ in range(20)) if f and career.can_work_at(f)), None)
        if found is None:
            return
        career.employed, career.facility = True, found
        authority = self.decisions.decision(day.year, ministry(day.year)) if found.sector is Sector.PUBLIC else None
        rehire = RehireWorker(worker_id=career.worker_id, effective_on=day, authority=authority)
        self._emit(career, day, rehire, self.clerk.recorded(day, after=career.last_recorded), "rehire")
        posting = PostWorker(
            worker_id=career.worker_id, facility_code=found.code, effective_on=day, authority=authority
        )
        self._emit(career, day, posting, self.clerk.recorded(day, after=career.last_recorded, max_delay=0), "posting")
