"""The ledger's PostgreSQL recorder: the library's, writing each batch in a plain transaction.

The library sends a batch through a psycopg pipeline. Over a unix socket (the embedded server's
only transport) a batch larger than the socket buffer deadlocks there: the client waits for
results while the server waits for the rest of the batch. Here the same statements run in a
plain transaction instead: the table lock, the NOTIFY and the insert, in that order.

The insert also passes the events as four binary arrays rather than one array of a composite
type, which psycopg can only dump as escaped text: for large batches that is most of the cost.
The ids it returns are read as tuples, not as one dict per row.

``insert_columns`` takes the events as columns, the ids packed in one ``bytea`` (16 bytes each)
that the server cuts up: the bulk path's parent process (``domain/sharded.py``) then builds no
Python object per event.
"""

from collections.abc import Sequence
from typing import Any, cast

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Identifier

TOPIC = "api.event_store:LedgerRecorder"


class LedgerRecorder(PostgresApplicationRecorder):
    """Inserts stored events without pipeline mode; otherwise the library's recorder."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.insert_arrays_statement = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::uuid[], %b::bigint[], %b::text[], %b::bytea[]) RETURNING notification_id"
        ).format(schema=Identifier(datastore.schema), table=Identifier(events_table_name))

        self.insert_columns_statement = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT encode(substring(%b::bytea FROM 16 * n::int - 15 FOR 16), 'hex')::uuid, v, t, s "
            "FROM unnest(%b::bigint[], %b::text[], %b::bytea[]) WITH ORDINALITY AS e(v, t, s, n) ORDER BY n "
            "RETURNING notification_id"
        ).format(schema=Identifier(datastore.schema), table=Identifier(events_table_name))

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_columns(self, ids: bytes, versions: list[int], topics: list[str], states: list[bytes]) -> list[int]:
        """Inserts events given as columns, ids packed 16 bytes each, in one transaction; returns their positions."""
        if not versions:
            return []
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._lock_table(curs)
            self._notify_channel(curs)
            curs.execute(self.insert_columns_statement, (ids, versions, topics, states))
            return self._fetch_ids_after_insert_events(curs, [])

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._insert_events(curs, stored_events, **kwargs)
            if not stored_events:
                return []
            self._insert_stored_events(curs, stored_events, **kwargs)
            return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)

    def _insert_stored_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **_: Any) -> None:
        self._lock_table(curs)
        self._notify_channel(curs)
        curs.execute(
            self.insert_arrays_statement,
            (
                [e.originator_id for e in stored_events],
                [e.originator_version for e in stored_events],
                [e.topic for e in stored_events],
                [e.state for e in stored_events],
            ),
        )

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **_: Any
    ) -> list[int]:
        tuples = cast("Cursor[tuple[Any, ...]]", curs)  # the cursor ends with this transaction
        tuples.row_factory = tuple_row
        return [row[0] for row in tuples.fetchall()]
