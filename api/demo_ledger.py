"""What ``hrh demo`` finds in a database, and its load of the demo data set, marked from start to end.

``hrh demo`` loads the demo only into an empty ledger. It marks the ledger before the first event
and again after the last (``projections.demo_loads``), so that a load cut short (Ctrl-C, a crash)
is recognised by the next run, which refuses to build read tables on it or to show its figures,
and says how to start over. It makes its ready-made users, whose tokens it prints, only on a
ledger that it loaded itself: never on someone's real ledger.
"""

import asyncio
import enum
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from api.settings import Settings
from domain.ledger import Ledger
from projections import demo_loads, store
from projections.store import Target
from replay.loading import DemoSummary, load_demo


class Found(enum.Enum):
    """What ``hrh demo`` finds in the database."""

    EMPTY = "no events"
    DEMO = "the whole demo, loaded by hrh demo"
    OTHER = "a ledger hrh demo did not load"


class LoadInterrupted(Exception):
    """Raised when the ledger holds a demo load that was interrupted before its end."""


def place(settings: Settings) -> str:
    """The database as a person knows it: its data folder, or its URL without the password."""
    if settings.database_url is None:
        return f"the data folder {settings.data_dir}"
    parts = urlsplit(settings.database_url)
    host = parts.hostname or ""
    return f"the database {parts.path.lstrip('/') or 'postgres'} at {host}{f':{parts.port}' if parts.port else ''}"


def start_over(settings: Settings) -> str:
    """The commands that empty the database, so that ``hrh demo`` can load the demo anew."""
    if settings.database_url is None:
        return f"rm -rf {settings.data_dir} && hrh demo"
    name = urlsplit(settings.database_url).path.lstrip("/") or "postgres"
    return f"dropdb {name} && createdb {name} (or point DATABASE_URL at an empty database), then hrh demo"


def inspect(url: str, settings: Settings) -> Found:
    """What the database at ``url`` holds.

    Raises:
        LoadInterrupted: a demo load began there and never finished.
    """

    async def look() -> tuple[int, demo_loads.DemoLoad | None]:
        conn = await asyncpg.connect(url)
        try:
            events = Target.of_ledger().events_table
            head = await store.head(conn, events) if await store.ledger_exists(conn, events) else 0
            return head, await demo_loads.mark(conn)
        finally:
            await conn.close()

    head, mark = asyncio.run(look())
    if mark is not None and mark.finished_at is None and head:
        raise LoadInterrupted(
            f"The demo load begun on {mark.started_at:%Y-%m-%d %H:%M} UTC (seed {mark.seed}, scale {mark.scale:g}) "
            f"was interrupted after {head:,} events: the ledger holds part of the demo, and its figures are wrong. "
            f"Start over from an empty database: {start_over(settings)}"
        )
    if not head:
        return Found.EMPTY
    return Found.DEMO if mark is not None else Found.OTHER


def load(url: str, ledger: Ledger, seed: int, scale: float, progress: Callable[[int], Any]) -> DemoSummary:
    """Loads the demo into the (empty) ledger, marked as begun before its first event and finished after its last."""
    asyncio.run(_marking(url, demo_loads.begin, seed, scale))
    summary = load_demo(ledger, seed=seed, scale=scale, progress=progress)
    asyncio.run(_marking(url, demo_loads.finish))
    return summary


async def _marking(url: str, step: Callable[..., Any], *args: Any) -> None:
    conn = await asyncpg.connect(url)
    try:
        await step(conn, *args)
    finally:
        await conn.close()
