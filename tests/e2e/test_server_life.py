"""``hrh serve`` and ``hrh demo`` run as a person runs them, and broken as servers break: a killed
runner, a killed server, a second demo, a demo load cut short, a ledger the demo did not load,
read tables behind an imported log."""

import contextlib
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psutil
import psycopg
import pytest

from api.database import scratch_database
from tests.e2e.api_support import HRH, free_port, stop

pytestmark = pytest.mark.integration


def env_for(url: str | None) -> dict[str, str]:
    """The environment for ``hrh`` on the database at ``url`` (None: the embedded one of ``--data-dir``)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return env if url is None else {**env, "DATABASE_URL": url}


def hrh(*args: str, url: str | None, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HRH, *args], env=env_for(url), capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture
def fresh_url(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, f"hrh_life_{uuid.uuid4().hex[:10]}") as url:
        yield url


@pytest.fixture(scope="module")
def demo_url(server_url: str) -> Iterator[str]:
    """A database holding a small demo loaded by ``hrh demo``, for the module."""
    with scratch_database(server_url, f"hrh_life_{uuid.uuid4().hex[:10]}") as url:
        loaded = hrh("demo", "--no-serve", "--scale", "0.1", url=url)
        assert loaded.returncode == 0, loaded.stderr
        yield url


@pytest.fixture(scope="module")
def demo_log(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The log of that demo."""
    log = tmp_path_factory.mktemp("log") / "demo.jsonl"
    assert hrh("export-log", str(log), url=demo_url).returncode == 0
    return log


@contextmanager
def serving(
    *args: str, url: str | None, tmp_path: Path, port: int | None = None, log: Path | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``hrh serve`` (or the command in ``args``) on a free port, its output in ``log``, stopped afterwards;
    yields the process and its base URL."""
    port = port or free_port()
    command = list(args) or ["serve"]
    output = (log or tmp_path / f"serve-{port}-{uuid.uuid4().hex[:6]}.log").open("w")
    process = subprocess.Popen(
        [HRH, *command, "--host", "127.0.0.1", "--port", str(port)],
        env=env_for(url),
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        stop(process)
        output.close()


def first_answer(base: str, process: subprocess.Popen[bytes], seconds: float = 90) -> httpx.Response:
    """The first answer of ``/healthz``, whatever its status."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server exited with {process.returncode}"
        try:
            return httpx.get(f"{base}/healthz", timeout=5)
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("the server never answered")


def wait_for_health(base: str, process: subprocess.Popen[bytes], status: int, seconds: float = 90) -> dict[str, Any]:
    """Polls ``/healthz`` until it answers with ``status``; returns the body."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server exited with {process.returncode}"
        try:
            response = httpx.get(f"{base}/healthz", timeout=5)
            if response.status_code == status:
                body = response.json()
                assert isinstance(body, dict)
                return body
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"/healthz never answered {status}")


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def runner_of(server: subprocess.Popen[bytes], port: int) -> int:
    """The pid of the server's projection runner: its child process that does not listen on ``port``."""
    for child in psutil.Process(server.pid).children():
        if "spawn_main" not in " ".join(child.cmdline()):
            continue  # multiprocessing's resource tracker
        if not any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in child.net_connections("tcp")):
            return child.pid
    raise AssertionError("the server has no projection runner")


def test_a_killed_runner_is_restarted_and_healthz_says_degraded_until_then(fresh_url: str, tmp_path: Path) -> None:
    port = free_port()
    with serving("serve", "--workers", "1", url=fresh_url, tmp_path=tmp_path, port=port) as (server, base):
        assert wait_for_health(base, server, 200)["status"] == "ok"
        killed = runner_of(server, port)
        os.kill(killed, signal.SIGKILL)
        # While no runner keeps the read tables up to date, the server says so.
        degraded = wait_for_health(base, server, 503, seconds=30)
        assert degraded["status"] == "degraded" and degraded["runner"] == "down"
        assert any("no projection runner" in problem for problem in degraded["problems"])
        # The runner is started again, and the server is well again.
        recovered = wait_for_health(base, server, 200)
        assert recovered["status"] == "ok" and recovered["runner"] == "running"
        assert runner_of(server, port) != killed


