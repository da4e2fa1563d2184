"""The Ledger application service: load, command, save, with safe retries.

It persists only through the eventsourcing library's event store (PostgreSQL in production,
plain Python objects in fast unit tests).
"""

import hashlib
import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, CanMutateProtocol
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Mapper, Transcoder

from domain import clock
from domain.chain import unplaced
from domain.commands import Command
from domain.encoding import LedgerMapper, LedgerTranscoder
from domain.errors import N_, Conflict, DuplicateCommand
from domain.handlers import check_dates, handle
from domain.identity import command_receipt_id, legacy_command_receipt_id
from domain.limits import Limits
from domain.registry import CommandReceipt
from domain.staging import AggregateCache, Staging
from domain.transcodings import register_transcodings
from domain.values import Provenance

RECEIPT_TOPIC = "hrh:CommandReceipt.Recorded.v1"

Guard = Callable[[Command, Staging], Callable[[], None]]
"""Who may send a command (``api/access.py``). Called with the staging before the command applies,
it raises to refuse it; the check it returns runs once the domain's own rules have passed, before
anything is saved. Both run again on every retry, against the state that is then saved."""


@runtime_checkable
class PositionIndex(Protocol):
    """A recorder that finds an event's ledger position by its aggregate and version (the PostgreSQL
    recorder of ``projections/event_store.py``, through its primary key)."""

    def position_of(self, originator_id: UUID, version: int) -> int | None: ...


def no_later_check() -> None:
    """A guard's check after the domain's rules, for a command that needs none."""


