"""The growth benchmark's memory figures: a process tree's and PostgreSQL's peaks, sampled in a thread.

Every ``INTERVAL`` seconds the sampler reads, with psutil, every process of the tree under the
command it watches (``hrh`` and its children: a split load's or rebuild's children, the server's
workers and runner), and every ``PSS_EVERY`` samples every process of the PostgreSQL server (the
postmaster and its backends) and the tree's PSS:

- ``largest_mb``: the largest peak RSS of one ``hrh`` process, from its ``VmHWM`` (the kernel's
  own high-water mark, so a peak between two samples counts, for each process alive at a sample);
- ``tree_mb``: the peak of the tree's summed PSS (a forked child's pages shared with its parent
  count once, halved between them, not twice as summed RSS would count them);
- ``pg_mb``: the peak of PostgreSQL's summed PSS (shared buffers count once, not once a backend);
- ``pg_largest_mb``: the largest RSS of one PostgreSQL process (the shared buffers it touched included).
"""

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

INTERVAL = 0.2
PSS_EVERY = 5  # samples: a process's PSS costs the kernel a walk of its pages (11% of a core every 0.2 s)
MB = 2**20


def postmaster(pgdata: Path) -> int:
    """The PostgreSQL server's process id, from its data folder."""
    return int((pgdata / "postmaster.pid").read_text().split()[0])


def tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def high_water_mb(process: psutil.Process) -> float:
    """The process's peak RSS so far (``VmHWM``); its RSS now where that is unknown."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float(process.memory_info().rss / MB)


class Peaks:
    """The peaks seen so far; see the module's docstring."""

    def __init__(self) -> None:
        self.largest_mb = self.tree_mb = self.pg_mb = self.pg_largest_mb = 0.0
        self.processes = 0

    def sample(self, pid: int, pg_pid: int | None, pss: bool = True) -> None:
        """One sample; the sums of PSS (and PostgreSQL's figures) only with ``pss``."""
        watched = tree(pid)
        tree_pss = 0.0
        for process in watched:
            with contextlib.suppress(psutil.Error):
                self.largest_mb = max(self.largest_mb, high_water_mb(process))
                tree_pss += process.memory_full_info().pss / MB if pss else 0
        self.tree_mb = max(self.tree_mb, tree_pss)
        self.processes = max(self.processes, len(watched))
        if pg_pid is not None and pss:
            pg_pss = 0.0
            for process in tree(pg_pid):
                with contextlib.suppress(psutil.Error):
                    full = process.memory_full_info()
                    pg_pss += full.pss / MB
                    self.pg_largest_mb = max(self.pg_largest_mb, full.rss / MB)
            self.pg_mb = max(self.pg_mb, pg_pss)

    def figures(self) -> dict[str, Any]:
        return {
            "largest_mb": round(self.largest_mb),
            "tree_mb": round(self.tree_mb),
            "processes": self.processes,
            "pg_mb": round(self.pg_mb),
            "pg_largest_mb": round(self.pg_largest_mb),
        }


@contextlib.contextmanager
def watched(pid: int, pg_pid: int | None, pss_every: int = PSS_EVERY) -> Iterator[Peaks]:
    """Samples process ``pid``'s tree and PostgreSQL's (``pg_pid``) until the block ends, their PSS
    every ``pss_every`` samples."""
    peaks = Peaks()
    stop = threading.Event()

    def run() -> None:
        count = 0
        while not stop.is_set():
            peaks.sample(pid, pg_pid, pss=count % pss_every == 0)
            count += 1
            stop.wait(INTERVAL)
        peaks.sample(pid, pg_pid)  # the end of a short step

    thread = threading.Thread(target=run, name="hrh-growth-memory", daemon=True)
    thread.start()
    try:
        yield peaks
    finally:
        stop.set()
        thread.join()