def test_killing_the_server_ends_its_workers_and_a_new_server_takes_the_port_at_once(
    fresh_url: str, tmp_path: Path
) -> None:
    port = free_port()
    with serving(url=fresh_url, tmp_path=tmp_path, port=port) as (server, base), httpx.Client() as client:
        wait_for_health(base, server, 200)
        children = [child.pid for child in psutil.Process(server.pid).children()]
        for _ in range(20):  # keep-alive connections: the dying workers close them, leaving TIME_WAIT on the port
            client.get(f"{base}/healthz")
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        deadline = time.monotonic() + 20
        while any(alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        orphans = [pid for pid in children if alive(pid)]
        for pid in orphans:
            os.kill(pid, signal.SIGKILL)
        assert not orphans, "workers outlived their server"
    # The new server checks the port as any does (its workers' number does not matter): one worker starts quicker.
    with serving("serve", "--workers", "1", url=fresh_url, tmp_path=tmp_path, port=port) as (again, base):
        assert wait_for_health(base, again, 200)["status"] == "ok"


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A data folder for an embedded PostgreSQL (short: its socket's path is limited to ~100 bytes)."""
    folder = Path(f"/tmp/hrh-life-{uuid.uuid4().hex[:8]}")
    yield folder
    with contextlib.suppress(OSError, ValueError, psutil.Error):  # a server stopped by SIGTERM leaves it running
        postmaster = psutil.Process(int((folder / "pgdata" / "postmaster.pid").read_text().split()[0]))
        postmaster.terminate()
        postmaster.wait(timeout=30)
    shutil.rmtree(folder, ignore_errors=True)


def test_a_second_demo_on_the_data_folder_of_a_running_server_names_the_server_and_stops(
    data_dir: Path, tmp_path: Path
) -> None:
    folder = ("--data-dir", str(data_dir))
    with serving("serve", "--workers", "1", *folder, url=None, tmp_path=tmp_path) as (server, base):
        wait_for_health(base, server, 200)
        second = hrh("demo", "--no-serve", "--scale", "0.1", *folder, url=None, timeout=60)
    assert second.returncode == 1
    said = " ".join(second.stderr.split())
    assert f"A server is running on the data folder {data_dir}" in said and f"pid {server.pid}" in said, said
    assert f"kill {server.pid}" in said
    assert "Recording the demo" not in second.stdout


def events_in(url: str) -> int:
    with psycopg.connect(url) as conn:
        try:
            row = conn.execute("SELECT count(*) FROM ledger_events").fetchone()
        except psycopg.errors.UndefinedTable:
            return 0
    return int(row[0]) if row else 0


def test_an_interrupted_demo_load_is_refused_with_the_command_to_start_over(fresh_url: str) -> None:
    loading = subprocess.Popen(
        [HRH, "demo", "--no-serve", "--scale", "0.3"],
        env=env_for(fresh_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while not events_in(fresh_url):  # Ctrl-C once the first events are in
            assert loading.poll() is None, "the demo ended before it recorded anything"
            time.sleep(0.02)
        loading.send_signal(signal.SIGINT)
        assert loading.wait(timeout=60) != 0
    finally:
        with contextlib.suppress(ProcessLookupError):  # with any child process of its load
            os.killpg(loading.pid, signal.SIGKILL)
    partial = events_in(fresh_url)
    again = hrh("demo", "--no-serve", "--scale", "0.3", url=fresh_url)
    assert again.returncode == 1
    said = " ".join(again.stderr.split())
    assert "was interrupted" in said and "dropdb" in said and "then hrh demo" in said, said
    assert "Qualified health workers" not in again.stdout  # no figures, as if complete
    assert events_in(fresh_url) == partial


def users_in(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        try:
            return {row[0] for row in conn.execute("SELECT name FROM hrh_accounts.users")}
        except psycopg.errors.UndefinedTable:
            return set()


def test_demo_makes_its_users_only_on_a_ledger_it_loaded(
    demo_url: str, demo_log: Path, fresh_url: str, tmp_path: Path
) -> None:
    # A ledger the demo did not load: the first events of the demo's log, imported.
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text("".join(demo_log.read_text(encoding="utf-8").splitlines(keepends=True)[:2000]), encoding="utf-8")
    assert hrh("import-log", str(foreign), url=fresh_url).returncode == 0
    log = tmp_path / "demo.log"
    with serving("demo", url=fresh_url, tmp_path=tmp_path, log=log) as (server, base):
        wait_for_health(base, server, 200)
    said = " ".join(log.read_text().split())
    assert "No demo users" in said and "Bearer" not in said, said
    assert not {name for name in users_in(fresh_url) if name.startswith("demo.")}
    # On a ledger it loaded itself, the demo makes its users (anew on each run).
    log = tmp_path / "own.log"
    with serving("demo", url=demo_url, tmp_path=tmp_path, log=log) as (server, base):
        wait_for_health(base, server, 200)
    assert "Bearer" in log.read_text() and users_in(demo_url) >= {"demo.admin", "demo.hr"}


def test_after_import_log_the_server_opens_only_once_the_read_tables_are_current(
    demo_log: Path, fresh_url: str, tmp_path: Path
) -> None:
    imported = hrh("import-log", str(demo_log), url=fresh_url)
    assert imported.returncode == 0, imported.stderr
    with serving(url=fresh_url, tmp_path=tmp_path) as (server, base):
        first = first_answer(base, server).json()
    assert first["projection_lag"] == 0 and first["projected_position"] == first["ledger_position"] > 10_000, first
