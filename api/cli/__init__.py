"""The ``hrh`` command line: every command, named here in the order ``hrh --help`` lists them.

Each group of commands has a module of its own: the demo, serving, the read tables (project,
rebuild, verify), the chain, the log, the users, and the exports. A command's module is imported
when that command runs, not before: ``hrh import-log`` does not load the web app, the GraphQL
schema or the spreadsheet library, and starts in a third of the time (``hrh --help`` loads
them all, to list them).
"""

import importlib
from typing import Any

import typer
from typer.core import TyperGroup

COMMANDS = {
    "demo": "api.cli.demo_commands:demo",
    "serve": "api.cli.serve_commands:serve",
    "schema": "api.cli.serve_commands:schema",
    "project": "api.cli.projection_commands:project",
    "rebuild": "api.cli.projection_commands:rebuild_command",
    "verify": "api.cli.projection_commands:verify",
    "chain-head": "api.cli.chain_commands:chain_head",
    "export-log": "api.cli.log_commands:export_log_command",
    "import-log": "api.cli.log_commands:import_log_command",
    "import-template": "api.cli.import_commands:import_template_command",
    "import": "api.cli.import_commands:import_command",
    "users": "api.cli.user_commands:users",
    "export": "api.cli.export_commands:export",
}
"""Each command's name, and where it is defined: a function, or a ``typer.Typer`` of subcommands."""


class Commands(TyperGroup):
    """The commands of ``COMMANDS``, each made from its module when it is first asked for."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name].split(":")
        defined = getattr(importlib.import_module(module), name)
        if isinstance(defined, typer.Typer):
            command: Any = typer.main.get_group(defined)
        else:
            alone = typer.Typer(add_completion=False)
            alone.command(cmd_name)(defined)
            command = typer.main.get_command(alone)
        command.name = cmd_name
        return command


app = typer.Typer(cls=Commands, no_args_is_help=True, add_completion=False)


@app.callback()
def hrh() -> None:
    """hrh: the health workforce ledger."""
