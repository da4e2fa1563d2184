"""Checking the chain (DESIGN, "Tamper evidence") against the stored events and published heads.

The check recomputes every event's digest from the event as it is stored, exactly as an auditor
would from the export (``domain/chain.py``: the export line's kept fields, through the json
module), and walks the recorded chain beside it, in ledger order. It names each position where:

- the stored event no longer gives the digest recorded for it (``altered``), or two events gave
  each other's (``reordered``);
- a recorded digest has no event any more (``removed``), or an event has no recorded digest
  (``inserted``);
- the recorded chain does not follow from the digests before it (``rechained``: an event and its
  chain row went together, or the chain itself was rewritten);
- the chain recomputed from the stored events differs from a head published earlier (``head``):
  the only finding left when someone rewrote events and recomputed the whole chain to match.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain.chain import GENESIS, digest, line_fields, link
from domain.encoding import recorded_event
from domain.ledger import Ledger

PAGE = 5000
REORDER_WINDOW = 100
"""How many altered positions a later one is compared with, to recognise two swapped events."""


class BadHead(ValueError):
    """Raised when a published head is not ``POSITION:HASH`` (a position, and 64 hex digits)."""


@dataclass(frozen=True)
class Finding:
    """A position where the ledger is not what was recorded or published."""

    position: int
    kind: str  # altered, reordered, removed, inserted, rechained, head
    message: str


@dataclass
class ChainReport:
    """What the check found: the events it read, the head it recomputed, and the findings in position order."""

    events: int = 0
    recorded: int = 0  # chain rows read
    head: tuple[int, str] = (0, GENESIS)
    findings: list[Finding] = field(default_factory=list)

    @property
    def first(self) -> Finding | None:
        return min(self.findings, key=lambda f: f.position) if self.findings else None


def parse_head(text: str) -> tuple[int, str]:
    """A published head, ``POSITION:HASH`` (as ``hrh chain-head`` prints it).

    Raises:
        BadHead: not a position and a 64-digit hex hash.
    """
    position, _, chain = text.strip().partition(":")
    chain = chain.strip().lower()
    if not position.strip().isdigit() or len(chain) != 64 or any(c not in "0123456789abcdef" for c in chain):
        raise BadHead(f"{text.strip()!r} is not a published head: expected POSITION:HASH (64 hex digits)")
    return int(position), chain


def read_heads(path: Path) -> list[tuple[int, str]]:
    """The heads in a file of published heads: one ``POSITION:HASH`` a line; blank lines and
    lines starting with ``#`` are skipped.

    Raises:
        BadHead: a line is not a head (its number is given).
        OSError: the file cannot be read.
    """
    heads = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        try:
            heads.append(parse_head(text))
        except BadHead as error:
            raise BadHead(f"{path}, line {number}: {error}") from None
    return heads


class Unreadable:
    """A stored event that no longer decodes (its bytes were changed)."""

    def __init__(self, error: Exception) -> None:
        self.error = error


def stored_events(ledger: Ledger) -> Iterator[tuple[int, Any]]:
    """Every stored event as it was recorded (no upcaster: the chain covers the event as written), with
    its position, in ledger order (``Unreadable`` for one that does not decode)."""
    start = 1
    while True:
        page = ledger.recorder.select_notifications(start, PAGE)
        for notification in page:
            event: object
            try:
                event = recorded_event(ledger.mapper, notification)
            except Exception as error:  # whatever changed bytes make the decoder raise
                event = Unreadable(error)
            yield notification.id, event
        if len(page) < PAGE:
            return
        start = page[-1].id + 1


def recorded_chain(ledger: Ledger) -> Iterator[tuple[int, str, str]]:
    """Every recorded (position, digest, chain), in ledger order."""
    recorder: Any = ledger.recorder
    last, _ = recorder.chain_head()
    for start in range(1, last + 1, PAGE):
        yield from recorder.select_chain(start, start + PAGE - 1)


def merged(ledger: Ledger) -> Iterator[tuple[int, Any, tuple[int, str, str] | None]]:
    """Each position that has a stored event or a recorded digest: (position, event or None, row or None)."""
    events, rows = stored_events(ledger), recorded_chain(ledger)
    event, row = next(events, None), next(rows, None)
    while event is not None or row is not None:
        position = min(x[0] for x in (event, row) if x is not None)
        here = event[1] if event is not None and event[0] == position else None
        recorded = row if row is not None and row[0] == position else None
        yield position, here, recorded
        if here is not None:
            event = next(events, None)
        if recorded is not None:
            row = next(rows, None)


class ChainCheck:
    """One walk of the ledger beside its recorded chain; see the module's docstring."""

    def __init__(self, heads: Mapping[int, str]) -> None:
        self.heads = dict(heads)
        self.report = ChainReport()
        self.recomputed = GENESIS  # the chain of the stored events, as they are
        self.recorded = GENESIS  # the last recorded chain
        self.altered: list[tuple[int, Any, str]] = []  # (position, event, recorded digest)

    def add(self, position: int, event: Any, row: tuple[int, str, str] | None) -> None:
        found = ""
        if event is not None and not isinstance(event, Unreadable):
            try:
                found = digest(line_fields(position, event))
            except Exception as error:  # a decoded event whose attributes were changed beyond the log's types
                event = Unreadable(error)
        if isinstance(event, Unreadable):
            self.report.events += 1
            self.recomputed = link(self.recomputed, "")  # no digest: every later head differs
            self.report.head = (position, self.recomputed)
            self.found(position, "altered", f"the stored event no longer decodes ({type(event.error).__name__})")
        elif event is not None:
            self.report.events += 1
            self.recomputed = link(self.recomputed, found)
            self.report.head = (position, self.recomputed)
            if row is None:
                self.found(position, "inserted", "this event has no recorded chain hash: it was added afterwards")
            elif found != row[1]:
                self.on_altered(position, event, row[1])
        elif row is not None:
            self.found(position, "removed", "a chain hash is recorded for this position, but its event is gone")
        if row is not None:
            self.report.recorded += 1
            if link(self.recorded, row[1]) != row[2]:
                self.found(
                    position,
                    "rechained",
                    "the recorded chain breaks here: the event before it was removed with its chain hash, "
                    "or the chain was rewritten",
                )
            self.recorded = row[2]
        published = self.heads.pop(position, None)
        if published is not None:
            self.check_head(position, event, published)

    def on_altered(self, position: int, event: Any, recorded: str) -> None:
        for index, (other, other_event, other_recorded) in enumerate(self.altered):
            if (
                digest(line_fields(other, event)) == other_recorded
                and digest(line_fields(position, other_event)) == recorded
            ):
                del self.altered[index]
                self.report.findings = [f for f in self.report.findings if f.position != other]
                message = f"the events at positions {other} and {position} were swapped"
                self.found(other, "reordered", message)
                self.found(position, "reordered", message)
                return
        self.altered = [*self.altered[-REORDER_WINDOW + 1 :], (position, event, recorded)]
        self.found(position, "altered", "the stored event differs from the one recorded here (its digest differs)")

    def check_head(self, position: int, event: Any, published: str) -> None:
        if event is None:
            self.found(position, "head", "a head was published at this position, but the ledger has no event there")
        elif self.recomputed != published:
            self.found(
                position,
                "head",
                f"the ledger up to this position no longer gives the head published for it ({published}): "
                "an event at or before it was changed, and the chain recomputed",
            )

    def finish(self) -> ChainReport:
        for position in sorted(self.heads):
            self.found(
                position,
                "head",
                f"a head was published at this position, but the ledger ends at {self.report.head[0]}: "
                "events were removed",
            )
        self.report.findings.sort(key=lambda f: f.position)
        return self.report

    def found(self, position: int, kind: str, message: str) -> None:
        self.report.findings.append(Finding(position, kind, message))


def check_chain(ledger: Ledger, heads: Mapping[int, str] | None = None) -> ChainReport:
    """Checks the stored events against the recorded chain and against published ``heads``
    (position → hash)."""
    check = ChainCheck(heads or {})
    for position, event, row in merged(ledger):
        check.add(position, event, row)
    return check.finish()
