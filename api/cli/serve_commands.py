"""``hrh serve`` and ``hrh schema``.

The web stack (FastAPI, strawberry, uvicorn) is imported inside the commands that need it, so
that the other commands, and ``hrh --help``, start without loading it.
"""

from typing import Annotated

import typer

from api import demo_ledger
from api.cli.chain_commands import chain_older_events
from api.cli.connection import DataDir, reachable_url, settings_for
from api.cli.projection_commands import bring_up_to_date
from api.cli.terminal import errors, fail


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
    from api.server_processes import PortInUse
    from api.serving import default_workers, run_server

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


def schema() -> None:
    """Print the GraphQL schema (SDL)."""
    from api.graphql.schema import schema as graphql_schema

    print(graphql_schema.as_str())
