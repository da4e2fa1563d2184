"""How the bulk path puts events in the event store: stored events with their chain hashes, or
the same as columns (the split load's children send them so).

Both name the ledger's recorder (``projections/event_store.py``) through what every recorder of
the library offers, ``insert_events`` with keyword arguments; only ``insert_columns`` is the
ledger's recorder's own, and without it the columns become stored events again.
"""

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.chain import Unplaced
from domain.encoding import stored_event
from domain.ledger import Ledger


class NoPositions(TypeError):
    """Raised when the ledger's recorder assigns no ledger positions (it keeps no notification log)."""


def insert(ledger: Ledger, stored_events: Sequence[StoredEvent], lines: Sequence[Unplaced]) -> list[int]:
    """Puts stored events in the event store in one transaction, with their chain hashes
    (``lines``: each event's ``chain.unplaced``); returns their ledger positions."""
    positions = ledger.recorder.insert_events(stored_events, lines=lines)
    if positions is None:
        raise NoPositions("The ledger needs a recorder that assigns ledger positions")
    return list(positions)


def insert_columns(
    ledger: Ledger, ids: bytes, versions: list[int], topics: list[str], states: list[bytes], lines: list[Unplaced]
) -> list[int]:
    """``insert`` for events given as columns, their ids packed 16 bytes each; the PostgreSQL
    recorder takes them as they are."""
    columns = getattr(ledger.recorder, "insert_columns", None)
    if columns is not None:
        return list(columns(ids, versions, topics, states, lines))
    originators = [UUID(bytes=ids[start : start + 16]) for start in range(0, len(ids), 16)]
    return insert(ledger, list(map(stored_event, originators, versions, topics, states)), lines)
