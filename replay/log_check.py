"""Checking a block of log lines for ``hrh import-log``, in a child process or in the importer's own.

A block is a run of consecutive lines of the file. Each line is read into its stored event
(``replay.log_stored``), refusing any value not written as ``export-log`` writes it
(``replay.log_values``), and checked: its place after the line before it in the block (positions
rising, each aggregate's versions one by one), and its chain hash (DESIGN, "Tamper evidence").
What spans blocks (positions and versions from one block to the next) is left to the importer,
which sees the blocks in order (``replay.log_import``).

The chain needs no sequence across blocks either: a line's chain must be the link of the chain
*written on the line before it* and its own digest. When every line passes, every written chain
is the one recomputed from the first line on, by induction; and the first line to fail is the
one the sequential check names. So a block needs only the line before it.

A line's digest is made from the parsed line itself, once its chain and ``event_version`` are
taken out: what is left is what the chain covers (``domain.chain.KEPT``), unless the line has
other keys too.

A checked block comes back as binary ``COPY`` data made by psycopg (``Copy`` with a
``FileWriter``): of its events, line by line as the lines pass, and of their chain's runs
(``projections.chain_runs``), which the importer writes as they are; a refused
block's data are dropped.
"""

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from eventsourcing.persistence import Mapper
from psycopg import Cursor
from psycopg.copy import Copy, FileWriter
from psycopg.types.string import BytesBinaryDumper

from domain.chain import GENESIS, KEPT, compact, link
from domain.encoding import MISSING
from projections.chain_runs import ChainRows
from projections.event_store import EVENT_COLUMN_TYPES
from replay.log_format import CHAIN, EVENT_VERSION, MalformedLine, parse
from replay.log_stored import StoredLines


@dataclass(frozen=True, slots=True)
class Block:
    """Lines of the file, the first one numbered ``start`` (1-based), and the line before them
    (None for the file's first), whose written chain the first line follows."""

    start: int
    lines: list[str]
    before: str | None


@dataclass(slots=True)
class Checked:
    """A checked block: its events and chain runs as binary COPY data, what the importer checks
    across blocks (its first line's number and position, each aggregate's first version and line,
    as soon as the line is parsed, and last version), or the first refusal in it (its line number
    and message)."""

    count: int = 0
    first_line: int = 0
    first_position: int = 0
    last_position: int = 0
    first_versions: dict[str, tuple[int, int]] = field(default_factory=dict)  # aggregate id → (version, line)
    last_versions: dict[str, int] = field(default_factory=dict)
    events: bytes = b""
    chain: bytes = b""
    refused: tuple[int, str] | None = None


class Refused(Exception):
    """A line of the block that cannot be imported, and why (ends the block's check)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def written_chain(text: str | None) -> str:
    """The chain written on a line (GENESIS before the first line; '' when the line has none, so
    that the next line fails: the line itself is refused first, being earlier)."""
    if text is None:
        return GENESIS
    try:
        chain = orjson.loads(text).get(CHAIN)
    except (orjson.JSONDecodeError, AttributeError):
        return ""
    return chain if isinstance(chain, str) else ""


class BlockChecker:
    """Checks blocks with the ledger's ``mapper``, formatting the events' COPY data through
    ``cursor`` (one that has run nothing: only its adapters are used)."""

    def __init__(self, mapper: Mapper[Any], cursor: Cursor[Any]) -> None:
        self.stored = StoredLines(mapper)
        self.cursor = cursor
        # A bytea column's bytes through psycopg's dumper of bytes (in C, in its binary package),
        # not the one of DB-API ``Binary`` wrappers that the column's type takes by default: the
        # same data, without a Python call a row.
        cursor.adapters.register_dumper(bytes, BytesBinaryDumper)

    def check(self, block: Block) -> Checked:
        checked = Checked()
        events, chain, chain_rows = io.BytesIO(), io.BytesIO(), ChainRows()
        with self.copy_into(events) as event_rows:
            event_rows.set_types(list(EVENT_COLUMN_TYPES))
            try:
                self.check_lines(block, checked, event_rows.write_row, chain_rows.add)
            except Refused as refusal:
                checked.refused = (refusal.line, str(refusal))
                return checked  # without the data of the lines before
        with self.copy_into(chain) as runs:
            chain_rows.write(runs)
        checked.events, checked.chain = events.getvalue(), chain.getvalue()
        return checked

    def check_lines(
        self,
        block: Block,
        checked: Checked,
        event_row: Callable[[Any], None],
        chain_row: Callable[[int, str, str], None],
    ) -> None:
        previous = written_chain(block.before)
        versions = checked.last_versions
        stored_line, sha256 = self.stored, hashlib.sha256
        last_position = count = 0
        for number, text in enumerate(block.lines, start=block.start):
            if not text.strip():
                continue
            try:
                line = parse(text)
                position, row = stored_line(line)
            except MalformedLine as error:
                raise Refused(str(error), number) from None
            if not checked.first_line:
                checked.first_line, checked.first_position = number, position
            elif position <= last_position:
                raise Refused(f"position {position} does not follow {last_position}", number)
            aggregate, version = line["aggregate_id"], row[1]  # the id's text: a quicker key
            expected = versions.get(aggregate)
            if expected is None:
                checked.first_versions[aggregate] = (version, number)
            elif version != expected + 1:
                raise Refused(f"{aggregate} jumps to version {version}, expected {expected + 1}", number)
            written = line.pop(CHAIN, MISSING)
            if written is MISSING:
                raise Refused("no chain hash: export the log again with this version of hrh export-log", number)
            line.pop(EVENT_VERSION, None)
            digest = sha256(compact(line if len(line) == len(KEPT) else {key: line[key] for key in KEPT})).hexdigest()
            if written != link(previous, digest):
                raise Refused(
                    f"the chain breaks here (position {position}): this line, or the line before it, "
                    "is not as it was exported",
                    number,
                )
            previous = written
            versions[aggregate] = version
            last_position = position
            event_row((*row, position))
            chain_row(position, digest, previous)
            count += 1
        checked.last_position, checked.count = last_position, count

    def copy_into(self, buffer: io.BytesIO) -> Copy:
        """A binary COPY into ``buffer``, formatted by the cursor's adapters (its rows' types: the caller's)."""
        return Copy(self.cursor, binary=True, writer=FileWriter(buffer))
