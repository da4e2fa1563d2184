"""The projection runner beside the API, and read-your-writes waits woken by what it announces.

``hrh serve`` runs the runner in a child process of its own (``start_child``), so that projecting
does not share the server's interpreter lock; ``hrh project`` runs the same loop. Either way the
runner announces each position it commits (``projections.runner.run`` with ``announce``). Each
server process LISTENs for that (``Projected``) and wakes the requests waiting for the position;
they also read the tracking row now and then, so a lost notification or connection only delays
them.
"""

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from multiprocessing.process import BaseProcess

import asyncpg

from projections import collector, runner
from projections.store import Target

log = logging.getLogger("hrh.projections")

FALLBACK_SECONDS = 0.25  # how often a waiter reads the tracking row itself
WATCH_SECONDS = 0.2  # how often the supervisor looks at the runner's process
RESTART_PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)  # before each restart in a row
STEADY_SECONDS = 60.0  # a runner up this long has recovered: the next restart waits the shortest pause


class Projected:
    """What the read tables include, as the runner announces it, for one server process."""

    def __init__(self, url: str, schema: str) -> None:
        self.url = url
        self.schema = schema
        self.reached = 0
        self.moved_at = time.monotonic()  # when ``reached`` last changed
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._listener: asyncpg.Connection | None = None
        self._connecting = asyncio.Lock()

    async def start(self) -> None:
        """Listens first, then reads the tracking row, so that no announcement falls in between."""
        async with self._connecting:
            if self._listener is not None and not self._listener.is_closed():
                return
            conn = await asyncpg.connect(self.url)
            await conn.add_listener(runner.projected_channel(self.schema), self._heard)
            self._listener = conn
            with contextlib.suppress(asyncpg.UndefinedTableError):
                self._reach(await runner.position(conn, self.schema))

    async def close(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
            self._listener = None

    def _heard(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        self._reach(int(str(payload)))  # the runner's announcement: a ledger position, as text

    def observe(self, position: int) -> None:
        """Takes note of the tracking position read by the caller (as an announcement would)."""
        self._reach(position)

    def _reach(self, position: int) -> None:
        if position != self.reached:
            self.moved_at = time.monotonic()
        self.reached = position
        waiting = []
        for wanted, future in self._waiters:
            if wanted <= position:
                if not future.done():
                    future.set_result(None)
            else:
                waiting.append((wanted, future))
        self._waiters = waiting

    async def wait_for(self, pool: asyncpg.Pool, position: int, timeout: float) -> bool:
        """Read-your-writes: waits until the read tables include ``position``; False on timeout."""
        deadline = time.monotonic() + timeout
        while self.reached < position:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return await self._read(pool) >= position
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append((position, future))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(future, timeout=min(remaining, FALLBACK_SECONDS))
            if self.reached < position:  # no word from the runner: listen again if need be, and read
                self._waiters = [(w, f) for w, f in self._waiters if f is not future]
                with contextlib.suppress(OSError, asyncpg.PostgresError):
                    await self.start()
                await self._read(pool)
        return True

    async def _read(self, pool: asyncpg.Pool) -> int:
        with contextlib.suppress(asyncpg.UndefinedTableError):
            self._reach(await runner.position(pool, self.schema))
        return self.reached


class Supervisor:
    """Keeps the runner's child process alive: a child that dies is started again, after a pause
    that doubles with each death in a row (``RESTART_PAUSES``), so a runner that cannot start does
    not spin. ``/healthz`` says "degraded" while no runner holds the lock (``api.health``)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._stop = threading.Event()
        self._process = start_child(url)
        self._thread = threading.Thread(target=self._watch, name="hrh-runner-supervisor", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        failures = 0
        started = time.monotonic()
        while not self._stop.wait(WATCH_SECONDS):
            if self._process.is_alive():
                if time.monotonic() - started > STEADY_SECONDS:
                    failures = 0
                continue
            pause = RESTART_PAUSES[min(failures, len(RESTART_PAUSES) - 1)]
            if self._stop.wait(pause):  # the server is stopping: so did the runner
                return
            log.warning(
                "the projection runner (pid %s) exited with %s; starting another (after %.1f s)",
                self._process.pid,
                self._process.exitcode,
                pause,
            )
            failures += 1
            started = time.monotonic()
            self._process = start_child(self.url)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        stop_child(self._process)


def start_child(url: str) -> BaseProcess:
    """The runner in a process of its own; it stops with this one (or when this one is gone)."""
    process = multiprocessing.get_context("spawn").Process(
        target=_child, args=(url, os.getpid()), name="hrh-project", daemon=True
    )
    process.start()
    return process


def stop_child(process: BaseProcess) -> None:
    if process.is_alive():
        process.terminate()  # SIGTERM: the child finishes its batch and exits
        process.join(timeout=5)
    if process.is_alive():
        process.kill()
        process.join()


def _child(url: str, parent: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(name)s: %(message)s")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)

        async def orphaned() -> None:
            while not stop.is_set() and os.getppid() == parent:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=1)
            stop.set()

        watch = asyncio.create_task(orphaned())
        collector.settle()
        await runner.run(url, Target.of_ledger(), stop, announce=True)
        await watch

    asyncio.run(main())
