"""How a ``hrh`` command reaches its database: settings, the ``--data-dir`` option, the URL, the ledger."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from api.cli.terminal import fail
from api.database import DatabaseUnavailable, check_reachable, database_url, open_ledger
from api.settings import Settings
from domain.ledger import Ledger

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Folder of the embedded PostgreSQL (when DATABASE_URL is unset).")
]


def settings_for(data_dir: Path | None) -> Settings:
    """The settings from the environment, with ``data_dir`` when given; a bad setting ends the command."""
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
