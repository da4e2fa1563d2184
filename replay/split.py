"""A rebuild on both cores: child processes project the shards, then write the functions between them.

The projection is pure Python, on one core; a rebuild of a large ledger splits it by worker
(``projections.shards``). Each child reads its own events straight from the ledger, projects
them, and commits its rows batch by batch with its shard's tracking row. Then it derives its
share of the staffing and flow functions: its workers' changes summed by facility, and their
flows counted (``Projector.derive_share``). The children trade those shares through the parent,
which passes them on unread: each child adds up every share (``shards.add_up``), then rolls the
sum up into the units it owns (``shards.owner``, ``UnitFunctions.unit_sums``) and writes them. A
killed split build resumes shard by shard, and writes the functions again.

How many children: ``plan``, from the memory a process takes an event (measured), so that the
whole fits in the memory available and no process is expected to pass 4 GB.

What a child says on its pipe, in order: ``(WRITTEN, None)`` once its last batch is committed,
``(PARTS, [bytes, ...])`` its share for each other child (pickled; its own place left empty),
and ``(DONE, None)`` once its units' functions are written. The parent answers ``PARTS`` with
the other children's shares. ``(FAILED, traceback)`` can come in place of any of them.
"""

import asyncio
import contextlib
import math
import multiprocessing
import os
import pickle
import sys
import traceback
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import asyncpg

from projections import function_tables, runner, shards, state, store
from projections.collector import without_collector
from projections.naming import quoted
from projections.shards import Shard
from projections.store import Target
from replay import cores, memory
from replay.memory import available as memory_available

MIN_EVENTS = 50_000  # below this, starting the children costs more than they save
POLL_SECONDS = 0.25  # how often the parent reads the shards' positions for the progress bar
Progress = runner.Progress

# The memory a rebuild takes, from its processes' peak RSS (``tests/benchmarks/bench_projections``
# and ``bench_growth``). A process that projects ``n`` events (a child: its shard's workers' events
# and every org event) peaks at about PROCESS_BYTES + n × BYTES_AN_EVENT: 1.45–1.5 kB an event, on
# 150 MB, for one process (421 MB at the 193,482 events of scale 1), two children (286 MB each at
# scale 1, 1.46 GB at the 1.82 M events of scale 10) and four (214 MB at scale 1); with room. The
# parent of a split build holds the children's shares as they pass: 148 MB at scale 1, 663 MB at
# scale 10, about PARENT_BYTES_AN_EVENT an event more.
BYTES_AN_EVENT = 1600
PARENT_BYTES_AN_EVENT = 400
PROCESS_BYTES = 150 * 2**20
MAX_PROCESS_BYTES = 4 * 2**30  # no process of a rebuild should pass this (issue 19)
MAX_PROCESSES = 32  # more children than this cost more in their start and their org state than they save


@dataclass(frozen=True)
class Plan:
    """How many processes a rebuild takes, and, when memory decided it, why (for the progress output)."""

    processes: int
    note: str | None = None


def plan(events: int, available: int | None, cores: int) -> Plan:
    """How many processes should rebuild ``events`` events with ``available`` bytes of memory (None:
    unknown) on ``cores`` cores.

    Two on two cores or more for a ledger worth splitting, else one; but more children than cores
    when that is what keeps each under MAX_PROCESS_BYTES. When the whole split build would not fit
    in memory.SHARE of ``available``, one process, which holds the workers' state once rather
    than the org state once a child, and the note says how much it is expected to need.
    """
    count = 2 if cores >= 2 and events >= MIN_EVENTS else 1
    if PROCESS_BYTES + events * BYTES_AN_EVENT > MAX_PROCESS_BYTES:  # one process would pass the bound
        count = max(count, math.ceil(events * BYTES_AN_EVENT / (MAX_PROCESS_BYTES - PROCESS_BYTES)))
    if count == 1:
        return Plan(1)
    need = split_bytes(events, count)
    if count <= MAX_PROCESSES and (available is None or need <= available * memory.SHARE):
        note = None if count == 2 else f"{count} processes, so that none is expected to pass {_gb(MAX_PROCESS_BYTES)}"
        return Plan(count, note)
    alone = PROCESS_BYTES + events * BYTES_AN_EVENT
    short = f"{_gb(available)} is available" if available is not None else f"more than {MAX_PROCESSES} processes"
    return Plan(
        1,
        f"A split rebuild of {events:,} events would need about {_gb(need)} of memory ({short}): "
        f"one process instead, expected to need {_gb(alone)}; it may run out of memory",
    )


def split_bytes(events: int, count: int) -> int:
    """The expected peak memory of a rebuild of ``events`` events split between ``count`` children, parent included."""
    return (count + 1) * PROCESS_BYTES + events * (BYTES_AN_EVENT + PARENT_BYTES_AN_EVENT)


def _gb(size: int) -> str:
    return f"{size / 2**30:.1f} GB"


def processes_for(events: int, processes: int | None = None) -> Plan:
    """How many processes a rebuild of ``events`` events should take on this machine, now:
    ``processes`` when given, else as ``plan`` decides with the memory available and the cores."""
    if processes is not None:
        return Plan(max(processes, 1))
    return plan(events, memory_available(), cores.count())


