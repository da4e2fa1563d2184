"""``hrh export-log`` and ``hrh import-log``: the whole ledger as JSON Lines, out and back in."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from api.chain_report import head_text
from api.cli.connection import DataDir, ledger_session, reachable_url
from api.cli.projection_commands import rebuild_with_progress
from api.cli.terminal import console, errors, fail
from projections import runner
from replay import split
from replay.log import export_log
from replay.log_import import ImportRefused, import_log


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
