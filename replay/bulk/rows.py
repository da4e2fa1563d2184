"""What the bulk path takes and gives: submissions in, accepted rows and refusals out, and the
check of one row against a staging."""

from dataclasses import dataclass, field
from datetime import datetime

from domain import clock
from domain.commands import Command
from domain.errors import DomainError
from domain.handlers import check_dates, handle
from domain.ledger import Ledger
from domain.staging import Staging


@dataclass(frozen=True)
class Submission:
    """A command in a batch, with who recorded it and, for a replay of history, when."""

    command: Command
    recorded_by: str
    recorded_at: datetime | None = None


@dataclass(frozen=True)
class Refusal:
    """A refused command in a batch: its row (0-based) and why."""

    row: int
    code: str
    message: str


@dataclass
class BatchReport:
    accepted: int = 0
    events: int = 0
    last_position: int | None = None
    refusals: list[Refusal] = field(default_factory=list)


def attempt(ledger: Ledger, staging: Staging, row: int, submission: Submission) -> Refusal | None:
    """Checks one command against ``staging`` and stages its events; the refusal, if refused."""
    command = submission.command
    with clock.recording_with(ledger.clock_at(submission.recorded_at)):
        try:
            check_dates(command, clock.now().date() + ledger.future_margin)
            ledger.limits.check(command, staging)
            handle(command, staging, command.provenance(submission.recorded_by))
        except DomainError as error:
            return Refusal(row, error.code, error.message)
    return None
