"""The ``hrh`` command line: every command, registered here in the order ``hrh --help`` lists them.

Each group of commands has a module of its own: the demo, serving, the read tables (project,
rebuild, verify), the chain, the log, the users, and the exports.
"""

import typer

from api.cli import (
    chain_commands,
    demo_commands,
    export_commands,
    import_commands,
    log_commands,
    projection_commands,
    serve_commands,
    user_commands,
)

app = typer.Typer(help="hrh: the health workforce ledger.", no_args_is_help=True, add_completion=False)

app.command()(demo_commands.demo)
app.command()(serve_commands.serve)
app.command()(serve_commands.schema)
app.add_typer(user_commands.users, name="users")
app.command()(projection_commands.project)
app.command("rebuild")(projection_commands.rebuild_command)
app.command()(projection_commands.verify)
app.command("chain-head")(chain_commands.chain_head)
app.command("export-log")(log_commands.export_log_command)
app.command("import-log")(log_commands.import_log_command)
app.command("import-template")(import_commands.import_template_command)
app.command("import")(import_commands.import_command)
app.add_typer(export_commands.export, name="export")
