"""The demo's workforce: health workers' careers, simulated year by year from 2010 to 2025.

Each year, every worker in service may be transferred, trained, go on leave, come back (perhaps
requalified) or depart; departed workers may be rehired. Then the qualified workers in post and
not on leave on 31 December are counted per region, and new workers are recruited so that each
region meets its target (``replay.demo_population.qualified_targets``). The workforce of 2009 is
recruited the same way, with hires from 2005, and captured from the paper files in 2009-2010.
"""

import heapq
import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from domain.values import DepartureReason, FundingSource, LeaveKind, Sector, Sex
from replay import demo_data as data
from replay.bulk import Submission
from replay.demo_careers import Career, CareerEvents
from replay.demo_clerk import Clerk, Decisions
from replay.demo_hiring import Hiring
from replay.demo_org import OrgTree
from replay.demo_population import qualified_targets

FIRST_YEAR, LAST_YEAR = 2010, 2025
TRANSFER_RATE = {Sector.PUBLIC: 0.06, Sector.PARAPUBLIC: 0.03, Sector.COMMUNITY: 0.015, Sector.PRIVATE: 0.03}
HARD_TO_REACH_TRANSFERS = 3.0
"""Workers leave hard-to-reach facilities this many times as often."""
TRAINING_RATE = {Sector.PUBLIC: 0.14, Sector.PARAPUBLIC: 0.1, Sector.COMMUNITY: 0.08, Sector.PRIVATE: 0.03}
STUDY_RATE = {"TS": 0.025, "MAT": 0.02, "MED-GEN": 0.03, "AM": 0.012}
RESIGNATIONS = {Sector.PRIVATE: 0.03, Sector.COMMUNITY: 0.015}
CONTRACTS_ENDING = {FundingSource.PARTNER: 0.03, FundingSource.COMMUNITY: 0.008}


class Workforce:
    """Simulates the careers and plans their commands with the clerk."""

    def __init__(self, tree: OrgTree, clerk: Clerk, decisions: Decisions, rng: random.Random, scale: float) -> None:
        self.tree, self.clerk, self.decisions, self.rng, self.scale = tree, clerk, decisions, rng, scale
        self.hiring = Hiring(tree, clerk, decisions, rng)
        self.events = CareerEvents(tree, clerk, decisions, rng)
        self.careers: list[Career] = []

    def run(self) -> Iterator[Submission]:
        """Simulates 2009-2025. What was recorded before the previous year is released at the start
        of each year: nothing planned later can precede it, and last year's records can still be
        entered late."""
        self._calibrate(2009)
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            yield from self.clerk.release(datetime(year - 1, 1, 1, tzinfo=UTC))
            for career in self.careers:
                if career.employed:
                    self._live(career, year)
                elif career.rehire_on is not None and career.rehire_on.year == year:
                    self.events.rehire(career)
            self._calibrate(year)
        yield from self.clerk.release()

    # Calibration.

    def _calibrate(self, year: int) -> None:
        """Recruits, per region, the qualified workers missing on 31 December of ``year``."""
        last = date(year, 12, 31)
        counts: Counter[str] = Counter()
        for career in self.careers:
            if career.employed and career.facility and career.leave_since is None and career.qualified:
                counts[career.facility.region_on(last)] += 1
        gaps = {region: target - counts[region] for region, target in qualified_targets(year, self.scale).items()}
        excess = sum(-gap for gap in gaps.values() if gap < 0)
        flexible = [r for r in gaps if r not in data.PINNED_DENSITY]
        while excess > 0 and any(gaps[r] > 0 for r in flexible):
            gaps[max(flexible, key=lambda r: gaps[r])] -= 1
            excess -= 1
        for region, gap in gaps.items():
            self.careers.extend(self.hiring.recruit(region, year, max(gap, 0)))

    # A year of a career.

    def _live(self, career: Career, year: int) -> None:
        """Draws what happens to a worker in service during ``year``, and plays it in date order."""
        rng = self.rng
        plans: list[tuple[date, int, str]] = []
        if career.leave_since is not None and career.leave_until is not None and career.leave_until.year == year:
            plans.append((career.leave_until, 0, "leave end"))
        if career.retire_on.year == year:
            plans.append((career.retire_on, 9, DepartureReason.RETIREMENT.name))
        reason = self._departure(career)
        if reason is not None:
            plans.append((self._day(year), 8, reason.name))
        assert career.facility is not None
        rate = TRANSFER_RATE[career.sector] * (HARD_TO_REACH_TRANSFERS if career.facility.hard_to_reach else 1.0)
        if rng.random() < rate:
            plans.append((self._day(year), 2, "transfer"))
        leave = self._leave_kind(career, year)
        if leave is not None:
            plans.append((self._day(year), 3, leave.name))
        if rng.random() < TRAINING_RATE[career.sector]:
            plans.append((self._day(year), 1, "training"))
        heapq.heapify(plans)
        while plans and career.employed:
            day, _, what = heapq.heappop(plans)
            follow_up = self._act(career, day, what)
            if follow_up is not None:
                heapq.heappush(plans, follow_up)

    def _day(self, year: int) -> date:
        """A day of ``year``, at random."""
        return date(year, 1, 1) + timedelta(days=self.rng.randint(0, 364))

    def _act(self, career: Career, day: date, what: str) -> tuple[date, int, str] | None:
        """Plays one drawn event; returns the end of a leave that ends within the year."""
        if what == "leave end":
            self.events.end_leave(career, day)
        elif what == "transfer":
            self.events.transfer(career, day)
        elif what == "training":
            self.events.train(career, day)
        elif what in LeaveKind.__members__:
            return self.events.start_leave(career, day, LeaveKind[what])
        else:
            self.events.depart(career, day, DepartureReason[what])
        return None

    def _departure(self, career: Career) -> DepartureReason | None:
        """Whether the worker leaves this year (besides retiring), and why."""
        hazards = (
            (DepartureReason.RESIGNATION, RESIGNATIONS.get(career.sector, 0.005)),
            (DepartureReason.EMIGRATION, 0.006 if career.cadre.startswith("MED") else 0.002),
            (DepartureReason.DEATH, 0.003),
            (DepartureReason.DISMISSAL, 0.0006),
            (DepartureReason.END_OF_CONTRACT, CONTRACTS_ENDING.get(career.funding, 0.0)),
            (DepartureReason.OTHER, 0.001),
        )
        return next((reason for reason, hazard in hazards if self.rng.random() < hazard), None)

    def _leave_kind(self, career: Career, year: int) -> LeaveKind | None:
        """Whether the worker goes on leave this year, and of what kind."""
        rng = self.rng
        if career.sex is Sex.FEMALE and 20 <= year - career.birth.year <= 44 and rng.random() < 0.08:
            return LeaveKind.MATERNITY
        if rng.random() < STUDY_RATE.get(career.cadre, 0.006):
            return LeaveKind.STUDY
        if rng.random() < 0.012:
            return LeaveKind.SICK
        if career.sector is Sector.PUBLIC and rng.random() < 0.004:
            return LeaveKind.SECONDMENT
        return LeaveKind.OTHER if rng.random() < 0.003 else None
