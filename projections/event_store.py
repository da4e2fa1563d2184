"""The ledger's PostgreSQL recorder: the library's, writing each batch in a plain transaction.

The library sends a batch through a psycopg pipeline. Over a unix socket (the embedded server's
only transport) a batch larger than the socket buffer deadlocks there: the client waits for
results while the server waits for the rest of the batch. Here the same statements run in a
plain transaction instead: the table lock, the NOTIFY and the insert, in that order.

The insert also passes the events as four binary arrays rather than one array of a composite
type, which psycopg can only dump as escaped text: for large batches that is most of the cost.
The ids it returns are read as tuples, not as one dict per row.

``insert_columns`` takes the events as columns, the ids packed in one ``bytea`` (16 bytes each)
that the server cuts up: the bulk path's parent process (``replay/bulk/sharded.py``) then builds no
Python object per event.

Every insert also records the events' chain hashes (DESIGN, "Tamper evidence"; ``domain/chain.py``)
beside the events, in the same transaction: the positions are known once the events are inserted,
and the chain's head is read while the table lock is held, so the chain follows the ledger order.

The chain is kept as runs of consecutive positions, a row a run, and shown a row an event by a
view (``projections/chain_runs.py``). Both tables refuse ``UPDATE``, ``DELETE`` and ``TRUNCATE``
(``projections.append_only``): changing what was recorded takes a superuser's deliberate work,
which the chain then shows.
"""

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier

from domain.chain import GENESIS, Unplaced
from projections import append_only, chain_runs
from projections.chain_runs import ChainRows, run_rows

TOPIC = "projections.event_store:LedgerRecorder"
EVENT_COLUMNS = ("originator_id", "originator_version", "topic", "state", "notification_id")
EVENT_COLUMN_TYPES = ("uuid", "int8", "text", "bytea", "int8")


class ChainMissing(TypeError):
    """Raised when events are given to the recorder without what their chain hashes are made of."""


class ChainNotStarted(RuntimeError):
    """Raised when events are recorded in a ledger whose older events have no chain yet (a
    database recorded before the chain existed): ``replay.chain_backfill`` chains them first
    (``hrh serve`` and ``hrh demo`` do it as they start)."""

    code = "CHAIN_NOT_STARTED"


