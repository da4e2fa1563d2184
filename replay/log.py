"""Export of the whole ledger as JSON Lines, each line with its chain hash (``hrh export-log``;
the import is ``replay.log_import``)."""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from domain.encoding import recorded_event
from domain.ledger import Ledger
from replay.log_format import CHAIN, event_to_line

PAGE = 5000


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
