"""How many cores this process may use, and how many child processes a job should take."""

import multiprocessing
import os
from multiprocessing.context import BaseContext

FORK: BaseContext | None = (
    multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
)
"""Forked children share what the parent has read without copying it (None where the platform cannot fork)."""


def count() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def children(processes: int | None) -> int:
    """How many forked children a job split by ``processes`` should take: none for one process,
    or where the platform cannot fork; by default (None) one a core, none on a single core."""
    wanted = count() if processes is None else processes
    return wanted if wanted >= 2 and FORK is not None else 0
