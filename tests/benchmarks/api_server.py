"""The server under benchmark: ``hrh serve`` as shipped, or one worker under cProfile, in a
subprocess whose processes the benchmark can pause, measure and stop.

    .venv/bin/python -m tests.benchmarks.api_server OUT PORT   # the profiled server (bench_api --profile)
"""

import contextlib
import cProfile
import json
import os
import pstats
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from domain.ledger import Ledger

SERVER_START_TIMEOUT = 20 * 60


def percentiles(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "max": max(values), "mean": statistics.fmean(values), "n": len(values)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``hrh serve`` (or, with ``profile``, this module's profiling server) in a subprocess."""

    def __init__(self, url: str, token: str, profile: Path | None = None, workers: int | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": url, "HRH_ADMIN_TOKEN": token}
        hrh = Path(sys.executable).with_name("hrh")
        if profile is not None:
            command = [sys.executable, "-m", "tests.benchmarks.api_server", str(profile), str(self.port)]
        else:
            runs = [str(hrh)] if hrh.exists() else [sys.executable, "-c", "from api.cli import app; app()"]
            command = [*runs, "serve", "--port", str(self.port)]
            command += ["--workers", str(workers)] if workers else []
        self.log_path = Path(f"/tmp/hrh-bench-api-{self.port}.log")
        self.log_file = self.log_path.open("w")
        self.process = subprocess.Popen(command, env=env, stdout=self.log_file, stderr=subprocess.STDOUT)

    def wait_ready(self) -> float:
        """Seconds until /healthz answers with the runner caught up with the ledger."""
        started = time.perf_counter()
        while time.perf_counter() - started < SERVER_START_TIMEOUT:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}; see {self.log_path}")
            with contextlib.suppress(httpx.HTTPError):
                health = httpx.get(f"{self.base}/healthz", timeout=5).json()
                if health.get("status") == "ok" and health.get("projection_lag") == 0:
                    return time.perf_counter() - started
            time.sleep(0.5)
        raise RuntimeError(f"the server was not ready in {SERVER_START_TIMEOUT / 60:.0f} minutes")

    def wait_settled(self, idle: float = 0.05, window: float = 1.0) -> float:
        """Seconds from now until the server's processes use under ``idle`` of a core over ``window``
        seconds: ready (``wait_ready``) comes as soon as the runner holds its lock, and it then
        loads every unit's functions into memory, longer the larger the ledger (seconds at scale
        10), while the workers already answer. Timed queries wait for the steady state."""
        started = time.perf_counter()
        used = self.cpu_seconds()
        while time.perf_counter() - started < SERVER_START_TIMEOUT:
            time.sleep(window)
            now = self.cpu_seconds()
            if now - used < idle * window:
                return time.perf_counter() - started
            used = now
        raise RuntimeError(f"the server was still busy after {SERVER_START_TIMEOUT / 60:.0f} minutes")

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """The server's processes stopped (SIGSTOP), so that the in-process baseline has the cores."""
        processes = self.tree()
        for pid in processes:
            os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for pid in processes:
                os.kill(pid, signal.SIGCONT)

    def tree(self) -> list[int]:
        """The server's process and its descendants (worker processes, the runner)."""
        found, pending = [], [self.process.pid]
        while pending:
            pid = pending.pop()
            found.append(pid)
            with contextlib.suppress(OSError):
                for task in Path(f"/proc/{pid}/task").iterdir():
                    pending += [int(child) for child in (task / "children").read_text().split()]
        return found

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server's processes have used so far."""
        total = 0.0
        for pid in self.tree():
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def peak_rss_mb(self) -> float:
        """The sum of the server's processes' peak resident sizes."""
        total = 0.0
        for pid in self.tree():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1]) / 1024
        return total

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


def serve_profiled(out: Path, port: int) -> None:
    """``hrh serve --workers 1`` as the CLI runs it (the runner in its child process), under cProfile.

    SIGUSR1 forgets what was profiled so far (the start-up); SIGUSR2 writes the profiles and
    timings since the last signal to ``out`` + ``.<n>.loop`` / ``.<n>.threads`` / ``.<n>.json``.
    """
    import uvicorn

    from api import projecting
    from api.app import create_app
    from api.database import open_ledger
    from api.projecting import Projected
    from api.settings import Settings

    settings = Settings()
    assert settings.database_url is not None and settings.admin_token is not None
    ledger = open_ledger(settings.database_url, settings)
    profiles: list[cProfile.Profile] = []
    local = threading.local()
    timings: dict[str, list[float]] = {"execute": [], "wait_for": []}
    execute, wait_for = Ledger.execute, Projected.wait_for
    loop_profile = cProfile.Profile()
    dumps = 0

    def profiled_execute(self: Ledger, *args: Any, **kwargs: Any) -> Any:
        profile = getattr(local, "profile", None)
        if profile is None:
            profile = local.profile = cProfile.Profile()
            profiles.append(profile)
        started = time.perf_counter()
        profile.enable()
        try:
            return execute(self, *args, **kwargs)
        finally:
            profile.disable()
            timings["execute"].append((time.perf_counter() - started) * 1000)

    async def timed_wait_for(*args: Any, **kwargs: Any) -> bool:
        started = time.perf_counter()
        try:
            return await wait_for(*args, **kwargs)
        finally:
            timings["wait_for"].append((time.perf_counter() - started) * 1000)

    def reset(*_: Any) -> None:
        loop_profile.disable()
        loop_profile.clear()
        for profile in profiles:
            profile.clear()
        for values in timings.values():
            values.clear()
        loop_profile.enable()

    def dump(*_: Any) -> None:
        nonlocal dumps
        dumps += 1
        loop_profile.disable()
        loop_profile.dump_stats(f"{out}.{dumps}.loop")
        used = [p for p in profiles if p.getstats()]
        if used:
            merged = pstats.Stats(used[0])
            for profile in used[1:]:
                merged.add(profile)
            merged.dump_stats(f"{out}.{dumps}.threads")
        Path(f"{out}.{dumps}.json").write_text(
            json.dumps({k: percentiles(v) for k, v in timings.items() if len(v) > 1})
        )
        reset()

    Ledger.execute = profiled_execute  # type: ignore[method-assign]
    Projected.wait_for = timed_wait_for  # type: ignore[method-assign]
    signal.signal(signal.SIGUSR1, reset)
    signal.signal(signal.SIGUSR2, dump)
    child = projecting.start_child(settings.database_url)
    app = create_app(settings.database_url, ledger, admin_token=settings.admin_token.get_secret_value())
    loop_profile.enable()
    try:
        uvicorn.run(app, host="127.0.0.1", port=port, access_log=False)
    finally:
        loop_profile.disable()
        projecting.stop_child(child)


if __name__ == "__main__":
    serve_profiled(Path(sys.argv[1]), int(sys.argv[2]))
