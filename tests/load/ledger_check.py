"""After the run: the ledger holds every acknowledged command exactly once, and ``hrh verify`` is clean.

The ledger is read the way an auditor would, through ``hrh export-log``: each command the
clients sent made one Worker event carrying its commandId, so the events carrying a commandId
are counted, and their position compared with the one the client was given.
"""

import json
import subprocess
import time
from collections import defaultdict
from dataclasses import dataclass, field

from tests.e2e.api_support import HRH
from tests.load.commands import Command, CommandBook, Fate
from tests.load.deployment import Deployment

CATCH_UP_SECONDS = 120.0


@dataclass
class LedgerCheck:
    """What the ledger holds of the clients' commands."""

    commands: int = 0
    catch_up: float = CATCH_UP_SECONDS  # how long the runner gets to catch up once the load stops
    caught_up_after: float | None = None  # seconds after the load stopped, None if never
    acknowledged: int = 0
    refused: int = 0
    unknown_recorded: int = 0
    unknown_absent: int = 0
    retried: int = 0  # commands sent more than once (all of them must be in the ledger at most once)
    unanswered: list[Command] = field(default_factory=list)
    lost: list[Command] = field(default_factory=list)
    duplicated: list[tuple[Command, int]] = field(default_factory=list)
    refused_but_recorded: list[Command] = field(default_factory=list)
    misplaced: list[tuple[Command, list[int]]] = field(default_factory=list)
    verify_exit: int | None = None
    verify_output: str = ""

    def problems(self) -> list[str]:
        found = []
        if self.caught_up_after is None:
            found.append(f"the runner did not catch up with the ledger within {self.catch_up:.0f} s of the load's end")
        found += [
            f"LOST: {c.operation} {c.command_id} was acknowledged (position {c.position}) but is not in the ledger"
            for c in self.lost
        ]
        found += [f"DUPLICATED: {c.operation} {c.command_id} is in the ledger {n} times" for c, n in self.duplicated]
        found += [
            f"{c.operation} {c.command_id} was refused ({c.codes}) but is in the ledger"
            for c in self.refused_but_recorded
        ]
        found += [
            f"{c.operation} {c.command_id} was acknowledged at {c.position}, the ledger has it at {p}"
            for c, p in self.misplaced
        ]
        if self.verify_exit != 0:
            found.append(f"hrh verify exited with {self.verify_exit}: {self.verify_output.strip()[-600:]}")
        return found


def wait_caught_up(deployment: Deployment, seconds: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        health = deployment.health()
        if health is not None and health.get("projection_lag") == 0:
            return time.monotonic() - started
        time.sleep(0.5)
    return None


def recorded_positions(deployment: Deployment) -> dict[str, list[int]]:
    """The positions of the Worker events of each commandId in the ledger."""
    exported = subprocess.run(
        [HRH, "export-log", "-"], env=deployment.api.env, capture_output=True, text=True, timeout=600, check=True
    )
    found: dict[str, list[int]] = defaultdict(list)
    for line in exported.stdout.splitlines():
        event = json.loads(line)
        if event["aggregate"] == "Worker" and event.get("command_id"):
            found[event["command_id"]].append(int(event["position"]))
    return found


def check_ledger(deployment: Deployment, book: CommandBook, catch_up: float = CATCH_UP_SECONDS) -> LedgerCheck:
    """Waits for the runner to catch up, compares the ledger with ``book``, and runs ``hrh verify``."""
    caught_up_after = wait_caught_up(deployment, catch_up)
    check = compare(book, recorded_positions(deployment))
    check.catch_up, check.caught_up_after = catch_up, caught_up_after
    verified = subprocess.run([HRH, "verify"], env=deployment.api.env, capture_output=True, text=True, timeout=600)
    check.verify_exit, check.verify_output = verified.returncode, verified.stdout + verified.stderr
    return check


def compare(book: CommandBook, recorded: dict[str, list[int]]) -> LedgerCheck:
    """What the ledger (the positions of each commandId's events) holds of the commands in ``book``."""
    check = LedgerCheck(commands=len(book.commands))
    for command in book.commands.values():
        positions = recorded.get(command.command_id, [])
        check.retried += command.attempts > 1
        if len(positions) > 1:
            check.duplicated.append((command, len(positions)))
        if command.fate is Fate.ACKNOWLEDGED:
            check.acknowledged += 1
            if not positions:
                check.lost.append(command)
            elif command.position is not None and positions != [command.position]:
                check.misplaced.append((command, positions))
        elif command.fate is Fate.REFUSED:
            check.refused += 1
            if positions:
                check.refused_but_recorded.append(command)
        else:
            check.unanswered.append(command)
            check.unknown_recorded += bool(positions)
            check.unknown_absent += not positions
    return check