class LedgerRecorder(PostgresApplicationRecorder):
    """Inserts stored events without pipeline mode; otherwise the library's recorder."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.chain_view_name = f"{events_table_name}_chain"
        self.chain_table_name = f"{events_table_name}_chain_runs"
        self.check_identifier_length(self.chain_table_name)
        schema, chain_table = Identifier(datastore.schema), Identifier(self.chain_table_name)
        self.sql_create_statements.extend(
            chain_runs.statements(datastore.schema, events_table_name, self.chain_table_name, self.chain_view_name)
        )
        self.sql_create_statements.extend(
            append_only.statements(datastore.schema, events_table_name, self.chain_table_name)
        )
        self.chain_head_statement = SQL(
            "SELECT last, encode(substring(chains FROM octet_length(chains) - 31), 'hex') "
            "FROM {schema}.{table} ORDER BY first DESC LIMIT 1"
        ).format(schema=schema, table=chain_table)
        self.earlier_event_statement = SQL(
            "SELECT EXISTS (SELECT 1 FROM {schema}.{table} WHERE notification_id < %s)"
        ).format(schema=schema, table=Identifier(events_table_name))
        self.copy_chain_statement = chain_runs.copy_statement(datastore.schema, self.chain_table_name)
        # The part of each run from %(start)s to %(stop)s, found by the runs' exclusion index, cut
        # out by the server (a slice of a value stored out of line reads only its pages).
        self.select_chain_statement = SQL(
            "SELECT f, encode(substring(digests FROM s FOR n), 'hex'), encode(substring(chains FROM s FOR n), 'hex') "
            "FROM {schema}.{table}, LATERAL (SELECT greatest(first, %(start)s) AS f) AS a, "
            "LATERAL (SELECT (32 * (f - first) + 1)::int AS s, (32 * (least(last, %(stop)s) - f + 1))::int AS n) AS b "
            "WHERE int8range(first, last, '[]') && int8range(%(start)s, %(stop)s, '[]') ORDER BY first"
        ).format(schema=schema, table=chain_table)
        self.position_of_statement = SQL(
            "SELECT notification_id FROM {schema}.{table} WHERE originator_id = %s AND originator_version = %s"
        ).format(schema=schema, table=Identifier(events_table_name))
        self.existing_statement = SQL(
            "SELECT DISTINCT originator_id FROM {schema}.{table} WHERE originator_id = ANY(%s)"
        ).format(schema=schema, table=Identifier(events_table_name))
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
    def insert_columns(
        self, ids: bytes, versions: list[int], topics: list[str], states: list[bytes], lines: Sequence[Unplaced]
    ) -> list[int]:
        """Inserts events given as columns, ids packed 16 bytes each, in one transaction, with their
        chain hashes (``lines``: each event's, from ``domain.chain.unplaced``); returns their positions."""
        if not versions:
            return []
        if len(lines) != len(versions):
            raise ChainMissing(f"{len(versions)} events but {len(lines)} chain descriptions")
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self.lock_events_table(curs)
            self.notify(curs)
            curs.execute(self.insert_columns_statement, (ids, versions, topics, states))
            positions = self.positions_inserted(curs)
            self._insert_chain(curs, positions, versions, lines)
            return positions

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """Inserts stored events in one transaction, with their chain hashes; returns their positions.

        Raises:
            ChainMissing: ``lines`` (each event's ``domain.chain.unplaced``) was not given.
        """
        lines: Sequence[Unplaced] | None = kwargs.get("lines")
        if lines is None or len(lines) != len(stored_events):
            raise ChainMissing("the ledger's events are recorded with their chain hashes: pass lines=")
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            if not stored_events:
                return []
            self.lock_events_table(curs)
            self.notify(curs)
            self.insert_arrays(curs, stored_events)
            positions = self.positions_inserted(curs)
            self._insert_chain(curs, positions, [e.originator_version for e in stored_events], lines)
            return positions

    def _insert_chain(
        self, curs: Cursor[Any], positions: list[int], versions: Sequence[int], lines: Sequence[Unplaced]
    ) -> None:
        """Records the chain hashes of events just inserted at ``positions``, the table lock held."""
        curs.row_factory = tuple_row
        curs.execute(self.chain_head_statement)
        row = curs.fetchone()
        if row is None:
            curs.execute(self.earlier_event_statement, (positions[0],))
            earlier = curs.fetchone()
            if earlier is not None and earlier[0]:
                raise ChainNotStarted(
                    "the ledger holds events recorded before the chain existed, and they have no chain yet: "
                    "start hrh serve (or hrh demo) once, which chains them, before recording anything"
                )
        previous = GENESIS if row is None else row[1]
        sha256 = hashlib.sha256
        digests, chains = [], []
        for position, version, (head, middle) in zip(positions, versions, lines, strict=True):
            digest = sha256(b"%s%d%s%d}" % (head, position, middle, version)).hexdigest()
            previous = sha256(f"{previous}\n{digest}".encode()).hexdigest()
            digests.append(digest)
            chains.append(previous)
        self.insert_chain(curs, ChainRows(positions, digests, chains))

    def insert_chain(self, curs: Cursor[Any], rows: ChainRows) -> None:
        """Records chain hashes already computed, in ``curs``'s transaction."""
        with curs.copy(self.copy_chain_statement) as copy:
            rows.write(copy)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_chain(self, start: int, stop: int) -> list[tuple[int, str, str]]:
        """The recorded (position, digest, chain) of the positions from ``start`` to ``stop``, in order."""
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self.select_chain_statement, {"start": start, "stop": stop})
            return [row for run in curs.fetchall() for row in run_rows(*run)]

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def position_of(self, originator_id: UUID, version: int) -> int | None:
        """The ledger position of an aggregate's event (``domain.ledger.PositionIndex``), by the primary key."""
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self.position_of_statement, (originator_id, version))
            row = curs.fetchone()
            return None if row is None else int(row[0])

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def existing(self, originator_ids: Sequence[UUID]) -> set[UUID]:
        """Which of ``originator_ids`` have events: one query for many, where the bulk path would otherwise ask
        for each aggregate of a chunk in turn (``replay.bulk``)."""
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self.existing_statement, (list(originator_ids),))
            return {row[0] if isinstance(row[0], UUID) else UUID(str(row[0])) for row in curs.fetchall()}

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def chain_head(self) -> tuple[int, str]:
        """The last recorded (position, chain); ``(0, GENESIS)`` for an empty ledger."""
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self.chain_head_statement)
            row = curs.fetchone()
            return (0, GENESIS) if row is None else (row[0], row[1])

    def lock_events_table(self, curs: Cursor[Any]) -> None:
        """Takes the library's EXCLUSIVE lock on the events table (its ``lock_table_statements``), so
        that positions are committed in the order they are issued; readers are not blocked."""
        for statement in self.lock_table_statements:
            curs.execute(statement, prepare=True)

    def notify(self, curs: Cursor[Any]) -> None:
        """Tells the library's listeners on the recorder's ``channel_name`` that events were recorded."""
        curs.execute(SQL("NOTIFY {0}").format(Identifier(self.channel_name)))

    def insert_arrays(self, curs: Cursor[Any], stored_events: Sequence[StoredEvent]) -> None:
        """Inserts stored events as four binary arrays, the table lock held."""
        curs.execute(
            self.insert_arrays_statement,
            (
                [e.originator_id for e in stored_events],
                [e.originator_version for e in stored_events],
                [e.topic for e in stored_events],
                [e.state for e in stored_events],
            ),
        )

    @staticmethod
    def positions_inserted(curs: Cursor[Any]) -> list[int]:
        """The ledger positions the insert just run in ``curs`` returned, in order."""
        tuples = cast("Cursor[tuple[Any, ...]]", curs)  # the cursor ends with this transaction
        tuples.row_factory = tuple_row
        return [row[0] for row in tuples.fetchall()]

    def qualified(self, table: str) -> Composed:
        """``schema.table`` for one of the ledger's tables."""
        return SQL("{}").format(Identifier(self.datastore.schema or "public", table))

    @contextmanager
    def locked(self, *, wait: bool = False) -> Iterator[Cursor[Any]]:
        """A transaction that holds the lock every insert takes, committed when the block ends: for
        work that reads and checks between its writes (a log import, the chain's backfill), so with
        no idle timeout; ``wait``: no lock timeout either (a second process waits for the first)."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("SET LOCAL idle_in_transaction_session_timeout = 0")
            if wait:
                curs.execute("SET LOCAL lock_timeout = 0")
            curs.execute(SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(self.qualified(self.events_table_name)))
            yield curs

    def holds(self, curs: Cursor[Any]) -> tuple[bool, bool]:
        """Whether the events table, and the chain table, hold any row (in ``curs``'s transaction)."""
        curs.execute(
            SQL("SELECT EXISTS (SELECT 1 FROM {}) AS events, EXISTS (SELECT 1 FROM {}) AS chain").format(
                self.qualified(self.events_table_name), self.qualified(self.chain_table_name)
            )
        )
        row = cast("tuple[bool, bool] | dict[str, bool] | None", curs.fetchone())
        values = () if row is None else tuple(row.values()) if isinstance(row, dict) else row
        return bool(values and values[0]), bool(values and values[1])

    def copy_data(self, curs: Cursor[Any], events: bytes, chain: bytes) -> None:
        """Writes events, positions kept, given as binary COPY data of the columns ``EVENT_COLUMNS``
        (of types ``EVENT_COLUMN_TYPES``), and their chain's runs, as binary COPY data of the columns
        ``RUN_COLUMNS`` (of types ``RUN_COLUMN_TYPES``): a log import's, checked and formatted elsewhere."""
        statement = SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
            self.qualified(self.events_table_name), SQL(", ").join(map(Identifier, EVENT_COLUMNS))
        )
        for copying, data in ((statement, events), (self.copy_chain_statement, chain)):
            with curs.copy(copying) as copy:
                copy.write(data)

    def continue_after(self, curs: Cursor[Any], position: int) -> None:
        """Makes the next event recorded take the position after ``position`` (after a copy)."""
        curs.execute(
            SQL("SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), %s)"),
            (f'"{self.datastore.schema or "public"}"."{self.events_table_name}"', position),
        )
