"""Recording a spreadsheet's rows (DESIGN, "Spreadsheet import"): each row checked as the same command sent over
GraphQL by the same user, then recorded through the bulk path (``replay.bulk``), a chunk of rows per
transaction.

Who may import is who may send the mutations (``api.access.WRITERS``); each row is then checked with the
caller's scope by ``api.access.command_guard``, as ``Ledger.execute`` checks a mutation's command. A row that
carries errors (from the reader, or refused by its input type) is reported and never recorded. Without a
``commandId`` column a row's id comes from the file's content and the row, so the same file imported again
records nothing new (every row "already recorded").

A dry run checks every row, later rows seeing what earlier rows would have recorded (a hire, then its
posting), and writes nothing. All-or-nothing records the rows only when none of them is refused, in one
transaction.
"""

import asyncio
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import IntegrityError

from api.access import WRITERS, User, command_guard, require
from api.graphql.context import Services
from api.imports.commands import error, refused_column, row_command
from api.imports.rows import SHEETS, Row, RowError
from domain.errors import N_, Conflict
from domain.ledger import Ledger
from replay.bulk.held import HeldBatch
from replay.bulk.one_process import Batch
from replay.bulk.rows import BatchReport, Refusal, Submission

CHUNK_ROWS = 1000
"""Rows checked, then inserted, per transaction (the bulk path's chunk)."""

Progress = Callable[[int], Any]
"""Called with how many more rows are done (recorded, already recorded or refused), from the import's thread: a
web page hands it to its event loop (``loop.call_soon_threadsafe``)."""


@dataclass
class ImportReport:
    """What an import did. In a dry run, ``recorded`` counts the rows that would have been recorded, and nothing
    was written (``position_after`` is ``position_before``)."""

    dry_run: bool = False
    rows: int = 0
    recorded: int = 0
    already_recorded: int = 0
    refused: int = 0
    errors: list[RowError] = field(default_factory=list)
    position_before: int = 0
    position_after: int = 0


async def import_rows(
    services: Services,
    user: User,
    rows: Iterable[Row],
    *,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Checks and records ``rows`` as ``user`` (read, checked and written in a thread: all of it blocks).

    Raises:
        Forbidden: the user may not send commands.
        Conflict: all-or-nothing, and another writer changed the same records meanwhile (nothing recorded).
    """
    return await asyncio.to_thread(
        record_rows, services.ledger, user, rows, dry_run=dry_run, all_or_nothing=all_or_nothing, progress=progress
    )


def record_rows(
    ledger: Ledger,
    user: User,
    rows: Iterable[Row],
    *,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """``import_rows``' work, blocking: see there."""
    require(user, *WRITERS)
    report = ImportReport(dry_run=dry_run, position_before=ledger.recorder.max_notification_id() or 0)
    sent: list[Row] = []  # the rows given to the batch, by the batch's row number
    held = dry_run or all_or_nothing
    batch = HeldBatch(ledger) if held else Batch(ledger)
    submissions = checked_rows(rows, user, report, sent, progress)
    done = batch.run(submissions, CHUNK_ROWS, progress)
    report.errors.extend(refusal_error(sent[r.row], r) for r in done.refusals)
    report.refused += len(done.refusals)
    if isinstance(batch, HeldBatch) and not dry_run and not report.refused:
        done = write_all(batch)
    count(report, done, written=not held or (not dry_run and not report.refused))
    report.position_after = ledger.recorder.max_notification_id() or 0
    report.errors.sort(key=lambda e: (sheet_order(e.sheet), e.row))
    return report


def checked_rows(
    rows: Iterable[Row], user: User, report: ImportReport, sent: list[Row], progress: Progress | None
) -> Iterator[Submission]:
    """The rows' submissions, read as the batch asks for them; a row with errors is reported here instead."""
    guard = command_guard(user)
    for row in rows:
        report.rows += 1
        made = row_command(row, user.name) if not row.errors else list(row.errors)
        if isinstance(made, list):
            report.refused += 1
            report.errors.extend(made)
            if progress is not None:
                progress(1)
            continue
        sent.append(row)
        yield Submission(made.command, user.name, guard=guard, complete=made.complete, expects=made.expects)


def write_all(batch: HeldBatch) -> BatchReport:
    """Records what ``batch`` held, in one transaction.

    Raises:
        Conflict: another writer changed the same records meanwhile; nothing was recorded.
    """
    try:
        return batch.write()
    except IntegrityError:
        raise Conflict(
            N_(
                "Other clerks changed the same records while the file was checked; nothing was recorded. "
                "Import the file again."
            )
        ) from None


def count(report: ImportReport, done: BatchReport, *, written: bool) -> None:
    """The rows recorded and already recorded; none recorded when a held batch wrote nothing (all-or-nothing
    with a refusal), but a dry run's say what would have been."""
    already = len(done.replayed)
    report.already_recorded = already
    report.recorded = done.accepted - already if written or report.dry_run else 0


def refusal_error(row: Row, refusal: Refusal) -> RowError:
    """A refusal of the ledger (the domain's rules, the caller's scope) as an error of ``row``."""
    reason = refusal.error
    if reason is None:
        return error(row, None, refusal.message, refusal.code)
    return error(row, refused_column(row, reason), reason.template, reason.code, reason.params)


def sheet_order(sheet: str) -> int:
    return SHEETS.index(sheet) if sheet in SHEETS else len(SHEETS)
