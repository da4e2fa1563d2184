"""The write paths without the chain hash, for benchmarks that measure what the chain costs.

``without_chain()`` makes every path describe its events as nothing and the recorder skip the
chain's rows: what is left is the ledger as it was recorded before the chain existed. Call it
before the load (and before the bulk path forks its children, which inherit it).
"""

from typing import Any

from domain import ledger
from projections import event_store
from replay.bulk import one_process, shard_child

NOTHING = (b"", b"")


def describe_nothing(_: Any) -> tuple[bytes, bytes]:
    return NOTHING


def without_chain() -> None:
    for module in (one_process, ledger, shard_child):
        module.unplaced = describe_nothing  # type: ignore[attr-defined]
    event_store.LedgerRecorder._insert_chain = lambda *_: None  # type: ignore[method-assign]
