"""The ``hrh`` command line."""

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from api.database import DatabaseUnavailable, database_url, open_ledger
from api.settings import Settings
from domain.ledger import Ledger
from replay.loading import DemoSummary, load_demo
from replay.log import ImportRefused, export_log, import_log

app = typer.Typer(help="hrh: the health workforce ledger.", no_args_is_help=True, add_completion=False)
console = Console()
errors = Console(stderr=True)

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Folder of the embedded PostgreSQL (when DATABASE_URL is unset).")
]


def fail(message: str) -> NoReturn:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=1)


@contextmanager
def ledger_session(data_dir: Path | None) -> Iterator[Ledger]:
    """Opens the ledger, turning configuration and connection problems into one-line errors."""
    try:
        settings = Settings()
        if data_dir is not None:
            settings.data_dir = data_dir
        ledger = open_ledger(database_url(settings), settings)
    except ValidationError as error:
        first = error.errors()[0]
        fail(f"bad setting {'.'.join(map(str, first['loc']))}: {first['msg']}")
    except DatabaseUnavailable as error:
        fail(str(error))
    try:
        yield ledger
    finally:
        ledger.close()


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


@app.command()
def demo(
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the API after loading (arrives with the API).")
    ] = True,
    seed: Annotated[
        int, typer.Option(help="Seed of the synthetic data set; the same seed gives the same data.")
    ] = 2017,
    scale: Annotated[float, typer.Option(min=0.1, max=100, help="Multiplies the workforce (0.1 to 100).")] = 1.0,
    data_dir: DataDir = None,
) -> None:
    """Load the demo data set, a synthetic Mali, 2009-2025."""
    if serve:
        fail("this build has no API server yet; run `hrh demo --no-serve` to load the demo data set")
    with ledger_session(data_dir) as ledger:
        existing = ledger.recorder.max_notification_id()
        if existing:
            console.print(
                f"The ledger already holds events (up to position {existing}); the demo is not loaded again. "
                "If an earlier load was interrupted, start from an empty database: remove the data folder "
                "(.hrh by default) or point DATABASE_URL at an empty one."
            )
            return
        started = time.perf_counter()
        with progress_bar() as bar:
            task = bar.add_task("Recording the demo", total=None)
            summary = load_demo(ledger, seed=seed, scale=scale, progress=lambda n: bar.advance(task, n))
        print_summary(summary, time.perf_counter() - started)


def print_summary(summary: DemoSummary, seconds: float) -> None:
    table = Table(title="Demo data set recorded: commands", show_header=True)
    table.add_column("command")
    table.add_column("count", justify="right")
    for name, count in sorted(summary.commands_by_kind.items()):
        table.add_row(name, f"{count:,}")
    console.print(table)
    console.print(
        f"{summary.commands:,} commands, {summary.events:,} events, {summary.workers:,} workers, "
        f"{summary.facilities:,} facilities; {len(summary.refusals)} refused; "
        f"{seconds:.1f} s ({summary.events / max(seconds, 1e-9):,.0f} events/s)."
    )
    for refusal in summary.refusals[:10]:
        console.print(f"  refused row {refusal.row}: {refusal.code}: {refusal.message}", highlight=False)


@app.command("export-log")
def export_log_command(
    file: Annotated[Path, typer.Argument(help="Where to write the JSON Lines ('-' for standard output).")],
    data_dir: DataDir = None,
) -> None:
    """Write the whole ledger as JSON Lines, one event a line, in ledger order."""
    with ledger_session(data_dir) as ledger:
        if str(file) == "-":
            export_log(ledger, sys.stdout)
            return
        try:
            with file.open("w", encoding="utf-8") as out:
                count = export_log(ledger, out)
        except OSError as error:
            fail(f"cannot write {file}: {error.strerror}")
        errors.print(f"Exported {count:,} events to {file}.")


@app.command("import-log")
def import_log_command(
    file: Annotated[Path, typer.Argument(help="A JSON Lines file written by `hrh export-log`.")],
    data_dir: DataDir = None,
) -> None:
    """Load a JSON Lines log into an empty ledger, keeping every event's position."""
    if not file.is_file():
        fail(f"no such file: {file}")
    with ledger_session(data_dir) as ledger:
        try:
            with file.open(encoding="utf-8") as lines:
                count = import_log(ledger, lines)
        except UnicodeDecodeError:
            fail(f"{file} is not UTF-8 text")
        except ImportRefused as error:
            fail(f"{file}: {error}; nothing was imported")
        console.print(f"Imported {count:,} events from {file}.")
