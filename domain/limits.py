"""The ledger's plausibility limits on dates, each one a setting of the service.

They apply to new commands only: events already recorded are never checked again, so a ledger
recorded under other limits still loads and replays.
"""

from dataclasses import dataclass
from datetime import date

from domain import commands as c
from domain.errors import DateOutOfOrder, DateTooEarly
from domain.staging import Staging


@dataclass(frozen=True)
class Limits:
    """How far dates may stray.

    Attributes:
        earliest_effective_on: no event takes effect before this day.
        min_hire_age_years: a birth date lies at least this many years before the hire.
        max_training_years: a training ends at most this many years after it starts.
    """

    earliest_effective_on: date = date(1950, 1, 1)
    min_hire_age_years: int = 14
    max_training_years: int = 5

    def check(self, command: c.Command, staging: Staging) -> None:
        """Refuses ``command`` when one of its dates lies outside the limits.

        Raises:
            DateTooEarly: an effective date before ``earliest_effective_on``.
            DateOutOfOrder: a birth too close to the hire, or a training too long.
            NotFound: a correction names no worker.
        """
        for day in command.effective_dates():
            if day < self.earliest_effective_on:
                raise DateTooEarly(
                    f"{day.isoformat()} is before {self.earliest_effective_on.isoformat()}, the earliest date the "
                    "ledger accepts; check the year."
                )
        if isinstance(command, c.HireWorker) and command.birth_date is not None:
            self.check_birth(command.birth_date, command.effective_on)
        elif isinstance(command, c.CorrectWorkerDetails) and command.birth_date is not None:
            self.check_birth(command.birth_date, staging.worker(command.worker_id).timeline.hired_on())
        elif isinstance(command, c.RecordTraining) and command.ended_on is not None:
            latest = years_after(command.started_on, self.max_training_years)
            if command.ended_on > latest:
                raise DateOutOfOrder(
                    f"endedOn {command.ended_on.isoformat()} is more than {self.max_training_years} years after "
                    f"startedOn {command.started_on.isoformat()}; a training ends by {latest.isoformat()}. "
                    "Check both dates."
                )

    def check_birth(self, birth: date, hired_on: date) -> None:
        latest = years_after(hired_on, -self.min_hire_age_years)
        if birth > latest:
            raise DateOutOfOrder(
                f"birthDate {birth.isoformat()} is less than {self.min_hire_age_years} years before the hire on "
                f"{hired_on.isoformat()}: a worker is born on {latest.isoformat()} or earlier. Check both dates."
            )


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later (earlier when negative); 29 February gives 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
