"""The ``hrh`` command line."""

import asyncio
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import asyncpg
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from api import catching_up, demo_ledger, presence
from api import users as api_users
from api.access import Role
from api.chain_report import chained_text, head_text, print_chain, published_heads
from api.database import DatabaseUnavailable, check_reachable, database_url, open_ledger
from api.demo_ledger import Found
from api.serving import default_workers, run_server
from api.settings import Settings
from api.server_processes import PortInUse
from domain.ledger import Ledger
from projections import accounts, collector, org_units, runner, staffing, store
from projections.staffing import StaffingRecord
from projections.store import NAME, Target
from replay import chain_backfill, rebuild, split
from replay.chain import BadHead, check_chain
from replay.loading import DemoSummary
from replay.log import ImportRefused, export_log, import_log
from replay.rebuild import ProgressFactory
from replay.verify import verify as verify_tables

app = typer.Typer(help="hrh: the health workforce ledger.", no_args_is_help=True, add_completion=False)
console = Console()
errors = Console(stderr=True)

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Folder of the embedded PostgreSQL (when DATABASE_URL is unset).")
]


def fail(message: str) -> NoReturn:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=1)


def settings_for(data_dir: Path | None) -> Settings:
    try:
        settings = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        fail(f"bad setting {'.'.join(map(str, first['loc']))}: {first['msg']}")
    if data_dir is not None:
        settings.data_dir = data_dir
    return settings


def reachable_url(data_dir: Path | None) -> str:
    """The database's URL, once it answers (starting the embedded server if need be)."""
    try:
        url = database_url(settings_for(data_dir))
        check_reachable(url)
    except DatabaseUnavailable as error:
        fail(str(error))
    return url


@contextmanager
def ledger_session(data_dir: Path | None) -> Iterator[Ledger]:
    """Opens the ledger, turning configuration and connection problems into one-line errors."""
    settings = settings_for(data_dir)
    try:
        ledger = open_ledger(database_url(settings), settings)
    except DatabaseUnavailable as error:
        fail(str(error))
    try:
        yield ledger
    finally:
        ledger.close()


def chain_older_events(data_dir: Path | None) -> None:
    """Chains the events of a ledger recorded before the chain existed, once, before anything is recorded."""
    with ledger_session(data_dir) as ledger:
        try:
            chained = chain_backfill.chain_older_events(ledger)
        except chain_backfill.Unchainable as error:
            fail(str(error))
    if chained is not None:
        console.print(chained_text(chained), highlight=False, soft_wrap=True)


