"""What the ``hrh`` commands print: the two consoles, the one-line error, and the progress bars."""

from collections.abc import Callable
from typing import NoReturn

import typer
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
from rich.text import Text

from replay.rebuild import ProgressFactory

console = Console()
errors = Console(stderr=True)


def fail(message: str) -> NoReturn:
    """Prints ``message`` as one error line on standard error and ends the command with exit code 1."""
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=1)


class SpeedColumn(ProgressColumn):
    """Events per second."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.0f} events/s" if task.speed else "", style="progress.data.speed")


def projection_progress(bar: Progress, description: str) -> ProgressFactory:
    """A progress factory for projecting ledger positions ``first`` to ``last``, as one task of ``bar``."""

    def start(first: int, last: int) -> Callable[[int, int], None]:
        task = bar.add_task(description, total=max(last - first, 0))

        def advance(position: int, _: int) -> None:
            bar.update(task, completed=position - first)

        return advance

    return start


def progress_bar() -> Progress:
    """A bar counting what is done, how long it took, and how long is left."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def speed_bar() -> Progress:
    """A bar that also shows how many events a second go through."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        SpeedColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )
