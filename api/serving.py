"""``hrh serve``: server processes serving the app (``api.server_processes``), and the projection runner in a child.

Each worker process has its own ``Ledger`` and its own connections; what makes commands safe
across them (optimistic concurrency, one result per ``commandId``) is enforced by the database,
so it holds across processes as it does across threads. Each worker listens for the runner's
announcements (``api.projecting.Projected``) to answer read-your-writes.
"""

import asyncio
import os
from collections.abc import Callable

import asyncpg
import uvicorn
from fastapi import FastAPI

from api import presence, projecting, server_processes
from api.app import create_app
from api.database import open_ledger
from api.settings import Settings
from projections import accounts, collector


def default_workers() -> int:
    """One worker process per core, at least two (Python runs one thread at a time per process)."""
    return max(2, len(os.sched_getaffinity(0)))


def run_server(
    url: str,
    settings: Settings,
    host: str,
    port: int,
    *,
    projections: bool,
    workers: int,
    before_opening: Callable[[str], None] | None = None,
) -> None:
    """Serves until interrupted; with ``projections``, a child process keeps the read tables live.

    The port is checked first, then ``before_opening`` runs on the server's URL (``hrh serve``
    catches the read tables up there, with progress), then the runner starts, under a supervisor that restarts it
    if it dies, and the workers open the port. Every connection of the server carries its name
    (``api.presence``), so that other commands can tell it is there.

    Raises:
        PortInUse: another process listens on ``host:port``.
    """
    server_processes.check_port(host, port)
    url = presence.named(url, presence.serve_name(host, port))
    prepare(url, settings)
    if before_opening is not None:
        before_opening(url)
    supervisor = projecting.Supervisor(url) if projections else None
    try:
        if workers == 1:
            uvicorn.run(app_for(url, settings), host=host, port=port, access_log=False)
        else:
            os.environ["DATABASE_URL"] = url  # the workers read their settings from the environment
            server_processes.serve(host, port, workers)
    finally:
        if supervisor is not None:
            supervisor.stop()


def prepare(url: str, settings: Settings) -> None:
    """Creates the ledger's and the accounts' tables once, before workers and the runner race to."""
    open_ledger(url, settings).close()

    async def accounts_table() -> None:
        conn = await asyncpg.connect(url)
        try:
            await accounts.ensure_table(conn)
        finally:
            await conn.close()

    asyncio.run(accounts_table())


def app_for(url: str, settings: Settings) -> FastAPI:
    """The app on a database ``prepare`` has made ready: its ledger creates no table, since the
    library replaces its insert function as it does, and two workers replacing it at once fail
    ("tuple concurrently updated")."""
    token = settings.admin_token.get_secret_value() if settings.admin_token else None
    return create_app(url, open_ledger(url, settings, CREATE_TABLE="no"), admin_token=token)


def worker_app() -> FastAPI:
    """The app of one worker process (uvicorn calls this in each)."""
    settings = Settings()
    if settings.database_url is None:
        raise RuntimeError("a worker process needs DATABASE_URL")
    app = app_for(settings.database_url, settings)
    collector.settle()  # the modules, the schema and the app, kept for the process's life
    return app
