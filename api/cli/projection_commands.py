"""The read tables' commands: ``hrh project``, ``hrh rebuild`` and ``hrh verify``, and catching up with progress."""

import asyncio
import time
from pathlib import Path
from typing import Annotated

import asyncpg
import typer

from api import catching_up, presence
from api.chain_report import print_chain, published_heads
from api.cli.connection import DataDir, ledger_session, reachable_url
from api.cli.terminal import console, fail, progress_bar, projection_progress, speed_bar
from projections import collector, runner, store
from projections.naming import NAME
from projections.store import Target
from replay import rebuild, split
from replay.chain import BadHead, check_chain
from replay.verify import verify as verify_tables

Processes = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Processes to project the ledger with (default: 2 on a machine with two cores or more, "
        f"for a ledger of {split.MIN_EVENTS:,} events or more, more when that keeps each under "
        f"{split.MAX_PROCESS_BYTES // 2**30} GB, 1 when they would not fit in memory; else 1).",
    ),
]


def project(
    once: Annotated[bool, typer.Option("--once", help="Catch up with the ledger, then exit.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Run the projection runner: keep the read tables up to date with the ledger (Ctrl-C stops)."""
    url = presence.named(reachable_url(data_dir), presence.project_name())
    target = Target.of_ledger()

    async def main() -> int:
        if once:
            return await catch_up_once(url, target)
        collector.settle()
        await runner.run(url, target, asyncio.Event(), announce=True)
        return 0

    try:
        position = asyncio.run(main())
    except KeyboardInterrupt:
        return
    except LookupError as error:  # no ledger, or read tables of another version
        fail(str(error))
    console.print(f"The read tables are at ledger position {position:,}.")


async def catch_up_once(url: str, target: Target) -> int:
    """Catches the read tables up with the ledger once, holding the runner's lock meanwhile."""
    conn = await asyncpg.connect(url)
    try:
        await runner.lock(conn, target.schema)
        return await runner.catch_up(conn, target, await runner.open_projector(conn, target))
    finally:
        await conn.close()


def rebuild_with_progress(url: str, processes: int | None = None, batch: int = rebuild.BATCH) -> int:
    """Builds the read tables anew from the whole ledger, with a progress bar; returns the last position."""
    with speed_bar() as bar:
        progress = projection_progress(bar, "Building the read tables")
        return asyncio.run(
            rebuild.rebuild(
                url, Target.of_ledger(), progress=progress, processes=processes, batch=batch, notice=console.print
            )
        )


def bring_up_to_date(url: str) -> None:
    """Catches the read tables up when they exist and are current; builds them (anew) otherwise."""
    target = Target.of_ledger()

    async def current() -> bool:
        conn = await asyncpg.connect(url)
        try:
            await store.tracking(conn, target.schema)
            return True
        except (store.OutdatedReadTables, asyncpg.UndefinedTableError, asyncpg.InvalidSchemaNameError):
            return False
        finally:
            await conn.close()

    if not asyncio.run(current()):
        rebuild_with_progress(url)
        return
    with progress_bar() as bar:
        progress = projection_progress(bar, "Catching the read tables up")
        position = asyncio.run(catching_up.catch_up(url, target, progress))
    console.print(f"The read tables are up to date, at ledger position {position:,}.")


def rebuild_command(
    names: Annotated[list[str] | None, typer.Argument(help=f"Projections to rebuild (only {NAME!r} exists).")] = None,
    data_dir: DataDir = None,
    processes: Processes = None,
    batch: Annotated[
        int,
        typer.Option(
            min=1000,
            help="Events a batch, committed together: larger batches are faster and take more memory; "
            "a killed rebuild loses at most one batch a process.",
        ),
    ] = rebuild.BATCH,
) -> None:
    """Rebuild the read tables from the whole ledger, then swap them in (resumes if interrupted)."""
    unknown = sorted(set(names or []) - {NAME})
    if unknown:
        fail(f"no projection named {', '.join(unknown)}; the projections are: {NAME}")
    url = reachable_url(data_dir)
    started = time.perf_counter()
    try:
        position = rebuild_with_progress(url, processes, batch)
    except (runner.NoLedger, split.ShardFailed) as error:
        fail(str(error))
    console.print(f"Rebuilt {NAME} up to ledger position {position:,} in {time.perf_counter() - started:.1f} s.")


def verify(
    data_dir: DataDir = None,
    processes: Processes = None,
    head: Annotated[
        list[str] | None,
        typer.Option(
            "--head", help="A published chain head, POSITION:HASH (as `hrh chain-head` prints it); repeat it."
        ),
    ] = None,
    heads: Annotated[
        Path | None, typer.Option("--heads", help="A file of published heads, one POSITION:HASH a line.")
    ] = None,
    tables: Annotated[
        bool, typer.Option("--tables/--no-tables", help="Also compare the read tables with a fresh replay.")
    ] = True,
) -> None:
    """Check the chain of the ledger's events (and published heads), then replay the whole ledger into
    scratch tables and compare them row for row with the live ones."""
    try:
        published = published_heads(head or [], heads)
    except (BadHead, OSError) as error:
        fail(str(error))
    with ledger_session(data_dir) as ledger:
        holds = print_chain(console, check_chain(ledger, published), len(published))
    if tables:
        holds = verify_read_tables(reachable_url(data_dir), processes) and holds
    if not holds:
        raise typer.Exit(code=1)


def verify_read_tables(url: str, processes: int | None) -> bool:
    """Compares the read tables with a fresh replay, printing each difference; True when there is none."""
    try:
        position, differences = asyncio.run(verify_tables(url, Target.of_ledger(), processes=processes))
    except (LookupError, split.ShardFailed) as error:
        fail(str(error))
    if not differences:
        console.print(f"No differences: the read tables match a fresh replay up to ledger position {position:,}.")
        return True
    for difference in differences:
        console.print(
            f"[bold red]{difference.table}[/]: {difference.only_live} rows only in the live tables, "
            f"{difference.only_replay} only in the replay",
            highlight=False,
        )
        for example in difference.examples:
            console.print(f"  {example}", highlight=False)
    return False
