"""The ``hrh`` command line loads a command's module only when that command runs."""

import subprocess
import sys

from typer.testing import CliRunner

from api.cli import COMMANDS, app

WEB_AND_SPREADSHEETS = ("fastapi", "strawberry", "openpyxl", "jinja2")


def modules_loaded_by(*args: str) -> set[str]:
    """Which of ``WEB_AND_SPREADSHEETS`` a fresh interpreter has loaded after ``hrh ARGS``."""
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from api.cli import app\n"
        f"result = CliRunner().invoke(app, {list(args)!r})\n"
        "assert result.exit_code == 0, result.output\n"
        f"print(' '.join(m for m in {WEB_AND_SPREADSHEETS!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_the_log_commands_start_without_the_web_app_or_the_spreadsheet_library() -> None:
    assert modules_loaded_by("import-log", "--help") == set()
    assert modules_loaded_by("export-log", "--help") == set()


def test_the_help_lists_every_command_in_order_and_each_has_its_own_help() -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["--help"], terminal_width=200)
    assert listed.exit_code == 0
    positions = [listed.output.index(f"│ {name} ") for name in COMMANDS]
    assert positions == sorted(positions)
    for name in COMMANDS:
        own = runner.invoke(app, [name, "--help"], prog_name="hrh", terminal_width=200)
        assert own.exit_code == 0, own.output
        assert f"Usage: hrh {name} [OPTIONS]" in own.output
        assert "--install-completion" not in own.output


def test_an_unknown_command_is_refused_by_name() -> None:
    result = CliRunner().invoke(app, ["nosuch"])
    assert result.exit_code == 2
    assert "No such command 'nosuch'" in result.output
