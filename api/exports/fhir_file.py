"""A FHIR Bundle written as its entries are made, so that an export holds a page of them, never the whole
Bundle (docs/exports.md, "FHIR").

Each entry is serialized as soon as it is made, into a spooled temporary file (in memory up to
``SPOOL_BYTES``, on disk beyond). The Bundle is then given out in chunks: its head (what it reflects, and
for a history or a searchset its ``total``, known only once every entry is made), its entries part by part,
and its end. The bytes are those ``json.dumps`` gives for the whole Bundle with the same layout.
"""

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from tempfile import SpooledTemporaryFile
from typing import IO, Any

SPOOL_BYTES = 8 * 1024 * 1024  # entries kept in memory before the spool goes to disk
CHUNK = 256 * 1024  # bytes given out at a time
POSITION_SYSTEM = "urn:hrh:ledger-position"
KNOWN_AT_SYSTEM = "urn:hrh:known-at"
SPLIT = "\x00entries\x00"  # stands for the entries while the rest of the Bundle is serialized


@dataclass(frozen=True)
class Layout:
    """How the Bundle is serialized: ``indent`` 1 (a file, as ``hrh export fhir`` writes it) or None (compact,
    as the ``/fhir`` endpoint answers)."""

    indent: int | None = 1

    def dumps(self, value: Any) -> str:
        separators = None if self.indent is not None else (",", ":")
        return json.dumps(value, ensure_ascii=False, indent=self.indent, separators=separators)

    def entry(self, entry: dict[str, Any]) -> bytes:
        """One entry, indented as an item of the Bundle's ``entry`` (two levels deep)."""
        text = self.dumps(entry)
        if self.indent is not None:
            text = text.replace("\n", "\n" + " " * (2 * self.indent))
        return text.encode()

    @property
    def separator(self) -> bytes:
        return b",\n" + b" " * (2 * self.indent) if self.indent is not None else b","


class EntryFile:
    """Entries in the order they were added, serialized, in a spooled temporary file."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.file: IO[bytes] = SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (closed by close)
        self.count = 0
        self.kinds: Counter[str] = Counter()  # by resource type

    def add(self, path: str, entry: dict[str, Any]) -> None:
        """Writes ``entry`` of the resource ``path`` (``Type/id``) out."""
        if self.count:
            self.file.write(self.layout.separator)
        self.file.write(self.layout.entry(entry))
        self.count += 1
        self.kinds[path.split("/")[0]] += 1

    def chunks(self) -> Iterator[bytes]:
        self.file.seek(0)
        while chunk := self.file.read(CHUNK):
            yield chunk

    def close(self) -> None:
        self.file.close()


@dataclass
class FhirExport:
    """A Bundle made and what it reflects: its entries in ``parts``, given out in order by ``chunks``."""

    kind: str  # collection, history or searchset
    position: int
    known_at: datetime
    since: datetime | None
    layout: Layout
    parts: list[EntryFile] = field(default_factory=list)

    def part(self) -> EntryFile:
        """A new part, after those already made."""
        self.parts.append(EntryFile(self.layout))
        return self.parts[-1]

    @property
    def total(self) -> int:
        return sum(p.count for p in self.parts)

    def head(self) -> dict[str, Any]:
        """The Bundle but its entries, saying the ledger position and the moment it reflects."""
        known_at = self.known_at.isoformat()
        return {
            "resourceType": "Bundle",
            "meta": {
                "lastUpdated": known_at,
                "tag": [
                    {"system": POSITION_SYSTEM, "code": str(self.position)},
                    {"system": KNOWN_AT_SYSTEM, "code": known_at},
                ],
            },
            "identifier": {"system": POSITION_SYSTEM, "value": str(self.position)},
            "type": self.kind,
            "timestamp": known_at,
            **({"total": self.total} if self.kind != "collection" else {}),
        }

    def chunks(self) -> Iterator[bytes]:
        """The Bundle's bytes (a file's end with a newline), then the parts closed."""
        try:
            if not self.total:
                yield (self.layout.dumps({**self.head(), "entry": []}) + "\n").encode()
                return
            start, end = self.layout.dumps({**self.head(), "entry": [SPLIT]}).split(json.dumps(SPLIT))
            yield start.encode()
            made = [p for p in self.parts if p.count]
            for n, part in enumerate(made):
                if n:
                    yield self.layout.separator
                yield from part.chunks()
            yield (end + "\n").encode()
        finally:
            self.close()

    def close(self) -> None:
        for part in self.parts:
            part.close()

    def statement(self) -> str:
        """One line for standard error."""
        counts = sum((p.kinds for p in self.parts), Counter[str]())
        said = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "no entries"
        since = f", changes since {self.since.isoformat()}" if self.since else ""
        return (
            f"FHIR Bundle ({self.kind}{since}): {said}; reflects ledger position {self.position}, "
            f"knownAt {self.known_at.isoformat()}"
        )
