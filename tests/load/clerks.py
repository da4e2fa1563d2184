"""Clerks: HR managers who hire workers, post them, transfer them and send them on leave and back.

Each clerk follows workers of their own, one command after another, each command with a
commandId of the clerk's making (``CommandBook.send`` retries it after a transient failure), and
after each recorded command asks ``caughtUp`` for its position, as a client that then reads the
worker would. A worker whose command was refused or left unanswered is dropped (the clerk no
longer knows its state) and a new one is hired.
"""

import asyncio
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx

from tests.e2e.api_support import TREE
from tests.load.calls import Journal
from tests.load.commands import CommandBook, Fate

FACILITIES = [code for code, level, _ in TREE if level == "FACILITY"]
FIRST_DAY = date(2016, 1, 4)
LAST_DAY = date(2025, 6, 30)  # a worker's history stops here; the clerk hires another

HIRE = "mutation Hire($input: HireWorkerInput!) { hireWorker(input: $input) { position worker { id status } } }"
POST = "mutation Post($input: PostWorkerInput!) { postWorker(input: $input) { position worker { id status } } }"
TRANSFER = """
mutation Transfer($input: TransferWorkerInput!) { transferWorker(input: $input) { position worker { id status } } }"""
START_LEAVE = "mutation Leave($input: StartLeaveInput!) { startLeave(input: $input) { position worker { id status } } }"
END_LEAVE = "mutation Back($input: EndLeaveInput!) { endLeave(input: $input) { position worker { id status } } }"
CAUGHT_UP = "query Up($p: Int!) { caughtUp(position: $p, timeoutMs: 5000) }"


@dataclass
class Followed:
    """A worker as the clerk knows it."""

    worker_id: str
    day: date
    facility: str | None = None
    on_leave: bool = False


class Clerk:
    def __init__(self, name: str, token: str, book: CommandBook, seed: int) -> None:
        self.name, self.token, self.book = name, token, book
        self.random = random.Random(seed)

    @property
    def journal(self) -> Journal:
        return self.book.journal

    async def run(self, http: httpx.AsyncClient, stop: asyncio.Event, think: float) -> None:
        worker: Followed | None = None
        while not stop.is_set():
            worker = await self.step(http, worker)
            if think:
                await asyncio.sleep(think)

    async def step(self, http: httpx.AsyncClient, worker: Followed | None) -> Followed | None:
        """Records the next command of ``worker`` (a hire when None); the worker as it now is."""
        if worker is None or worker.day > LAST_DAY:
            day = FIRST_DAY + timedelta(days=self.random.randrange(365))
            fields = {
                "familyName": f"Load {self.name}",
                "givenNames": "Awa",
                "sex": self.random.choice(["FEMALE", "MALE"]),
                "birthDate": "1990-05-17",
                "cadreCode": "NURSE-RN",
                "sector": "PUBLIC",
                "fundingSource": "STATE",
                "effectiveOn": day.isoformat(),
            }
            payload = await self.send(http, "hireWorker", HIRE, fields)
            return Followed(str(payload["worker"]["id"]), day) if payload else None
        worker.day += timedelta(days=self.random.randrange(1, 40))
        on = worker.day.isoformat()
        if worker.facility is None:
            facility = self.random.choice(FACILITIES)
            payload = await self.send(
                http, "postWorker", POST, {"workerId": worker.worker_id, "facilityCode": facility, "effectiveOn": on}
            )
            worker.facility = facility
        elif worker.on_leave:
            payload = await self.send(http, "endLeave", END_LEAVE, {"workerId": worker.worker_id, "effectiveOn": on})
            worker.on_leave = False
        elif self.random.random() < 0.5:
            facility = self.random.choice([f for f in FACILITIES if f != worker.facility])
            fields = {"workerId": worker.worker_id, "toFacilityCode": facility, "effectiveOn": on}
            payload = await self.send(http, "transferWorker", TRANSFER, fields)
            worker.facility = facility
        else:
            fields = {"workerId": worker.worker_id, "kind": "STUDY", "effectiveOn": on}
            payload = await self.send(http, "startLeave", START_LEAVE, fields)
            worker.on_leave = True
        return worker if payload else None

    async def send(
        self, http: httpx.AsyncClient, operation: str, query: str, fields: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The mutation's payload once answered and caught up with; None when the clerk must drop the worker."""
        command, payload = await self.book.send(http, operation, self.name, query, fields)
        if command.fate is not Fate.ACKNOWLEDGED or command.position is None:
            return None
        _, data = await self.journal.call(http, "caughtUp", self.name, CAUGHT_UP, {"p": command.position})
        if payload is None or data is None or data["caughtUp"] is not True:
            return None
        return dict(payload)
