"""The ledger's plausibility limits on dates, each one a setting of the service.

They apply to new commands only: events already recorded are never checked again, so a ledger
recorded under other limits still loads and replays.
"""

from dataclasses import dataclass
from datetime import date

from domain import commands as c
from domain.errors import N_, DateOutOfOrder, DateTooEarly
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
                    N_("{day} is before {earliest}, the earliest date the ledger accepts; check the year."),
                    day=day,
                    earliest=self.earliest_effective_on,
                )
        if isinstance(command, c.HireWorker) and command.birth_date is not None:
            self.check_birth(command.birth_date, command.effective_on)
        elif isinstance(command, c.CorrectWorkerDetails) and command.birth_date is not None:
            self.check_birth(command.birth_date, staging.worker(command.worker_id).timeline.hired_on())
        elif isinstance(command, c.RecordTraining) and command.ended_on is not None:
            latest = years_after(command.started_on, self.max_training_years)
            if command.ended_on > latest:
                raise DateOutOfOrder(
                    N_(
                        "endedOn {ended_on} is more than {years} years after startedOn {started_on}; "
                        "a training ends by {latest}. Check both dates."
                    ),
                    ended_on=command.ended_on,
                    years=self.max_training_years,
                    started_on=command.started_on,
                    latest=latest,
                )

    def check_birth(self, birth: date, hired_on: date) -> None:
        latest = years_after(hired_on, -self.min_hire_age_years)
        if birth > latest:
            raise DateOutOfOrder(
                N_(
                    "birthDate {birth_date} is less than {years} years before the hire on {hired_on}: "
                    "a worker is born on {latest} or earlier. Check both dates."
                ),
                birth_date=birth,
                years=self.min_hire_age_years,
                hired_on=hired_on,
                latest=latest,
            )


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later (earlier when negative); 29 February gives 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
