"""Export and import of the whole ledger as JSON Lines.

Import writes the stored events with their original positions, so that an import into an empty
database followed by an export gives back the same lines. It runs in one transaction: a bad line
anywhere imports nothing.
"""

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from psycopg import sql

from domain.ledger import Ledger
from replay.log_format import MalformedLine, event_to_line, line_to_event

PAGE = 5000


class ImportRefused(Exception):
    """Raised when an import cannot go ahead: the ledger is not empty, or a line is malformed.

    ``line`` is the 1-based line number, when a line is to blame.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.line = line


def export_lines(ledger: Ledger) -> Iterator[str]:
    """Every event of the ledger as a line, in ledger order."""
    start = 1
    while True:
        page = ledger.recorder.select_notifications(start, PAGE)
        for notification in page:
            yield event_to_line(notification.id, ledger.mapper.to_domain_event(notification))
        if len(page) < PAGE:
            return
        start = page[-1].id + 1


def export_log(ledger: Ledger, out: TextIO, progress: Callable[[int], Any] | None = None) -> int:
    count = 0
    for line in export_lines(ledger):
        out.write(line)
        out.write("\n")
        count += 1
        if progress is not None and count % PAGE == 0:
            progress(PAGE)
    return count


def import_log(ledger: Ledger, lines: Iterable[str], progress: Callable[[int], Any] | None = None) -> int:
    """Imports lines into an empty ledger; returns the number of events.

    Raises:
        ImportRefused: the ledger already holds events, or a line is malformed or out of order.
    """
    recorder: Any = ledger.recorder
    table = sql.Identifier(recorder.datastore.schema or "public", recorder.events_table_name)
    insert = sql.SQL(
        "INSERT INTO {} (originator_id, originator_version, topic, state, notification_id) VALUES (%s, %s, %s, %s, %s)"
    ).format(table)
    versions: dict[Any, int] = {}
    last_position = 0
    count = 0
    with recorder.datastore.transaction(commit=True) as curs:
        curs.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(table))
        curs.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(table))
        row = curs.fetchone()
        if row is not None and next(iter(row.values())):
            raise ImportRefused("the ledger already holds events; import only into an empty database")
        batch: list[tuple[Any, ...]] = []
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            try:
                position, event = line_to_event(text)
            except MalformedLine as error:
                raise ImportRefused(str(error), number) from None
            if position <= last_position:
                raise ImportRefused(f"position {position} does not follow {last_position}", number)
            expected = versions.get(event.originator_id, 0) + 1
            if event.originator_version != expected:
                raise ImportRefused(
                    f"{event.originator_id} jumps to version {event.originator_version}, expected {expected}", number
                )
            versions[event.originator_id] = expected
            last_position = position
            stored = ledger.mapper.to_stored_event(event)
            batch.append((stored.originator_id, stored.originator_version, stored.topic, stored.state, position))
            if len(batch) == PAGE:
                curs.executemany(insert, batch)
                count += len(batch)
                batch.clear()
                if progress is not None:
                    progress(PAGE)
        if batch:
            curs.executemany(insert, batch)
            count += len(batch)
        if last_position:
            curs.execute(
                sql.SQL("SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), %s)"),
                (f'"{recorder.datastore.schema or "public"}"."{recorder.events_table_name}"', last_position),
            )
    return count
