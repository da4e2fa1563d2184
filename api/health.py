"""What ``/healthz`` says: whether the database answers, and whether the read tables keep up with the ledger.

The answer is ``ok`` (HTTP 200) only when the database answers, a projection runner holds the
read tables' lock, and the tables are not falling behind. Otherwise it is ``degraded`` (HTTP 503,
the database answers but the read tables are not kept up to date, so figures may be stale) or
``unavailable`` (HTTP 503, the database does not answer). ``problems`` says why, in words.

``reads`` says where queries read (``api.read_routing``): ``"from": "replica"`` or ``"primary"``, and the
replica's state ("ok", "not configured", or why reads left it: "unreachable: ...", "lagging: ..."). A
replica that is down or lagging leaves the status ``ok``: reads carry on from the primary, as current as
ever, so it costs capacity, not correctness; monitor ``reads.from`` to hear of it.

Falling behind is judged from what this server process has seen: the read tables have not moved
for ``STALL_SECONDS`` while events wait, or the lag has grown by ``GROWTH_FLOOR`` events or more in
``GROWTH_SECONDS`` without ever falling back.
"""

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from api.projecting import Projected
from api.read_routing import ReadRouting, primary_only
from projections import runner, sessions, store
from projections.store import Target

STALL_SECONDS = 15.0
GROWTH_SECONDS = 30.0
GROWTH_FLOOR = 1000  # events: a lag that grows by less is a runner keeping up with bursts


@dataclass
class LagWatch:
    """The lags this process has seen lately, to tell a runner that keeps up from one that falls behind."""

    samples: deque[tuple[float, int]] = field(default_factory=deque)

    def growing(self, lag: int, now: float) -> bool:
        """Whether ``lag`` is ``GROWTH_FLOOR`` events or more above the lag of ``GROWTH_SECONDS`` ago,
        having never dipped below it nor reached zero in between."""
        self.samples.append((now, lag))
        while len(self.samples) > 2 and self.samples[1][0] <= now - GROWTH_SECONDS:
            self.samples.popleft()  # keep one sample older than the window: the baseline
        since, baseline = self.samples[0]
        if since > now - GROWTH_SECONDS or lag < baseline + GROWTH_FLOOR:
            return False
        return all(seen >= baseline and seen > 0 for _, seen in list(self.samples)[1:])


async def check(
    pool: asyncpg.Pool, target: Target, projected: Projected, watch: LagWatch, reads: ReadRouting | None = None
) -> tuple[int, dict[str, Any]]:
    """The status code and body of ``/healthz``; ``pool`` is the primary's, ``reads`` where queries read."""
    try:
        async with pool.acquire() as conn:
            head = await store.head(conn, target.events_table)
            built = await store.exists(conn, target.schema)
            reached = await runner.position(conn, target.schema) if built else 0
            running = await sessions.runner_running(conn, target.schema)
    except (OSError, asyncpg.PostgresError) as error:
        return 503, {"status": "unavailable", "database": str(error).splitlines()[0]}
    now = time.monotonic()
    projected.observe(reached)
    lag = max(head - reached, 0)
    problems = []
    if not running:
        problems.append("no projection runner is running: the read tables are not kept up to date")
    if lag and now - projected.moved_at > STALL_SECONDS:
        problems.append(f"the read tables have not moved for {now - projected.moved_at:.0f} s while {lag} events wait")
    if watch.growing(lag, now):
        problems.append(f"the projection lag has kept growing for {GROWTH_SECONDS:.0f} s")
    body = {
        "status": "degraded" if problems else "ok",
        "database": "ok",
        "runner": "running" if running else "down",
        "ledger_position": head,
        "projected_position": reached,
        "projection_lag": head - reached,
        "problems": problems,
        "reads": reads.report() if reads is not None else primary_only(),
    }
    return (503 if problems else 200), body
