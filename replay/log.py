"""Export and import of the whole ledger as JSON Lines, each line with its chain hash.

Import writes the stored events with their original positions, so that an import into an empty
database followed by an export gives back the same lines. It recomputes the chain of the file
(DESIGN, "Tamper evidence") and refuses a file whose chain breaks, naming the first bad line. It
runs in one transaction: a bad line anywhere imports nothing.
"""

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from domain.chain import GENESIS, KEPT, compact, line_fields, link
from domain.encoding import recorded_event
from domain.ledger import Ledger
from replay.log_format import CHAIN, MalformedLine, event_of, event_to_line, parse

PAGE = 5000


class ImportRefused(Exception):
    """Raised when an import cannot go ahead: the ledger is not empty, or a line is malformed,
    or the file's chain breaks.

    ``line`` is the 1-based line number, when a line is to blame.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.line = line


def export_lines(ledger: Ledger) -> Iterator[str]:
    """Every event of the ledger as a line, in ledger order, with its recorded chain hash (null
    for an event the chain does not cover, which ``hrh verify`` reports)."""
    recorder: Any = ledger.recorder
    start = 1
    while True:
        page = recorder.select_notifications(start, PAGE)
        if page:
            chains = {row[0]: row[2] for row in recorder.select_chain(page[0].id, page[-1].id)}
            for notification in page:
                event = recorded_event(ledger.mapper, notification)
                yield event_to_line(notification.id, event, chains.get(notification.id))
        if len(page) < PAGE:
            return
        start = page[-1].id + 1


@dataclass
class Exported:
    """What an export wrote: how many events, and the chain head of its last line (None when empty)."""

    count: int = 0
    head: tuple[int, str] | None = None


def export_log(ledger: Ledger, out: TextIO, progress: Callable[[int], Any] | None = None) -> Exported:
    exported = Exported()
    last = ""
    for line in export_lines(ledger):
        out.write(line)
        out.write("\n")
        last = line
        exported.count += 1
        if progress is not None and exported.count % PAGE == 0:
            progress(PAGE)
    if last:
        fields = json.loads(last)
        if fields[CHAIN] is not None:
            exported.head = (fields["position"], fields[CHAIN])
    return exported


class ChainCheck:
    """Recomputes a file's chain line by line (DESIGN, "Tamper evidence")."""

    def __init__(self) -> None:
        self.previous = GENESIS

    def check(self, line: dict[str, Any], number: int) -> tuple[str, str]:
        """The line's (digest, chain), once its ``chain`` is the one recomputed.

        Raises:
            ImportRefused: the line has no chain, or another than its content and the lines before give.
        """
        if CHAIN not in line:
            raise ImportRefused("no chain hash: export the log again with this version of hrh export-log", number)
        line_digest = hashlib.sha256(compact({key: line[key] for key in KEPT})).hexdigest()
        chain = link(self.previous, line_digest)
        if line[CHAIN] != chain:
            raise ImportRefused(
                f"the chain breaks here (position {line.get('position')}): this line, or the line before it, "
                "is not as it was exported",
                number,
            )
        self.previous = chain
        return line_digest, chain


def import_log(ledger: Ledger, lines: Iterable[str], progress: Callable[[int], Any] | None = None) -> int:
    """Imports lines into an empty ledger, with their chain hashes; returns the number of events.

    Raises:
        ImportRefused: the ledger already holds events, or a line is malformed or out of order, or
            the chain breaks.
    """
    recorder: Any = ledger.recorder
    versions: dict[Any, int] = {}
    last_position = 0
    count = 0
    chain = ChainCheck()
    # The file is read and checked between the inserts: more than the library's few seconds of
    # idleness a transaction is allowed on a busy machine.
    with recorder.locked() as curs:
        if any(recorder.holds(curs)):
            raise ImportRefused("the ledger already holds events; import only into an empty database")
        batch: list[tuple[Any, ...]] = []
        links: tuple[list[int], list[str], list[str]] = ([], [], [])
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            try:
                line = parse(text)
                position, event = event_of(line)
            except MalformedLine as error:
                raise ImportRefused(str(error), number) from None
            if position <= last_position:
                raise ImportRefused(f"position {position} does not follow {last_position}", number)
            expected = versions.get(event.originator_id, 0) + 1
            if event.originator_version != expected:
                raise ImportRefused(
                    f"{event.originator_id} jumps to version {event.originator_version}, expected {expected}", number
                )
            if line_fields(position, event) != {key: line[key] for key in KEPT}:
                raise ImportRefused("the line is not as export-log writes it (a value of another type?)", number)
            line_digest, line_chain = chain.check(line, number)
            versions[event.originator_id] = expected
            last_position = position
            stored = ledger.mapper.to_stored_event(event)
            batch.append((stored.originator_id, stored.originator_version, stored.topic, stored.state, position))
            links[0].append(position)
            links[1].append(line_digest)
            links[2].append(line_chain)
            if len(batch) == PAGE:
                recorder.copy_events(curs, batch)
                recorder.insert_chain(curs, *links)
                count += len(batch)
                batch.clear()
                links = ([], [], [])
                if progress is not None:
                    progress(PAGE)
        if batch:
            recorder.copy_events(curs, batch)
            recorder.insert_chain(curs, *links)
            count += len(batch)
        if last_position:
            recorder.continue_after(curs, last_position)
    return count
