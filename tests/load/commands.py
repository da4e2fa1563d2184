"""Commands the clients sent, each with a client-made commandId, and what they were told.

A command is sent again with the same commandId after a transient failure (DESIGN: the same
commandId records once and returns the first result), until it is answered or ``GIVE_UP_SECONDS``
have passed. What the client was finally told decides what the ledger must hold afterwards:

- ``acknowledged``: answered with a position, or NOT_CAUGHT_UP (recorded, the read tables behind):
  exactly once;
- ``refused``: a domain code (WORKER_NOT_POSTED, ...): not at all;
- ``unknown``: no answer before giving up: at most once.
"""

import asyncio
import enum
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.load.calls import Journal, Kind

GIVE_UP_SECONDS = 60.0
RETRY_PAUSE_SECONDS = 0.5
RECORDED_AT = re.compile(r"Recorded at position (\d+)")


class Fate(enum.StrEnum):
    ACKNOWLEDGED = "acknowledged"
    REFUSED = "refused"
    UNKNOWN = "unknown"


@dataclass
class Command:
    """One command: its mutation, who sent it, how many times, and its fate."""

    command_id: str
    operation: str
    user: str
    attempts: int = 0
    fate: Fate = Fate.UNKNOWN
    position: int | None = None
    codes: list[str] = field(default_factory=list)


@dataclass
class CommandBook:
    """Every command of a run, by commandId."""

    journal: Journal
    commands: dict[str, Command] = field(default_factory=dict)

    async def send(
        self,
        http: httpx.AsyncClient,
        operation: str,
        user: str,
        query: str,
        input_: dict[str, Any],
        give_up: float = GIVE_UP_SECONDS,
    ) -> tuple[Command, dict[str, Any] | None]:
        """Sends the mutation until it is answered or refused, or ``give_up`` seconds pass (0: once).

        Returns the command and the mutation's payload (None unless it was answered in full).
        """
        command = Command(f"load-{uuid.uuid4()}", operation, user)
        self.commands[command.command_id] = command
        variables = {"input": {**input_, "commandId": command.command_id}}
        deadline = self.journal.now() + give_up
        while True:
            command.attempts += 1
            call, data = await self.journal.call(http, operation, user, query, variables)
            if call.kind is Kind.OK and data is not None:
                payload = data[operation]
                command.fate, command.position = Fate.ACKNOWLEDGED, int(payload["position"])
                return command, payload
            command.codes.append(call.code)
            if call.code == "NOT_CAUGHT_UP":  # recorded; the payload comes with a retry once caught up
                command.fate = Fate.ACKNOWLEDGED
                found = RECORDED_AT.search(call.message)
                command.position = int(found.group(1)) if found else command.position
            elif not call.transient:
                if command.fate is not Fate.ACKNOWLEDGED:
                    command.fate = Fate.REFUSED
                return command, None
            if self.journal.now() >= deadline:
                return command, None
            await asyncio.sleep(RETRY_PAUSE_SECONDS)
