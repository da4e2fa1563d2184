"""Where queries read: a streaming replica (``HRH_READ_DATABASE_URL``) while it answers and keeps up, else the primary.

Commands, accounts, web sessions and the projection runner always use the primary (``DATABASE_URL``):
a hot standby refuses every write. Queries (GraphQL reads, the pages, the exports) read the same
read tables on the replica, which replays the primary's WAL. Each request takes the pool chosen at
its start (``ReadRouting.pool``), so all of its reads come from one server.

The replica is looked at every ``CHECK_SECONDS`` on a connection of its own: its read tables'
tracking position against the primary's. Its lag is judged in the ledger's terms, on this process's
clock: for how long the primary's read tables have held a position the replica's do not. A replica
that is idle but has replayed everything lags 0 s, however long ago its last transaction was. Reads
fall back to the primary while the replica lags more than ``HRH_READ_MAX_LAG_SECONDS``, or cannot
be reached (that watching connection closing is noticed at once), and return when it is back.

Read-your-writes (``including``): after a command, the request that waits for the read tables to
include it (the mutation's answer, ``caughtUp``) also waits until the replica has replayed the
transaction that projected it; the primary always has it first, since the replica replays its WAL.
"""

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from projections import runner

log = logging.getLogger("hrh.api")

CHECK_SECONDS = 1.0  # how often the replica's position is read
CHECK_TIMEOUT = 2.0  # a replica that takes longer to connect or answer is unreachable
POLL_SECONDS = 0.02  # how often read-your-writes reads the replica's position while it waits
NOT_CHECKED = "not checked yet"
UNREACHABLE = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


@dataclass
class Lag:
    """How long the replica's read tables have trailed the primary's, from the positions seen at each check."""

    ahead: deque[tuple[float, int]] = field(default_factory=deque)  # (first seen at, the primary's position)

    def seconds(self, now: float, primary: int, replica: int) -> float:
        """Since when the primary has held a position the replica does not; 0 when the replica holds all it
        held (however idle both are)."""
        if self.ahead and primary < self.ahead[-1][1]:
            self.ahead.clear()  # the primary's tables were rebuilt: start again
        if not self.ahead or primary > self.ahead[-1][1]:
            self.ahead.append((now, primary))
        while self.ahead and self.ahead[0][1] <= replica:
            self.ahead.popleft()
        return now - self.ahead[0][0] if self.ahead else 0.0


@dataclass
class ReplicaState:
    """What the last check found: the replica's position and lag, or why it cannot be used."""

    position: int | None = None
    lag_seconds: float | None = None
    problem: str | None = NOT_CHECKED

    @property
    def usable(self) -> bool:
        return self.problem is None


def judged(primary: int, replica: int, lag_seconds: float, max_lag_seconds: float, *, was_usable: bool) -> ReplicaState:
    """The state of a replica whose read tables are at position ``replica``, ``lag_seconds`` behind the primary's,
    which were at ``primary`` just before.

    A replica that lags more than ``max_lag_seconds`` is left; one that was left is used again only once it
    holds all the primary held when checked, so that reads never move to a replica that lacks what a caller
    was told is included (read-your-writes), and do not flap at the limit.
    """
    problem = None
    if lag_seconds > max_lag_seconds:
        problem = f"lagging: {lag_seconds:.1f} s behind the primary (HRH_READ_MAX_LAG_SECONDS is {max_lag_seconds:g})"
    elif replica < primary and not was_usable:
        problem = f"catching up: at position {replica}, the primary at {primary}"
    return ReplicaState(replica, round(lag_seconds, 3), problem)


def unreachable(error: BaseException | str) -> ReplicaState:
    """The state of a replica that could not be read, and why (the error's first line)."""
    if isinstance(error, TimeoutError):
        said = f"no answer within {CHECK_TIMEOUT:g} s"
    else:
        said = error if isinstance(error, str) else next(iter(str(error).strip().splitlines()), "")
    return ReplicaState(problem=f"unreachable: {said or type(error).__name__}")


