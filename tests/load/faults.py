"""The faults, injected one after another while the clients run, and how long each took to heal.

- ``worker``: kill -9 one worker process of ``hrh serve`` (its parent should start another);
- ``runner``: kill -9 the projection runner's process;
- ``server``: kill -9 the ``hrh serve`` parent, then start ``hrh serve`` again on the same port;
- ``postgres``: stop PostgreSQL with ``pg_ctl -m fast``, keep it down ``POSTGRES_DOWN_SECONDS``, start it.

After each injection a probe asks, every ``PROBE_PAUSE_SECONDS``, whether the service is whole
again: every worker process listens, /healthz answers 200 and an admin's mutation (a training
of the probe's own worker, with a fresh commandId) is recorded and answered without error.
The fault's *window* runs from the injection until that probe succeeds, or for at most
``RECOVERY_SECONDS``; then the harness watches ``STEADY_SECONDS`` of load, in which every
call must succeed, before the next fault.
"""

import asyncio
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import httpx

from tests.e2e.api_support import free_port
from tests.load.calls import Kind
from tests.load.commands import CommandBook, Fate
from tests.load.deployment import CannotStop, Deployment, ServerDidNotStart, wait_gone

RECOVERY_SECONDS = 30.0
STEADY_SECONDS = 4.0
PROBE_PAUSE_SECONDS = 0.5
POSTGRES_DOWN_SECONDS = 2.0
ORPHAN_SECONDS = 15.0  # how long a killed server's children get to exit (finishing the requests in flight)

TRAINING = """
mutation Train($input: RecordTrainingInput!) { recordTraining(input: $input) { position worker { id } } }"""
# The kinds of failure a client may see while the fault lasts: killing a process drops its
# connections; a database outage must be answered, with a code.
ALLOWED: dict[str, frozenset[Kind]] = {
    "worker": frozenset({Kind.CODED, Kind.TRANSPORT}),
    "runner": frozenset({Kind.CODED}),
    "server": frozenset({Kind.CODED, Kind.TRANSPORT}),
    "postgres": frozenset({Kind.CODED}),
}
FAULTS = tuple(ALLOWED)


@dataclass
class Fault:
    """One injected fault: when (seconds since the run began), what the harness saw, and when it healed."""

    name: str
    injected: float = 0.0
    recovered: float | None = None  # when the probe first succeeded
    window_end: float = 0.0
    steady_end: float = 0.0
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> frozenset[Kind]:
        return ALLOWED[self.name]


def kill_worker(deployment: Deployment, fault: Fault) -> None:
    pids = deployment.worker_pids()
    if not pids:
        fault.problems.append("no worker process found")
        return
    os.kill(pids[0], signal.SIGKILL)
    fault.notes.append(f"killed worker {pids[0]} (of {len(pids)})")


def kill_runner(deployment: Deployment, fault: Fault) -> None:
    pids = deployment.runner_pids()
    if len(pids) != 1:
        fault.problems.append(f"expected one runner process, found {pids}; killed none")
        return
    os.kill(pids[0], signal.SIGKILL)
    fault.notes.append(f"killed runner {pids[0]}")


def kill_server(deployment: Deployment, fault: Fault) -> None:
    parent = deployment.parent()
    children = [p.pid for p in deployment.children()]
    os.kill(parent.pid, signal.SIGKILL)
    deployment.process.wait() if deployment.process else None
    orphans = wait_gone(children, ORPHAN_SECONDS)
    fault.notes.append(f"killed serve parent {parent.pid} (children {children})")
    if orphans:
        fault.problems.append(f"orphans: {orphans} still alive {ORPHAN_SECONDS:.0f} s after their parent died")
    try:
        deployment.start_server()
        fault.notes.append("restarted hrh serve on the same port")
        return
    except ServerDidNotStart as error:
        fault.problems.append(f"restart failed: {error}")
    # Go on with the run: clear the orphans, and serve on another port, since sockets left in
    # TIME_WAIT by the killed workers' connections can hold this one for a minute.
    deployment.end_groups()
    wait_gone(orphans, ORPHAN_SECONDS)
    deployment.move_to(free_port())
    deployment.start_server()
    fault.notes.append(f"the harness killed the orphans and restarted hrh serve on port {deployment.port}")


def restart_postgres(deployment: Deployment, fault: Fault) -> None:
    if deployment.postgres is None:
        raise CannotStop("the postgres fault needs the harness's own embedded PostgreSQL (no --database-url)")
    started = time.monotonic()
    deployment.postgres.stop()
    stopped = time.monotonic()
    time.sleep(POSTGRES_DOWN_SECONDS)
    deployment.postgres.start()
    fault.notes.append(
        f"pg_ctl stop -m fast took {stopped - started:.1f} s; down {time.monotonic() - stopped:.1f} s in all"
    )


INJECT: dict[str, Callable[[Deployment, Fault], None]] = {
    "worker": kill_worker,
    "runner": kill_runner,
    "server": kill_server,
    "postgres": restart_postgres,
}


class Injector:
    """Injects ``names`` in order, after ``lead`` seconds of undisturbed load, and probes each back to health."""

    def __init__(
        self,
        deployment: Deployment,
        book: CommandBook,
        http: httpx.AsyncClient,
        probe_worker: str,
        recovery: float = RECOVERY_SECONDS,
        steady: float = STEADY_SECONDS,
    ) -> None:
        self.deployment, self.book, self.http, self.probe_worker = deployment, book, http, probe_worker
        self.recovery, self.steady = recovery, steady
        self.faults: list[Fault] = []
        self.probes = 0

    async def run(self, names: list[str], lead: float) -> None:
        await asyncio.sleep(lead)
        for name in names:
            fault = Fault(name)
            self.faults.append(fault)
            fault.injected = self.book.journal.now()
            try:
                await asyncio.to_thread(INJECT[name], self.deployment, fault)
            except Exception as error:  # the run goes on, and says so
                fault.problems.append(f"the injection failed: {type(error).__name__}: {error}")
            deadline = fault.injected + self.recovery
            while self.book.journal.now() < deadline:
                if await self.probe():
                    fault.recovered = self.book.journal.now()
                    break
                await asyncio.sleep(PROBE_PAUSE_SECONDS)
            if fault.recovered is None:
                fault.problems.append(f"not recovered: the probe still failed {self.recovery:.0f} s after the fault")
            fault.window_end = self.book.journal.now()
            await asyncio.sleep(self.steady)
            fault.steady_end = self.book.journal.now()

    async def probe(self) -> bool:
        health = await asyncio.to_thread(self.deployment.health)
        if health is None or health.get("status") != "ok" or not await asyncio.to_thread(self.deployment.whole):
            return False
        self.probes += 1
        fields = {
            "workerId": self.probe_worker,
            "course": f"probe {self.probes}",
            "startedOn": date(2016, 6, 1).isoformat(),
        }
        command, payload = await self.book.send(self.http, "recordTraining", "probe", TRAINING, fields, give_up=0)
        return command.fate is Fate.ACKNOWLEDGED and payload is not None
