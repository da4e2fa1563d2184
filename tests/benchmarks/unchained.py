"""The write paths without the chain hash, for benchmarks that measure what the chain costs.

``without_chain()`` makes every path describe its events as nothing and the recorder skip the
chain's rows: what is left is the ledger as it was recorded before the chain existed. The split
load's children, which make each event's stored state and description together
(``domain/event_bytes.py``), make the stored state alone, as they did then. Call it before the
load (and before the bulk path forks its children, which inherit it).
"""

from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper

from domain import ledger
from projections import event_store
from replay.bulk import one_process, shard_child

NOTHING = (b"", b"")


def describe_nothing(_: Any) -> tuple[bytes, bytes]:
    return NOTHING


class StoredOnly:
    """``EventBytes`` without the description: the mapper's stored event alone."""

    def __init__(self, mapper: Mapper[UUID]) -> None:
        self.to_stored = mapper.to_stored_event

    def __call__(self, event: Any) -> tuple[str, bytes, tuple[bytes, bytes]]:
        stored = self.to_stored(event)
        return stored.topic, stored.state, NOTHING


def without_chain() -> None:
    for module in (one_process, ledger):
        module.unplaced = describe_nothing  # type: ignore[attr-defined]
    shard_child.EventBytes = StoredOnly  # type: ignore[attr-defined,assignment]
    event_store.LedgerRecorder._insert_chain = lambda *_: None  # type: ignore[method-assign]
