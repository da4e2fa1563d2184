"""``hrh demo``: load the demo data set once, bring its read tables up to date, then serve it."""

import asyncio
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

import asyncpg
import typer
from rich.table import Table

from api import demo_ledger, passwords, presence
from api.cli.chain_commands import chain_older_events
from api.cli.connection import DataDir, ledger_session, reachable_url, settings_for
from api.cli.projection_commands import bring_up_to_date
from api.cli.terminal import console, fail, progress_bar
from api.demo_ledger import Found
from domain.ledger import Ledger
from projections import accounts, org_units, staffing
from projections.staffing import StaffingRecord
from projections.store import Target
from replay.loading import DemoSummary

DEMO_USERS = {
    "demo.admin": ("ADMIN", None),
    "demo.hr": ("HR_MANAGER", "MOP"),
    "demo.auditor": ("AUDITOR", None),
    "demo.planner": ("PLANNER", None),
}


@dataclass(frozen=True)
class DemoSignIn:
    """How one demo user gets in: a name and password for the pages, a token for the API."""

    role: str
    name: str
    scope: str | None
    password: str
    token: str


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
        from api.serving import default_workers, run_server  # the web stack, only when serving

        if found is Found.OTHER:
            console.print("No demo users are made on a ledger hrh demo did not load: use hrh users add.")
        else:
            print_sign_ins(asyncio.run(demo_users(url, settings.token_days)), host, port)
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


def print_sign_ins(sign_ins: list[DemoSignIn], host: str, port: int) -> None:
    """Where the pages and GraphiQL are, and each demo user's role, name, scope, password and token."""
    console.print(f"\nWeb pages: http://{host}:{port}/   sign in with a name and password below", highlight=False)
    console.print(f"GraphiQL: http://{host}:{port}/graphql   health: http://{host}:{port}/healthz", highlight=False)
    console.print('Paste a token into GraphiQL\'s headers as {"Authorization": "Bearer <token>"}.\n')
    # Plain lines, not a table: a narrow terminal must not fold a password or a token.
    console.print(f"  {'role':<10} {'name':<13} {'scope':<6} {'password':<16} token", highlight=False)
    for s in sign_ins:
        line = f"  {s.role:<10} {s.name:<13} {s.scope or '-':<6} {s.password:<16} {s.token}"
        console.print(line, soft_wrap=True, highlight=False)


async def demo_users(url: str, token_days: int) -> list[DemoSignIn]:
    """One ready-made user per role, each with a fresh password and a fresh token valid ``token_days``
    (the old demo passwords, sessions and tokens stop working)."""
    made = []
    conn = await asyncpg.connect(url)
    try:
        for name, (role, scope) in DEMO_USERS.items():
            password = passwords.random_password()
            password_hash = await asyncio.to_thread(passwords.hashed, password)
            token = await accounts.reissue(conn, name, role, scope, token_days=token_days, password_hash=password_hash)
            made.append(DemoSignIn(role, name, scope, password, token))
    finally:
        await conn.close()
    return made


def load_with_progress(url: str, ledger: Ledger, seed: int, scale: float) -> None:
    """Records the demo data set, counting the events as they go, then prints what was recorded."""
    started = time.perf_counter()
    with progress_bar() as bar:
        task = bar.add_task("Recording the demo", total=None)
        summary = demo_ledger.load(url, ledger, seed, scale, lambda n: bar.advance(task, n))
    print_summary(summary, time.perf_counter() - started)


def print_summary(summary: DemoSummary, seconds: float) -> None:
    """The commands recorded by kind, the totals, the speed, and the first refusals."""
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
