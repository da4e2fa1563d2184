"""Which ``hrh`` server works on a database, so that another command can name it instead of waiting on it.

Every connection of ``hrh serve`` (its workers' and its projection runner's) carries an
application name such as ``hrh serve pid 4242 on 127.0.0.1:8000``, and ``hrh project``'s carries
``hrh project pid 4343``. ``hrh demo`` looks for them before it touches the database: the
projection runner of a live server holds the lock the demo's catch-up would wait on forever.
"""

import asyncio
import os
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

from projections import sessions

SERVE, PROJECT = "hrh serve", "hrh project"
NAME_LIMIT = 63  # PostgreSQL keeps this many bytes of an application name


class ServerRunning(Exception):
    """Raised when an ``hrh serve`` or ``hrh project`` process works on the database already."""


def serve_name(host: str, port: int) -> str:
    """The application name of this ``hrh serve`` process's connections (and its children's)."""
    return f"{SERVE} pid {os.getpid()} on {host}:{port}"[:NAME_LIMIT]


def project_name() -> str:
    return f"{PROJECT} pid {os.getpid()}"


def named(url: str, name: str) -> str:
    """``url`` with ``application_name`` set to ``name`` (understood by psycopg and asyncpg alike)."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "application_name"]
    query.append(("application_name", name))
    return urlunsplit(parts._replace(query=urlencode(query)))


async def others(url: str) -> list[str]:
    """The ``hrh serve`` and ``hrh project`` processes connected to the database at ``url``."""
    conn = await asyncpg.connect(url)
    try:
        return await sessions.named(conn, (SERVE, PROJECT))
    finally:
        await conn.close()


def refuse_if_served(url: str, place: str) -> None:
    """Raises ``ServerRunning`` when another ``hrh`` process serves or projects the database at ``url``.

    Args:
        url: the database.
        place: how to name the database to a person (its data folder, or its URL without password).
    """
    found = asyncio.run(others(url))
    if found:
        pids = sorted({name.split(" pid ", 1)[1].split()[0] for name in found if " pid " in name})
        raise ServerRunning(
            f"A server is running on {place}: {'; '.join(found)}. Stop it first "
            f"(Ctrl-C in its terminal, or kill {' '.join(pids)}), "
            "or point this command at another data folder or database."
        )