class ReadRouting:
    """Which pool queries read from, for one process: the replica's when it is usable, else the primary's."""

    def __init__(
        self,
        primary: asyncpg.Pool,
        replica_url: str,
        schema: str,
        max_lag_seconds: float,
        *,
        reset: Callable[[asyncpg.Connection], Awaitable[None]] | None = None,
    ) -> None:
        self.primary = primary
        self.replica_url = replica_url
        self.schema = schema
        self.max_lag_seconds = max_lag_seconds
        self.reset = reset  # what the replica's pool does with a connection given back (as the primary's)
        self.state = ReplicaState()
        self.lag = Lag()
        self.replica: asyncpg.Pool | None = None
        self._watcher: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Opens the replica's pool (connecting only when used, so a replica down at start is no failure),
        checks it once, then goes on checking it in the background."""
        self.replica = await asyncpg.create_pool(self.replica_url, min_size=0, max_size=10, reset=self.reset)
        await self.check()
        self._task = asyncio.create_task(self._keep_checking(), name="hrh-read-routing")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._drop_watcher()
        if self.replica is not None:
            await self.replica.close()

    @property
    def pool(self) -> asyncpg.Pool:
        """The pool a request starting now reads from."""
        return self.replica if self.replica is not None and self.state.usable else self.primary

    @property
    def from_replica(self) -> bool:
        return self.pool is not self.primary

    async def _keep_checking(self) -> None:
        while True:
            await asyncio.sleep(CHECK_SECONDS)
            try:
                await self.check()
            except UNREACHABLE as error:  # the primary's position could not be read: judge next time
                log.warning("could not read the primary's position to judge the replica: %s", error)

    async def check(self) -> None:
        """Reads both positions and decides where reads go (``observe``)."""
        primary = await asyncio.wait_for(self._position(self.primary), CHECK_TIMEOUT)
        replica: int | BaseException
        try:
            replica = await asyncio.wait_for(self._position(await self._watching()), CHECK_TIMEOUT)
        except UNREACHABLE as error:
            await self._drop_watcher()
            replica = error
        self.observe(primary, replica, time.monotonic())

    def observe(self, primary: int, replica: int | BaseException, now: float) -> None:
        """Decides where reads go from one check: the primary's position, and the replica's (read just after)
        or why it could not be read."""
        if isinstance(replica, BaseException):
            self._set(unreachable(replica))
            return
        lag = self.lag.seconds(now, primary, replica)
        self._set(judged(primary, replica, lag, self.max_lag_seconds, was_usable=self.state.usable))

    async def _position(self, db: asyncpg.Pool | asyncpg.Connection) -> int:
        try:
            return await runner.position(db, self.schema)
        except asyncpg.UndefinedTableError:  # the read tables are not built yet
            return 0

    async def _watching(self) -> asyncpg.Connection:
        """The connection checks use; when the replica drops it (stopped, restarted), reads leave it at once."""
        if self._watcher is None or self._watcher.is_closed():
            self._watcher = await asyncpg.connect(self.replica_url, timeout=CHECK_TIMEOUT)
            self._watcher.add_termination_listener(self._lost)
        return self._watcher

    def _lost(self, _conn: object) -> None:
        self._set(unreachable("the connection to the replica closed"))

    async def _drop_watcher(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.remove_termination_listener(self._lost)
            with contextlib.suppress(Exception):
                await watcher.close(timeout=1)

    def _set(self, state: ReplicaState) -> None:
        if state.usable != self.state.usable or self.state.problem == NOT_CHECKED:
            if state.usable:
                log.warning("reads go to the replica")
            else:
                log.warning("reads go to the primary: the replica is %s", state.problem)
        self.state = state

    async def including(self, position: int, timeout: float) -> asyncpg.Pool | None:
        """Read-your-writes on the replica: the pool reads go to, once it includes ``position`` (which the caller
        has seen the primary's tables include); None when the replica has not replayed it within ``timeout``."""
        deadline = time.monotonic() + timeout
        while (pool := self.pool) is not self.primary:
            remaining = deadline - time.monotonic()
            try:
                if await asyncio.wait_for(self._position(pool), CHECK_TIMEOUT) >= position:
                    return pool
            except UNREACHABLE as error:
                self._set(unreachable(error))
                continue  # reads now go to the primary, which includes it
            if remaining <= 0:
                return None
            await asyncio.sleep(min(POLL_SECONDS, remaining))
        return self.primary

    def report(self) -> dict[str, Any]:
        """The ``reads`` section of ``/healthz``."""
        state = self.state
        return {
            "from": "replica" if self.from_replica else "primary",
            "replica": state.problem or "ok",
            "replica_position": state.position,
            "replica_lag_seconds": state.lag_seconds,
        }


def primary_only() -> dict[str, Any]:
    """The ``reads`` section of ``/healthz`` with no replica configured."""
    return {"from": "primary", "replica": "not configured", "replica_position": None, "replica_lag_seconds": None}