class SpeedColumn(ProgressColumn):
    """Events per second."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.0f} events/s" if task.speed else "", style="progress.data.speed")


def projection_progress(bar: Progress, description: str) -> ProgressFactory:
    def start(first: int, last: int) -> Callable[[int, int], None]:
        task = bar.add_task(description, total=max(last - first, 0))

        def advance(position: int, _: int) -> None:
            bar.update(task, completed=position - first)

        return advance

    return start


def rebuild_with_progress(url: str, processes: int | None = None, batch: int = rebuild.BATCH) -> int:
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        SpeedColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as bar:
        progress = projection_progress(bar, "Building the read tables")
        return asyncio.run(
            rebuild.rebuild(url, Target.of_ledger(), progress=progress, processes=processes, batch=batch)
        )


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
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the API after loading.")] = True,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    seed: Annotated[
        int, typer.Option(help="Seed of the synthetic data set; the same seed gives the same data.")
    ] = 2017,
    scale: Annotated[float, typer.Option(min=0.1, max=100, help="Multiplies the workforce (0.1 to 100).")] = 1.0,
    data_dir: DataDir = None,
) -> None:
    """Load the demo data set (a synthetic Mali, 2009-2025) if it is not loaded yet, then serve it."""
    settings = settings_for(data_dir)
    url = reachable_url(data_dir)
    try:
        presence.refuse_if_served(url, demo_ledger.place(settings))
        found = demo_ledger.inspect(url, settings)
    except (presence.ServerRunning, demo_ledger.LoadInterrupted) as error:
        fail(str(error))
    chain_older_events(data_dir)
    with presence.present(url, presence.demo_name()):
        prepare_demo(url, data_dir, found, seed, scale)
    if serve:
        if found is Found.OTHER:
            console.print("No demo users are made on a ledger hrh demo did not load: use hrh users add.")
        else:
            print_tokens(asyncio.run(demo_users(url, settings.token_days)), host, port)
        run_server(url, settings, host, port, projections=True, workers=default_workers())


def prepare_demo(url: str, data_dir: Path | None, found: Found, seed: int, scale: float) -> None:
    """Loads the demo into an empty ledger, brings the read tables up to date, and prints the headline figures."""
    if found is Found.EMPTY:
        with ledger_session(data_dir) as ledger:
            load_with_progress(url, ledger, seed, scale)
    else:
        console.print(f"The database holds {found.value}; the demo is not loaded again.")
    bring_up_to_date(url)
    print_headline(url)


def print_tokens(tokens: dict[str, tuple[str, str | None, str]], host: str, port: int) -> None:
    console.print(f"\nGraphiQL: http://{host}:{port}/graphql   health: http://{host}:{port}/healthz")
    console.print('Paste one of these into GraphiQL\'s headers as {"Authorization": "Bearer <token>"}:')
    for name, (role, scope, token) in tokens.items():
        console.print(f"  {role:<10} {name:<13} {('scope ' + scope) if scope else '':<10} {token}", soft_wrap=True)


DEMO_USERS = {
    "demo.admin": ("ADMIN", None),
    "demo.hr": ("HR_MANAGER", "MOP"),
    "demo.auditor": ("AUDITOR", None),
    "demo.planner": ("PLANNER", None),
}


async def demo_users(url: str, token_days: int) -> dict[str, tuple[str, str | None, str]]:
    """One ready-made user per role, each with a fresh token valid ``token_days`` (the old demo tokens stop working)."""
    conn = await asyncpg.connect(url)
    try:
        return {
            name: (role, scope, await accounts.reissue(conn, name, role, scope, token_days=token_days))
            for name, (role, scope) in DEMO_USERS.items()
        }
    finally:
        await conn.close()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    projections: Annotated[
        bool,
        typer.Option(
            "--projections/--no-projections",
            help="Run the projection runner in a child process (with --no-projections, run hrh project yourself).",
        ),
    ] = True,
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Worker processes (default: one per core, at least 2)."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Serve the GraphQL API (/graphql, with GraphiQL) and /healthz."""
    url = reachable_url(data_dir)
    count = workers or default_workers()
    settings = settings_for(data_dir)
    try:
        demo_ledger.inspect(url, settings)
    except demo_ledger.LoadInterrupted as error:
        errors.print(f"[bold yellow]warning:[/] {error}", highlight=False, soft_wrap=True)
    chain_older_events(data_dir)
    try:
        run_server(
            url,
            settings,
            host,
            port,
            projections=projections,
            workers=count,
            before_opening=bring_up_to_date if projections else None,
        )
    except PortInUse as error:
        fail(str(error))


@app.command()
def schema() -> None:
    """Print the GraphQL schema (SDL)."""
    from api.graphql.schema import schema as graphql_schema

    print(graphql_schema.as_str())


users = typer.Typer(help="API users.", no_args_is_help=True)
app.add_typer(users, name="users")