async def project(
    conn: asyncpg.Connection,
    url: str,
    target: Target,
    until: int,
    batch: int,
    progress: Progress | None,
    written: Callable[[], None] | None = None,
) -> None:
    """Runs every shard of ``target``'s split build up to ``until``, functions included.

    ``conn`` reads the shards' positions for ``progress`` meanwhile. ``written`` is called (in
    this event loop) once every child has committed its last batch: every table but the
    functions' is whole, while the children still derive, trade and write those.

    Raises:
        ShardFailed: a child failed or died; what it committed stays, for the next run to resume.
    """
    count = len(await shards.positions(conn, target.schema))
    await _prepare(conn, target.schema, count)
    # Spawned, not forked: this process runs an event loop and holds open connections.
    context = multiprocessing.get_context("spawn")
    pipes, children = [], []
    with _main_left_out():
        for i in range(count):
            ours, theirs = context.Pipe()
            child = context.Process(target=project_shard, args=(theirs, url, target, Shard(i, count), until, batch))
            child.start()
            theirs.close()
            pipes.append(ours)
            children.append(child)
    loop = asyncio.get_running_loop()

    async def each(step: Callable[[Connection], Any]) -> list[Any]:
        """``step`` on every pipe at once, each in a thread, until all are done or one fails; the
        progress bar goes on meanwhile."""
        steps = [loop.run_in_executor(None, step, pipe) for pipe in pipes]
        for future in steps:  # once one has failed, what the others raise is not news
            future.add_done_callback(lambda f: f.cancelled() or f.exception())
        pending = set(steps)
        while pending:
            done, pending = await asyncio.wait(pending, timeout=POLL_SECONDS, return_when=asyncio.FIRST_EXCEPTION)
            for future in done:
                future.result()
            if progress is not None:
                progress(min(await shards.positions(conn, target.schema)), 0)
        return [future.result() for future in steps]

    try:
        await each(lambda pipe: _expect(pipe, WRITTEN))
        if written is not None:
            written()
        cut: list[list[bytes]] = await each(lambda pipe: _expect(pipe, PARTS))
        await each(lambda pipe: pipe.send((PARTS, [part[pipes.index(pipe)] for part in cut])))
        await each(lambda pipe: _expect(pipe, DONE))
    except BaseException:  # one failed (or this process is stopping): so do the others
        for child in children:
            if child.is_alive():
                child.terminate()
        raise
    finally:
        for child in children:
            child.join()
        for pipe in pipes:  # the threads reading them have their EOF by now
            pipe.close()


async def _prepare(conn: asyncpg.Connection, schema: str, count: int) -> None:
    """Once no child of an earlier, killed build is left to write: closes the rectangles its
    batches closed late (the children load their state from the open ones), and empties the
    functions' tables."""
    s = quoted(schema)
    async with conn.transaction():
        for i in range(count):  # each child holds its shard's lock while it writes
            key = runner.lock_key(_lock_name(schema, i, count))
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", key)
        await store.resume_pending(conn, schema)
        functions = ", ".join(f"{s}.{table}" for table in store.FUNCTION_TABLES)
        await conn.execute(f"TRUNCATE {functions}")


def _lock_name(schema: str, index: int, count: int) -> str:
    return f"{schema}.{Shard(index, count).name}"


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


WRITTEN, PARTS, DONE, FAILED = "written", "parts", "done", "failed"  # what goes on the pipes


def _expect(pipe: Connection, expected: str) -> Any:
    """The payload of the next message from a child, which should be ``expected`` (in a thread)."""
    try:
        said, payload = pipe.recv()
    except EOFError:
        raise ShardFailed("a child process of the rebuild died before it finished (killed, or out of memory)") from None
    if said == FAILED:
        raise ShardFailed(f"a child process of the rebuild failed:\n{payload}")
    assert said == expected, f"a child said {said!r} where {expected!r} was due"
    return payload


def project_shard(pipe: Connection, url: str, target: Target, shard: Shard, until: int, batch: int) -> None:
    """A child's work: its shard, from its tracking row up to ``until``, then its units' functions.

    The child then ends at once: freeing its state would only cost time.
    """
    try:
        asyncio.run(_project_shard(pipe, url, target, shard, until, batch))
        answer: tuple[str, object] = (DONE, None)
    except BaseException:  # the parent reports it
        answer = (FAILED, traceback.format_exc())
    with contextlib.suppress(OSError):  # the parent may be gone
        pipe.send(answer)
        pipe.close()
    os._exit(0)


async def _project_shard(pipe: Connection, url: str, target: Target, shard: Shard, until: int, batch: int) -> None:
    conn = await asyncpg.connect(url)
    try:
        # Held until the functions are written: a child of a killed parent may still run.
        await runner.lock(conn, _lock_name(target.schema, shard.index, shard.count))
        with without_collector():
            projector = await state.load_shard(conn, target, shard)
            await runner.catch_up(conn, target, projector, batch=batch, until=until, functions=False, shard=shard)
            pipe.send((WRITTEN, None))  # the parent may index the tables meanwhile
            mine = projector.derive_share()
            packed = pickle.dumps(mine)
            pipe.send((PARTS, [b"" if i == shard.index else packed for i in range(shard.count)]))
            said, theirs = pipe.recv()
            assert said == PARTS, f"the parent said {said!r} where {PARTS!r} was due"
            added = shards.add_up([mine] + [pickle.loads(part) for part in theirs if part])
            owned = projector.unit_sums(added, keep=shard.owns_unit)
        async with conn.transaction():
            await function_tables.add_share(conn, target.schema, owned)
    finally:
        await conn.close()
