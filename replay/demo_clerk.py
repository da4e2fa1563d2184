"""The recording side of the demo: when each command is recorded, on what authority, and the
stream of submissions in recording order.

Commands are planned into a batch; a planned recording time may still change (a record entered
late) until the batch is released. Releasing up to a moment yields, in recording order, every
submission recorded before it; the caller promises that nothing planned later is recorded earlier.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from domain.commands import Command
from replay.bulk import Submission

LAST_DAY = date(2025, 12, 31)
"""No event takes effect after this day."""
LAST_RECORDING = datetime(2025, 12, 31, 17, 30, tzinfo=UTC)
"""Nothing is recorded after this moment."""
MAX_DELAY_DAYS = 30
DECREE_LEAD_DAYS = 27
"""At most this many days, plus a weekend, lie between a decision's recording and its effect."""


@dataclass(slots=True, eq=False)
class Planned:
    """A command planned for recording. ``recorded_at`` may change until the batch is released."""

    recorded_at: datetime
    seq: int
    command: Command
    recorded_by: str
    released: bool = False


class Clerk:
    """Plans recording times at office hours and releases the submissions in recording order."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._seq = 0
        self._batch: list[Planned] = []

    # Recording times.

    def office_time(self, day: date) -> datetime:
        """A moment of office hours on ``day``, or on the Monday after when it falls on a weekend."""
        if day.weekday() >= 5:
            day += timedelta(days=7 - day.weekday())
        moment = time(self.rng.randint(8, 16), self.rng.randint(0, 59), self.rng.randint(0, 59), tzinfo=UTC)
        return min(datetime.combine(day, moment), LAST_RECORDING)

    def recorded(self, day: date, *, after: datetime | None = None, max_delay: int = MAX_DELAY_DAYS) -> datetime:
        """When an event of ``day`` is recorded: some days later, and after ``after`` (the clerk
        records a worker's file in order)."""
        delay = int(self.rng.triangular(0, max_delay, 2)) if max_delay else 0
        return self.following(self.office_time(day + timedelta(days=delay)), after)

    def following(self, moment: datetime, after: datetime | None) -> datetime:
        """``moment``, or a few minutes after ``after`` when that is later; never after the last recording."""
        if after is not None and moment <= after:
            moment = after + timedelta(minutes=self.rng.randint(1, 20))
        return min(moment, LAST_RECORDING)

    def ahead(self, day: date, *, after: datetime | None) -> datetime:
        """When an announced event (a retirement) of ``day`` is recorded: up to a month before it,
        but not before its year starts."""
        earliest = max(day - timedelta(days=self.rng.randint(0, MAX_DELAY_DAYS)), date(day.year, 1, 2))
        return self.following(self.office_time(earliest), after)

    def before(self, day: date) -> datetime:
        """When a decision that takes effect on ``day`` (a facility's opening) is recorded: on an
        office day a few days to four weeks before it, so that nothing recorded from ``day`` on
        can miss it. Within the ledger's 31-day margin for effective dates ahead of their recording."""
        earliest = day - timedelta(days=1 + int(self.rng.triangular(0, DECREE_LEAD_DAYS, 2)))
        if earliest.weekday() >= 5:
            earliest -= timedelta(days=earliest.weekday() - 4)  # the Friday before
        return self.office_time(earliest)

    # The stream.

    def plan(self, recorded_at: datetime, command: Command, recorded_by: str) -> Planned:
        self._seq += 1
        planned = Planned(recorded_at, self._seq, command, recorded_by)
        self._batch.append(planned)
        return planned

    def release(self, until: datetime | None = None) -> Iterator[Submission]:
        """Yields, in recording order, the submissions recorded before ``until`` (all when None);
        the others stay planned, and may still be entered later."""
        ready = [p for p in self._batch if until is None or p.recorded_at < until]
        self._batch = [p for p in self._batch if until is not None and p.recorded_at >= until]
        ready.sort(key=lambda p: (p.recorded_at, p.seq))
        for planned in ready:
            planned.released = True
            yield Submission(planned.command, recorded_by=planned.recorded_by, recorded_at=planned.recorded_at)


class Decisions:
    """Numbers the decisions, arrêtés and contracts that authorise events, per issuer and year."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._last: dict[tuple[str, int], int] = {}

    def number(self, issuer: str, year: int) -> int:
        last = self._last.get((issuer, year), self.rng.randint(0, 40))
        self._last[(issuer, year)] = last + self.rng.randint(1, 6)
        return self._last[(issuer, year)]

    def decision(self, year: int, issuer: str) -> str:
        """E.g. "Décision N°2017-0114/MSHP-SG"."""
        return f"Décision N°{year}-{self.number(issuer, year):04d}/{issuer}"

    def arrete(self, year: int, issuer: str) -> str:
        return f"Arrêté N°{year}-{self.number('A' + issuer, year):04d}/{issuer}"

    def contract(self, year: int, party: str) -> str:
        return f"Contrat {party} N°{self.number(party, year):03d}/{year}"


def ministry(year: int) -> str:
    """The health ministry's initials, which changed with governments."""
    if year <= 2013:
        return "MS-SG"
    if year <= 2020:
        return "MSHP-SG"
    return "MSDS-SG"