@users.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user's name, as recorded on every event they record.")],
    role: Annotated[Role, typer.Option(help="ADMIN, HR_MANAGER, AUDITOR or PLANNER.")],
    scope: Annotated[str | None, typer.Option(help="An HR manager's org unit code.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Create a user and print their token (shown once; only its hash is kept; valid HRH_TOKEN_DAYS days)."""
    try:
        user = api_users.new_user(name, role, scope)
        days = settings_for(data_dir).token_days
        token = asyncio.run(api_users.add(reachable_url(data_dir), user, "hrh users add", token_days=days))
    except (api_users.UserRefused, accounts.AccountExists) as error:
        fail(str(error))
    console.print(token, highlight=False)


@users.command("list")
def users_list(data_dir: DataDir = None) -> None:
    """List the users: name, role, scope, and when their token expires or was revoked (never a token)."""
    found = asyncio.run(api_users.listing(reachable_url(data_dir)))
    table = api_users.table(found)
    # Into a pipe, as wide as the table needs: a script reading it gets one line per user.
    (console if console.is_terminal else Console(width=1000)).print(table, highlight=False)


@users.command("revoke")
def users_revoke(
    name: Annotated[str, typer.Argument(help="The user whose token stops working now.")], data_dir: DataDir = None
) -> None:
    """Revoke a user's token: requests with it are refused from now on. The name stays taken."""
    revoked = asyncio.run(api_users.revoke(reachable_url(data_dir), name))
    if revoked is None:
        fail(f"there is no user named {name!r} (hrh users list shows them)")
    console.print(f"{revoked.name} is revoked since {api_users.when(revoked.revoked_at)} UTC.", highlight=False)


def load_with_progress(url: str, ledger: Ledger, seed: int, scale: float) -> None:
    started = time.perf_counter()
    with progress_bar() as bar:
        task = bar.add_task("Recording the demo", total=None)
        summary = demo_ledger.load(url, ledger, seed, scale, lambda n: bar.advance(task, n))
    print_summary(summary, time.perf_counter() - started)


def print_headline(url: str) -> None:
    """Qualified health workers per 10,000 by region, on the last day of 2014 and of 2017."""

    async def figures() -> list[tuple[str, StaffingRecord | None, StaffingRecord | None]]:
        conn = await asyncpg.connect(url)
        try:
            schema = Target.of_ledger().schema
            countries = await org_units.org_units(conn, schema, level="COUNTRY", as_of=date(2017, 12, 31))
            if not countries:
                return []
            country = countries[0].code
            old = await staffing.staffing(conn, schema, country, date(2014, 12, 31))
            new = await staffing.staffing(conn, schema, country, date(2017, 12, 31))
            rows = [(country, old, new)]
            olds = {c.code: c for c in old.children} if old else {}
            for child in new.children if new else []:
                rows.append((child.code, olds.get(child.code), child))
            return rows
        finally:
            await conn.close()

    table = Table(title="Qualified health workers per 10,000 inhabitants")
    for column in ("area", "2014", "2017"):
        table.add_column(column, justify="left" if column == "area" else "right")
    for code, old, new in asyncio.run(figures()):
        cells = [f"{r.qualified_density:.1f}" if r and r.qualified_density is not None else "-" for r in (old, new)]
        table.add_row(code, *cells)
    console.print(table)


@app.command()
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
    conn = await asyncpg.connect(url)
    try:
        await runner.lock(conn, target.schema)
        return await runner.catch_up(conn, target, await runner.open_projector(conn, target))
    finally:
        await conn.close()


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


Processes = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Processes to project the ledger with (default: 2 on a machine with two cores or more, "
        f"for a ledger of {split.MIN_EVENTS:,} events or more; else 1).",
    ),
]


@app.command("rebuild")
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


@app.command()
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


@app.command("chain-head")
def chain_head(data_dir: DataDir = None) -> None:
    """Print the ledger's chain head, POSITION:HASH, to publish (`hrh verify --head` checks against it)."""
    with ledger_session(data_dir) as ledger:
        position, chain = ledger.recorder.chain_head()  # type: ignore[attr-defined]
    print(head_text(position, chain))


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
            exported = export_log(ledger, sys.stdout)
        else:
            try:
                with file.open("w", encoding="utf-8") as out:
                    exported = export_log(ledger, out)
            except OSError as error:
                fail(f"cannot write {file}: {error.strerror}")
            errors.print(f"Exported {exported.count:,} events to {file}.")
    if exported.head is not None:
        errors.print(f"Chain head (publish it): {head_text(*exported.head)}", highlight=False, soft_wrap=True)


@app.command("import-log")
def import_log_command(
    file: Annotated[Path, typer.Argument(help="A JSON Lines file written by `hrh export-log`.")],
    data_dir: DataDir = None,
) -> None:
    """Load a JSON Lines log into an empty ledger, keeping every event's position and checking its
    chain, then build the read tables."""
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
    if count:
        try:
            rebuild_with_progress(reachable_url(data_dir))
        except (runner.NoLedger, split.ShardFailed) as error:
            fail(str(error))
