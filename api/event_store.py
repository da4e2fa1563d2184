"""The ledger's PostgreSQL recorder: the library's, writing each batch in a plain transaction.

The library sends a batch through a psycopg pipeline. Over a unix socket (the embedded server's
only transport) a batch larger than the socket buffer deadlocks there: the client waits for
results while the server waits for the rest of the batch. Here the same statements run in a
plain transaction instead: the table lock, the NOTIFY and the insert, in that order.
"""

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry

TOPIC = "api.event_store:LedgerRecorder"


class LedgerRecorder(PostgresApplicationRecorder):
    """Inserts stored events without pipeline mode; otherwise the library's recorder."""

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._insert_events(curs, stored_events, **kwargs)
            if not stored_events:
                return []
            self._insert_stored_events(curs, stored_events, **kwargs)
            return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
