"""``hrh chain-head``, and the chaining of older events that ``hrh serve`` and ``hrh demo`` do first."""

from pathlib import Path

from api.chain_report import chained_text, head_text
from api.cli.connection import DataDir, ledger_session
from api.cli.terminal import console, fail
from replay import chain_backfill


def chain_head(data_dir: DataDir = None) -> None:
    """Print the ledger's chain head, POSITION:HASH, to publish (`hrh verify --head` checks against it)."""
    with ledger_session(data_dir) as ledger:
        position, chain = ledger.recorder.chain_head()  # type: ignore[attr-defined]
    print(head_text(position, chain))


def chain_older_events(data_dir: Path | None) -> None:
    """Chains the events of a ledger recorded before the chain existed, once, before anything is recorded."""
    with ledger_session(data_dir) as ledger:
        try:
            chained = chain_backfill.chain_older_events(ledger)
        except chain_backfill.Unchainable as error:
            fail(str(error))
    if chained is not None:
        console.print(chained_text(chained), highlight=False, soft_wrap=True)
