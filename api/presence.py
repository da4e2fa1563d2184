"""Which ``hrh`` server works on a database, so that another command can name it instead of waiting on it.

Every connection of ``hrh serve`` (its workers' and its projection runner's) carries an
application name such as ``hrh serve pid 4242 on 127.0.0.1:8000``, and ``hrh project``'s carries
``hrh project pid 4343``; ``hrh demo`` holds one named ``hrh demo pid 4444`` while it runs. ``hrh
demo`` looks for them before it touches the database: the projection runner of a live server holds
the lock the demo's catch-up would wait on forever, and another demo's load is still under way.
"""

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
import psycopg

from projections import sessions

SERVE, PROJECT, DEMO = "hrh serve", "hrh project", "hrh demo"
NAME_LIMIT = 63  # PostgreSQL keeps this many bytes of an application name


class ServerRunning(Exception):
    """Raised when an ``hrh serve``, ``hrh project`` or ``hrh demo`` process works on the database already."""


def serve_name(host: str, port: int) -> str:
    """The application name of this ``hrh serve`` process's connections (and its children's)."""
    return f"{SERVE} pid {os.getpid()} on {host}:{port}"[:NAME_LIMIT]


def project_name() -> str:
    return f"{PROJECT} pid {os.getpid()}"


def demo_name() -> str:
    return f"{DEMO} pid {os.getpid()}"


@contextmanager
def present(url: str, name: str) -> Iterator[None]:
    """Holds a connection named ``name`` to the database at ``url`` for the block, so others can see it."""
    with psycopg.connect(named(url, name), autocommit=True):
        yield


def named(url: str, name: str) -> str:
    """``url`` with ``application_name`` set to ``name`` (understood by psycopg and asyncpg alike)."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "application_name"]
    query.append(("application_name", name))
    return urlunsplit(parts._replace(query=urlencode(query)))


async def others(url: str) -> list[str]:
    """The ``hrh serve``, ``hrh project`` and ``hrh demo`` processes connected to the database at ``url``."""
    conn = await asyncpg.connect(url)
    try:
        return await sessions.named(conn, (SERVE, PROJECT, DEMO))
    finally:
        await conn.close()


def refuse_if_served(url: str, place: str) -> None:
    """Raises ``ServerRunning`` when another ``hrh`` process serves, projects or loads the database at ``url``.

    Args:
        url: the database.
        place: how to name the database to a person (its data folder, or its URL without password).
    """
    found = asyncio.run(others(url))
    if found:
        what = "Another hrh demo is" if all(name.startswith(DEMO) for name in found) else "A server is"
        pids = sorted({name.split(" pid ", 1)[1].split()[0] for name in found if " pid " in name})
        raise ServerRunning(
            f"{what} running on {place}: {'; '.join(found)}. Stop it first "
            f"(Ctrl-C in its terminal, or kill {' '.join(pids)}), "
            "or point this command at another data folder or database."
        )
