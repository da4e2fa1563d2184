"""The children's side of a first load on several cores (``replay/bulk/sharded.py``): which child
checks each row, and what a child does with its rows.

A child checks its rows against what it has seen (the ledger was empty when it was forked) and
sends each chunk back as its rows' outcomes and their events, already encoded: versions as the
child numbered them, except the facility rosters' events, which the parent numbers.
"""

import pickle
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, NoReturn

from domain.chain import Unplaced
from domain.commands import Command, HireWorker, RetractEvent, WorkerCommand
from domain.event_bytes import EventBytes
from domain.ledger import Ledger
from domain.registry import FacilityRoster
from domain.staging import AggregateCache, Staging
from replay.bulk.one_process import long_lived
from replay.bulk.rows import Submission, attempt

EVERY = 255
"""The owner of org-unit and cadre commands: every child checks them, the first one's events count."""
ROSTER, ROSTER_STARTED = -1, -2
"""The version a child sends for a roster's event, for the parent to number (and its first event)."""

Outcome = tuple[int, str | None, str | None, int, int]
"""(row, refusal code, refusal message, events, of which roster events): code ``STOP`` when the
child stopped there."""
STOP = "STOP"


def owner(command: Command, row: int, shards: int) -> int:
    """The child that checks a row: by worker id, or every child for org units and cadres."""
    if isinstance(command, WorkerCommand):
        return hash(command.worker_id) % shards
    if isinstance(command, HireWorker):
        return hash(command.worker_id) % shards if command.worker_id is not None else row % shards
    return EVERY


def routes(submissions: Sequence[Submission], shards: int) -> bytes:
    """Each row's child (``EVERY`` for every child), up to the first row the children cannot check:
    a command with an id, or a retraction. Computed once, before the fork, so that a child never
    touches (and copies) the rows of another."""
    out = bytearray()
    for row, submission in enumerate(submissions):
        command = submission.command
        if command.command_id is not None or isinstance(command, RetractEvent):
            break
        out.append(owner(command, row, shards))
    return bytes(out)


@dataclass
class Chunk:
    """One child's part of a chunk: outcomes in row order, and the events of the accepted rows."""

    outcomes: list[Outcome]
    ids: bytes  # 16 bytes an event
    versions: list[int]
    topics: list[str]
    states: list[bytes]
    lines: list[Unplaced]  # each event's canonical log line, less its position and version


def _no_ledger(_: Any) -> NoReturn:
    raise AssertionError("a child checks an empty ledger: it never reads it")


def check_shard(
    ledger: Ledger, submissions: Sequence[Submission], route: bytes, shard: int, size: int, out: Connection
) -> None:
    """A child's work: check its rows of ``submissions[:len(route)]``, a chunk at a time, and send each."""
    staging = Staging(_no_ledger, _no_ledger, AggregateCache(complete=True))
    event_bytes = EventBytes(ledger.mapper)  # each event's stored state and chain description, in one pass
    row = 0
    with long_lived() as freeze:
        for start in range(0, len(route), size):
            freeze()
            chunk = Chunk([], b"", [], [], [], [])
            ids: list[bytes] = []
            try:
                for row in range(start, min(start + size, len(route))):
                    who = route[row]
                    if who != shard and who != EVERY:
                        continue
                    submission = submissions[row]
                    refusal = attempt(ledger, staging, row, submission)
                    if refusal is not None:
                        if staging.changed:  # it changed something before refusing: not ours to undo
                            raise RuntimeError(f"row {row} changed aggregates before it was refused")
                        chunk.outcomes.append((row, refusal.code, refusal.message, 0, 0))
                        continue
                    events = staging.take_events()
                    if who == EVERY and shard:
                        chunk.outcomes.append((row, None, None, 0, 0))
                        continue
                    rosters = 0
                    for event in events:
                        topic, state, line = event_bytes(event)
                        ids.append(event.originator_id.bytes)
                        version = event.originator_version
                        if isinstance(event, FacilityRoster.Event):
                            version = ROSTER_STARTED if version == 1 else ROSTER
                            rosters += 1
                        chunk.versions.append(version)
                        chunk.topics.append(topic)
                        chunk.states.append(state)
                        chunk.lines.append(line)
                    chunk.outcomes.append((row, None, None, len(events), rosters))
            except Exception:
                chunk.outcomes.append((row, STOP, traceback.format_exc(), 0, 0))
            chunk.ids = b"".join(ids)
            out.send_bytes(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL))
            if chunk.outcomes and chunk.outcomes[-1][1] == STOP:
                return
