"""A rebuild on both cores: child processes project the shards, the parent adds up their functions.

The projection is pure Python, on one core; a rebuild of a large ledger splits it by worker
(``projections.shards``). Each child reads its own events straight from the ledger, projects
them, and commits its rows batch by batch with its shard's tracking row. What it hands back is
its share of the staffing and flow functions, which the parent adds up and writes once. A killed
split build resumes shard by shard.
"""

import asyncio
import contextlib
import multiprocessing
import os
import sys
import traceback
import types
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import cast

import asyncpg

from projections import runner, shards, state
from projections.collector import without_collector
from projections.projector import Projector
from projections.shards import Shard, Share
from projections.store import Target
from projections.unit_functions import UnitFunctions

MIN_EVENTS = 50_000  # below this, starting the children costs more than they save
POLL_SECONDS = 0.25  # how often the parent reads the shards' positions for the progress bar
Progress = runner.Progress


def processes_for(events: int, processes: int | None = None) -> int:
    """How many processes a rebuild of ``events`` events should take: ``processes`` when given,
    else two on a machine with two cores or more and a ledger worth splitting, else one."""
    if processes is not None:
        return max(processes, 1)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return 2 if cores >= 2 and events >= MIN_EVENTS else 1


async def project(
    conn: asyncpg.Connection,
    url: str,
    target: Target,
    until: int,
    batch: int,
    progress: Progress | None,
    written: Callable[[], None] | None = None,
) -> UnitFunctions:
    """Runs every shard of ``target``'s split build up to ``until``; returns the functions, added up.

    ``conn`` reads the shards' positions for ``progress`` meanwhile. ``written`` is called (in
    this event loop) once every child has committed its last batch: every table but the
    functions' is whole, while the children still derive their shares.

    Raises:
        ShardFailed: a child failed or died; what it committed stays, for the next run to resume.
    """
    count = len(await shards.positions(conn, target.schema))
    # Spawned, not forked: this process runs an event loop and holds open connections.
    context = multiprocessing.get_context("spawn")
    pipes, children = [], []
    with _main_left_out():
        for i in range(count):
            ours, theirs = context.Pipe(duplex=False)
            child = context.Process(target=project_shard, args=(theirs, url, target, Shard(i, count), until, batch))
            child.start()
            theirs.close()
            pipes.append(ours)
            children.append(child)
    loop = asyncio.get_running_loop()
    unwritten = len(pipes)

    def one_written() -> None:
        nonlocal unwritten
        unwritten -= 1
        if unwritten == 0 and written is not None:
            written()

    def signal() -> None:  # from a reading thread
        loop.call_soon_threadsafe(one_written)

    answers = asyncio.gather(*(loop.run_in_executor(None, _answer, pipe, signal) for pipe in pipes))
    try:
        while not answers.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(answers), POLL_SECONDS)
            if progress is not None:
                progress(min(await shards.positions(conn, target.schema)), 0)
        shares = await answers
    except BaseException:  # one failed (or this process is stopping): so do the others
        for child in children:
            if child.is_alive():
                child.terminate()
        raise
    finally:
        for child in children:
            child.join()
    return await loop.run_in_executor(None, shards.merge, shares)  # the loop goes on meanwhile


@contextlib.contextmanager
def _main_left_out() -> Iterator[None]:
    """Hides this process's main module from the children it spawns meanwhile.

    A spawned child first imports its parent's main module (``hrh``'s command line, with the web
    app: a second or more of each child's time) and needs nothing from it. So a script that
    rebuilds needs no ``if __name__ == "__main__"`` guard either.
    """
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


class ShardFailed(RuntimeError):
    """A child of a split build failed; its message says why."""


WRITTEN = "written"  # what a child sends once its last batch is committed, before its share


def _answer(pipe: Connection, written: Callable[[], None]) -> Share:
    """A child's share, read from its pipe (in a thread of its own); ``written`` when it says so."""
    try:
        message = pipe.recv()
        if message == WRITTEN:
            written()
            message = pipe.recv()
        ok, answer = message
    except EOFError:
        raise ShardFailed("a child process of the rebuild died before it finished (killed, or out of memory)") from None
    finally:
        pipe.close()
    if not ok:
        raise ShardFailed(f"a child process of the rebuild failed:\n{answer}")
    return cast(Share, answer)


def project_shard(pipe: Connection, url: str, target: Target, shard: Shard, until: int, batch: int) -> None:
    """A child's work: its shard, from its tracking row up to ``until``; the answer goes to ``pipe``.

    The child then ends at once: freeing its state would only cost time.
    """
    try:
        projector = asyncio.run(_project_shard(url, target, shard, until, batch))
        pipe.send(WRITTEN)  # the parent may index the tables meanwhile
        with without_collector():
            projector.derive_functions()
            answer: tuple[bool, object] = (True, shards.share_of(projector))
    except BaseException:  # the parent reports it
        answer = (False, traceback.format_exc())
    pipe.send(answer)
    pipe.close()
    os._exit(0)


async def _project_shard(url: str, target: Target, shard: Shard, until: int, batch: int) -> Projector:
    conn = await asyncpg.connect(url)
    try:
        await runner.lock(conn, f"{target.schema}.{shard.name}")  # a child of a killed parent may still run
        with without_collector():
            projector = await state.load_shard(conn, target, shard)
            await runner.catch_up(conn, target, projector, batch=batch, until=until, functions=False, shard=shard)
        return projector
    finally:
        await conn.close()
