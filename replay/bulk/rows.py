"""What the bulk path takes and gives: submissions in, accepted rows and refusals out, and the
check of one row against a staging."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from domain import clock
from domain.commands import Command
from domain.errors import Refusal as Refused
from domain.handlers import check_dates, handle
from domain.identity import command_receipt_id, legacy_command_receipt_id
from domain.ledger import Guard, Ledger, no_later_check, receipt_of, recorded_receipt
from domain.registry import CommandReceipt
from domain.staging import Staging

Completion = Callable[[Command, Staging], Command]
"""Fills in what only the ledger knows, before a command is checked: a worker named by their civil-service
number (the import's rows). Raises a refusal when it cannot (an unknown number)."""


@dataclass(frozen=True)
class Submission:
    """A command in a batch, with who recorded it and, for a replay of history, when.

    ``guard`` checks that ``recorded_by`` may send it (``domain.ledger.Guard``: ``api.access.command_guard``), as
    ``Ledger.execute`` runs it; ``complete`` fills in the command against the staging first (``Completion``).
    """

    command: Command
    recorded_by: str
    recorded_at: datetime | None = None
    guard: Guard | None = None
    complete: Completion | None = None
    expects: tuple[UUID, ...] = ()
    """Aggregates the command will look up (beside its command id's receipt), that the batch may probe for a
    whole chunk in one query."""

    def lookups(self) -> Iterator[UUID]:
        """The aggregates this command will look up as far as known beforehand: its receipt, and ``expects``."""
        command_id = self.command.command_id
        if command_id is not None:
            yield command_receipt_id(command_id, self.recorded_by)
            yield legacy_command_receipt_id(command_id)
        yield from self.expects

    def completed(self, staging: Staging) -> Command:
        """The command to check: as given, or filled in against ``staging``."""
        return self.command if self.complete is None else self.complete(self.command, staging)


@dataclass(frozen=True)
class Refusal:
    """A refused command in a batch: its row (0-based) and why (``error``: the refusal itself, when known)."""

    row: int
    code: str
    message: str
    error: Refused | None = field(default=None, compare=False)


@dataclass
class BatchReport:
    """What a batch did: rows accepted (those already recorded included), events written, the last one's ledger
    position, the refused rows, and the rows already recorded."""

    accepted: int = 0
    events: int = 0
    last_position: int | None = None
    refusals: list[Refusal] = field(default_factory=list)
    replayed: list[int] = field(default_factory=list)
    """Rows whose ``command_id`` was already recorded with the same content: nothing written for them."""


def attempt(ledger: Ledger, staging: Staging, row: int, submission: Submission) -> Refusal | None:
    """Checks one command without a ``command_id`` against ``staging`` and stages its events; the refusal, if
    refused."""
    command = submission.command
    with clock.recording_with(ledger.clock_at(submission.recorded_at)):
        try:
            check_dates(command, clock.now().date() + ledger.future_margin)
            later_check = submission.guard(command, staging) if submission.guard is not None else no_later_check
            ledger.limits.check(command, staging)
            handle(command, staging, command.provenance(submission.recorded_by))
            later_check()
        except Refused as error:
            return Refusal(row, error.code, error.message, error)
    return None


class Replayed:
    """The outcome of a row whose ``command_id`` was already recorded with the same content."""


REPLAYED = Replayed()


def staged(
    ledger: Ledger, staging: Staging, row: int, submission: Submission, floor: int
) -> Refusal | Replayed | list[Any]:
    """Checks one command against ``staging`` as ``Ledger.execute`` does, and takes its events out of it: the
        command's own aggregate last, then the receipt of its ``command_id``, if any (``floor``: a ledger position
        known to precede them); without a command id, in the order they were staged, as the split load's children
    stage them. A command id already recorded is ``REPLAYED``, with the same content; with other
        content, a DUPLICATE_COMMAND refusal."""
    with clock.recording_with(ledger.clock_at(submission.recorded_at)):
        try:
            command = submission.completed(staging)
            check_dates(command, clock.now().date() + ledger.future_margin)
            recorded_by = submission.recorded_by
            if recorded_receipt(lambda i: staging.find(CommandReceipt, i), command, recorded_by) is not None:
                return REPLAYED
            later_check = submission.guard(command, staging) if submission.guard is not None else no_later_check
            ledger.limits.check(command, staging)
            meta = command.provenance(recorded_by)
            target = handle(command, staging, meta)
            later_check()
        except Refused as error:
            return Refusal(row, error.code, error.message, error)
        events = staging.take_events()
        if command.command_id is not None:
            # As ``Ledger.execute``: the receipt's position, less one, is the command's own aggregate's event.
            events.sort(key=lambda e: e.originator_id == target)
            receipt = receipt_of(command, recorded_by, target, floor, meta)
            staging.cache[receipt.id] = receipt  # a later row of the batch with the same id finds it
            events.extend(receipt.collect_events())
    return events
