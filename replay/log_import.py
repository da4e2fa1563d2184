"""``hrh import-log``: a JSON Lines log into an empty ledger, its chain checked, on every core.

The import writes the stored events with their original positions, so that an import into an
empty database followed by an export gives back the same lines. It recomputes the chain of the
file (DESIGN, "Tamper evidence") and refuses a file whose chain breaks, naming the first bad line.
It runs in one transaction: a bad line anywhere imports nothing.

Checking a line is pure Python, so the file is cut into blocks of lines that child processes
check and format as binary COPY data (``replay.log_check``), while this process reads the file
ahead, follows positions and versions from one block to the next, and writes each block's data
in turn, in file order. The refusal is the one the lines read in order would meet first.
"""

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import Cursor
from psycopg.conninfo import make_conninfo

from domain.ledger import Ledger
from replay import cores
from replay.log_check import Block, BlockChecker, Checked

BLOCK = 5000
"""Lines a block: a child's work at a time, about 2.5 MB of text at scale 1."""
AHEAD = 2
"""Blocks each child may have waiting, so that none waits for the next while one is written."""


class ImportRefused(Exception):
    """Raised when an import cannot go ahead: the ledger is not empty, or a line is malformed,
    or the file's chain breaks.

    ``line`` is the 1-based line number, when a line is to blame.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.line = line


class Order:
    """What runs across blocks: the last position, and each aggregate's last version."""

    def __init__(self) -> None:
        self.versions: dict[str, int] = {}  # by aggregate id
        self.last_position = 0
        self.count = 0

    def follow(self, checked: Checked) -> None:
        """Takes the next block in.

        Raises:
            ImportRefused: the block's first refusal, or its first line that does not follow the
                blocks before (a position not after the last, an aggregate's version not the next).
        """
        refusals: list[tuple[int, int, str]] = []  # (line, order of the checks on one line, message)
        if checked.first_line and checked.first_position <= self.last_position:
            refusals.append(
                (checked.first_line, 0, f"position {checked.first_position} does not follow {self.last_position}")
            )
        for aggregate, (version, number) in checked.first_versions.items():  # in line order
            expected = self.versions.get(aggregate, 0) + 1
            if version != expected:
                refusals.append((number, 1, f"{aggregate} jumps to version {version}, expected {expected}"))
                break
        if checked.refused is not None:
            refusals.append((checked.refused[0], 2, checked.refused[1]))
        if refusals:
            number, _, message = min(refusals)
            raise ImportRefused(message, number)
        if checked.count:
            self.versions.update(checked.last_versions)
            self.last_position = checked.last_position
            self.count += checked.count


def blocks(lines: Iterable[str]) -> Iterator[Block]:
    """The lines in blocks of ``BLOCK``, each with the last non-blank line before it."""
    before: str | None = None
    batch: list[str] = []
    start = 1
    for text in lines:
        batch.append(text)
        if len(batch) == BLOCK:
            yield Block(start, batch, before)
            before = next((t for t in reversed(batch) if t.strip()), before)
            start += len(batch)
            batch = []
    if batch:
        yield Block(start, batch, before)


def import_log(
    ledger: Ledger, lines: Iterable[str], progress: Callable[[int], Any] | None = None, processes: int | None = None
) -> int:
    """Imports lines into an empty ledger, with their chain hashes; returns the number of events.

    ``processes``: how many child processes check the lines (None: one a core, none on one core).

    Raises:
        ImportRefused: the ledger already holds events, or a line is malformed or out of order, or
            the chain breaks.
    """
    recorder: Any = ledger.recorder
    order = Order()
    # The file is read and checked between the writes: more than the library's few seconds of
    # idleness a transaction is allowed on a busy machine.
    with recorder.locked() as curs:
        if any(recorder.holds(curs)):
            raise ImportRefused("the ledger already holds events; import only into an empty database")
        with checking(ledger, curs, cores.children(processes)) as check:
            for checked in check(blocks(lines)):
                order.follow(checked)
                recorder.copy_data(curs, checked.events, checked.chain)
                if progress is not None:
                    progress(checked.count)
        if order.last_position:
            recorder.continue_after(curs, order.last_position)
    return order.count


Check = Callable[[Iterable[Block]], Iterator[Checked]]


@contextmanager
def checking(ledger: Ledger, curs: Cursor[Any], children: int) -> Iterator[Check]:
    """A function checking blocks in order: in this process (``children`` 0), or in child processes."""
    if not children:
        checker = BlockChecker(ledger.mapper, curs.connection.cursor())
        yield lambda blocks: map(checker.check, blocks)
        return
    info = curs.connection.info
    conninfo = make_conninfo(**info.get_parameters(), **({"password": info.password} if info.password else {}))
    pool = ProcessPoolExecutor(
        children, mp_context=cores.FORK, initializer=start_child, initargs=(ledger.mapper, conninfo)
    )
    try:
        yield lambda blocks: in_order(pool, blocks, children * AHEAD)
    except BrokenProcessPool:
        raise ImportRefused("a process checking the file stopped (out of memory?); nothing was imported") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def in_order(pool: ProcessPoolExecutor, blocks: Iterable[Block], ahead: int) -> Iterator[Checked]:
    """The blocks checked by ``pool``'s children, in order, at most ``ahead`` of them submitted and not taken."""
    pending: deque[Future[Checked]] = deque()
    for block in blocks:
        pending.append(pool.submit(check_in_child, block))
        if len(pending) >= ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


CHILD: list[BlockChecker] = []
"""The child process's checker, made once by ``start_child``."""


def start_child(mapper: Any, conninfo: str) -> None:
    """A child's start: a connection of its own, whose adapters format the COPY data (it runs nothing)."""
    CHILD.append(BlockChecker(mapper, psycopg.connect(conninfo).cursor()))


def check_in_child(block: Block) -> Checked:
    return CHILD[0].check(block)