def replay(aggregate: Any, events: Iterable[CanMutateProtocol[Any]]) -> Any:
    """Applies an aggregate's stored events in order: the library's ``project_aggregate``, without
    its per-event runtime check of a typing Protocol, which took a sixth of a single command's
    time. Passed as ``Repository.get``'s documented ``projector_func``."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


@dataclass(frozen=True)
class Outcome:
    """What a recorded command returns: the aggregate it is about and the ledger position of the
    last event it recorded. ``replayed`` is True when a retry returned an earlier result."""

    aggregate_id: UUID
    position: int
    replayed: bool = False
    events: int = 0


def fingerprint(command: Command, recorded_by: str) -> str:
    """Identifies what a command asks, so a reused command id with other content is caught."""
    # A field added after commands were first recorded counts only when given, so that a retry of a
    # command recorded before the field existed still matches its receipt.
    later = type(command).later_fields
    body = {k: v for k, v in asdict(command).items() if k != "command_id" and not (v is None and k in later)}
    text = json.dumps([type(command).__name__, recorded_by, body], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def recorded_receipt(
    find: Callable[[UUID], CommandReceipt | None], command: Command, recorded_by: str
) -> CommandReceipt | None:
    """The receipt of ``command``'s id sent by ``recorded_by``, when that command was already recorded (``find``
    looks a receipt up by its id: in the ledger, or in a batch's staging, which also holds what it staged).

    Raises:
        DuplicateCommand: the id was recorded for a command with other content.
    """
    if command.command_id is None:
        return None
    receipt = find(command_receipt_id(command.command_id, recorded_by))
    if receipt is None:  # kept where every user's ids once shared one namespace
        receipt = find(legacy_command_receipt_id(command.command_id))
        if receipt is None or receipt.recorded_by != recorded_by:
            return None
    if receipt.fingerprint != fingerprint(command, recorded_by):
        raise DuplicateCommand(
            N_(
                "commandId {command_id!r} was already used for a different {command} command; "
                "use a new commandId for a new command."
            ),
            command_id=command.command_id,
            command=receipt.command,
        )
    return receipt


def receipt_of(command: Command, recorded_by: str, target: UUID, floor: int, meta: Provenance) -> CommandReceipt:
    """The receipt that records ``command``'s id with what it asked (its fingerprint), the aggregate it was about,
    and the ledger position before it (from which its own receipt's position is found again)."""
    assert command.command_id is not None
    return CommandReceipt(
        command_id=command.command_id,
        command=type(command).__name__,
        fingerprint=fingerprint(command, recorded_by),
        aggregate_id=target,
        position_floor=floor,
        meta=meta,
    )


class Ledger(Application[UUID]):
    """Records workforce commands as events, checking every invariant first."""

    name = "Ledger"
    max_attempts = 12

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        clock_: clock.Clock = clock.wall_clock,
        future_margin: timedelta = timedelta(days=31),
        limits: Limits | None = None,
    ) -> None:
        super().__init__(env)
        self.clock = clock_
        self.future_margin = future_margin
        self.limits = Limits() if limits is None else limits

    def construct_mapper(self) -> Mapper[UUID]:
        """The library's mapper, writing the same stored events with less work per event."""
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=LedgerMapper)

    def construct_transcoder(self) -> Transcoder:
        """The library's JSON transcoder, with the ledger's types, encoding through orjson."""
        transcoder = LedgerTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_transcodings(transcoder)

    # Single commands.

    def execute(
        self, command: Command, recorded_by: str, *, recorded_at: datetime | None = None, guard: Guard | None = None
    ) -> Outcome:
        """Records ``command``, or raises the DomainError that refuses it (writing nothing).

        ``recorded_at`` replays history (the demo data set); live commands are recorded now.
        ``guard`` checks that ``recorded_by`` may send the command (see ``Guard``).

        Raises:
            DomainError: a refused command; ``Conflict`` when concurrent writers kept winning.
        """
        meta = command.provenance(recorded_by)
        for attempt in range(self.max_attempts):
            with clock.recording_with(self.clock_at(recorded_at)):
                check_dates(command, clock.now().date() + self.future_margin)
                if command.command_id is not None:
                    previous = self._previous_outcome(command, recorded_by)
                    if previous is not None:
                        return previous
                    floor = self.recorder.max_notification_id() or 0
                staging = self.staging()
                later_check = guard(command, staging) if guard is not None else no_later_check
                self.limits.check(command, staging)
                target = handle(command, staging, meta)
                later_check()
                # The command's own aggregate goes last, so the position returned is its event's.
                events = sorted(staging.take_events(), key=lambda e: e.originator_id == target)
                if command.command_id is not None:
                    events.extend(receipt_of(command, recorded_by, target, floor, meta).collect_events())
            try:
                positions = self.record(events)
            except IntegrityError:
                # Someone else wrote one of these aggregates (or this command id) first:
                # check the command again against what they wrote.
                time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
                continue
            own = positions[:-1] if command.command_id is not None else positions
            return Outcome(target, own[-1], events=len(own))
        raise Conflict(
            N_(
                "Other clerks kept changing the same records at the same moment; nothing was recorded. "
                "Send the command again."
            )
        )

    def _previous_outcome(self, command: Command, recorded_by: str) -> Outcome | None:
        receipt = recorded_receipt(self._receipt, command, recorded_by)
        if receipt is None:
            return None
        start = receipt.position_floor + 1
        while True:
            page = self.recorder.select_notifications(start, 200, topics=[RECEIPT_TOPIC])
            for notification in page:
                if notification.originator_id == receipt.id:
                    return Outcome(receipt.aggregate_id, notification.id - 1, replayed=True)
            if len(page) < 200:
                raise LookupError(f"Ledger position of command {command.command_id!r} not found")
            start = page[-1].id + 1

    def _receipt(self, receipt_id: UUID) -> CommandReceipt | None:
        try:
            receipt: Aggregate = self.repository.get(receipt_id)
        except AggregateNotFoundError:
            return None
        return receipt if isinstance(receipt, CommandReceipt) else None

    def locate(self, position: int) -> tuple[UUID, int] | None:
        """The (aggregate id, version) of the event at ledger ``position``, if any."""
        found = self.recorder.select_notifications(position, 1, stop=position)
        if not found:
            return None
        originator_id = found[0].originator_id
        return (originator_id if isinstance(originator_id, UUID) else UUID(originator_id)), found[0].originator_version

    def position_of(self, aggregate_id: UUID, version: int) -> int | None:
        """The ledger position of an aggregate's event of ``version``, None when there is none. Asked only
        when a refusal names a recorded event: the recorder's index when it has one, else a scan."""
        if isinstance(self.recorder, PositionIndex):
            return self.recorder.position_of(aggregate_id, version)
        start = 1
        while page := self.recorder.select_notifications(start, 1000):
            for n in page:
                if n.originator_version == version and str(n.originator_id) == str(aggregate_id):
                    return n.id
            start = page[-1].id + 1
        return None

    def record(self, events: list[Any]) -> list[int]:
        """Puts ``events`` in the event store in one transaction, in the given order; returns
        their ledger positions.

        ``Application.save`` does the same for aggregates; this ledger keeps no snapshots and no
        aggregate cache, and skips its per-event protocol checks and recording objects, which
        cost more than the insert itself.
        """
        stored = [self.mapper.to_stored_event(event) for event in events]
        positions = self.recorder.insert_events(stored, lines=list(map(unplaced, events)))
        if positions is None:  # only recorders without a notification log return None
            raise TypeError("The ledger needs a recorder that assigns ledger positions")
        return list(positions)

    def clock_at(self, recorded_at: datetime | None) -> clock.Clock:
        return self.clock if recorded_at is None else (lambda: recorded_at)

    def staging(self, cache: AggregateCache | None = None) -> Staging:
        return Staging(partial(self.repository.get, projector_func=replay), self.locate, cache, place=self.position_of)
