"""What the CLI says about the chain (``hrh verify``, ``hrh chain-head``, ``hrh export-log``)."""

from pathlib import Path

from rich.console import Console

from replay.chain import ChainReport, parse_head, read_heads
from replay.chain_backfill import Chained

SHOWN = 20
"""Findings listed after the first; the rest are counted."""


def published_heads(heads: list[str], heads_file: Path | None) -> dict[int, str]:
    """The heads given with ``--head POSITION:HASH`` and in ``--heads FILE``, by position.

    Raises:
        BadHead: a head is not ``POSITION:HASH``.
        OSError: the file cannot be read.
    """
    found = [parse_head(text) for text in heads]
    if heads_file is not None:
        found.extend(read_heads(heads_file))
    return dict(found)


def head_text(position: int, chain: str) -> str:
    """A head as it is published: ``POSITION:HASH``."""
    return f"{position}:{chain}"


def chained_text(chained: Chained) -> str:
    """The line that says a ledger recorded before the chain existed was chained."""
    return (
        f"Chained {chained.events:,} events recorded before the chain existed; chain head "
        f"{head_text(*chained.head)} (publish it now: it dates from this upgrade)."
    )


def print_chain(console: Console, report: ChainReport, heads: int) -> bool:
    """Prints the chain check's outcome; True when the chain holds."""
    first = report.first
    if first is None:
        against = f", and matches the {heads} published head{'s' if heads != 1 else ''} given" if heads else ""
        console.print(
            f"The chain holds: {report.events:,} events, head {head_text(*report.head)}{against}.", highlight=False
        )
        return True
    console.print(
        f"[bold red]The chain is broken[/]: the first bad position is {first.position:,} ({first.kind}): "
        f"{first.message}.",
        highlight=False,
        soft_wrap=True,
    )
    if not report.recorded:
        console.print(
            "  No event has a chain hash: this ledger was recorded before the chain existed. Start hrh serve "
            "once, which chains every event, then publish the head it prints (docs/operations.md).",
            highlight=False,
            soft_wrap=True,
        )
    for finding in report.findings[1 : SHOWN + 1]:
        console.print(
            f"  position {finding.position:,} ({finding.kind}): {finding.message}.", highlight=False, soft_wrap=True
        )
    if len(report.findings) > SHOWN + 1:
        console.print(f"  and {len(report.findings) - SHOWN - 1:,} more.", highlight=False, soft_wrap=True)
    return False
