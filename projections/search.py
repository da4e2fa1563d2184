"""Finding a worker by name, civil-service number or facility.

Names are compared *folded*: case and accents set aside, so that "traore" finds "Traoré". The
workers table carries, beside each identity, the keys a search looks up (``search_keys``, written
with the identity, so a rebuild and ``hrh verify`` give the same): the folded civil-service
number, family name and given names, and ``name_keys``, every beginning of every folded name word,
behind a GIN index. A search word matches a worker when it begins one of their names' words, and
several words must each match. Folding is done here, in Python, at projection time: it needs
neither ``unaccent`` nor ``pg_trgm``, which a server named by ``DATABASE_URL`` may lack.
"""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any
from uuid import UUID

from domain.commands.command import MAX_TEXT  # as for any text a command holds
from domain.identity import civil_service_key
from domain.names import is_visible
from projections.naming import quoted
from projections.org_units import Executor

# The workers table's search columns and their indexes (``projections.worker_projection``). "C":
# bytewise order, so that a prefix is a range of the civil-service number's index.
SEARCH_COLUMNS = 'csn_key text COLLATE "C", family_key text COLLATE "C", given_key text COLLATE "C", name_keys text[]'
SEARCH_INDEXES = {
    "workers_by_csn": "workers (csn_key)",
    "workers_by_name": "workers USING gin (name_keys)",
}

# Names kept folded (``name_keys``), the most recent first: names repeat (the demo's 25,000
# workers have 96 family names and 1,440 given names), and folding one takes about 10 µs.
NAMES_KEPT = 8192
# Letters that keep no accent to drop once decomposed, spelled as a reader would type them.
PLAIN_LETTERS = str.maketrans({"ø": "o", "đ": "d", "ð": "d", "ł": "l", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"})
# A word: letters and digits, possibly joined by apostrophes (N'Diaye); anything else separates words.
WORD = re.compile(r"[^\W_]+(?:['’ʼ`][^\W_]+)*")
APOSTROPHES = re.compile(r"['’ʼ`]")


def folded(text: str) -> str:
    """``text`` without case and accents: ``"Traoré"`` → ``"traore"``, ``"Straße"`` → ``"strasse"``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(PLAIN_LETTERS)


def words(text: str) -> list[str]:
    """The folded words of ``text``, apostrophes dropped ("N'Diaye" → ``["ndiaye"]``)."""
    return [APOSTROPHES.sub("", w) for w in WORD.findall(folded(text))]


def name_tokens(text: str) -> set[str]:
    """The words a name can be found by: each word, and each part of a word joined by apostrophes
    ("N'Diaye" → ndiaye, n, diaye)."""
    found = set()
    for word in WORD.findall(folded(text)):
        found.add(APOSTROPHES.sub("", word))
        found.update(APOSTROPHES.split(word))
    return found


def search_keys(identity: Mapping[str, Any]) -> tuple[str | None, str, str, list[str]]:
    """A worker's search columns (``SEARCH_COLUMNS``), from their identity as the workers table holds it."""
    number = identity.get("civil_service_number")
    family, family_prefixes = name_keys(identity.get("family_name") or "")
    given, given_prefixes = name_keys(identity.get("given_names") or "")
    return (civil_service_key(number) if number else None, family, given, sorted(family_prefixes | given_prefixes))


@lru_cache(maxsize=NAMES_KEPT)
def name_keys(name: str) -> tuple[str, frozenset[str]]:
    """A name's folded words joined by spaces, and every beginning of each word it can be found by."""
    prefixes = frozenset(token[:end] for token in name_tokens(name) for end in range(1, len(token) + 1))
    return " ".join(words(name)), prefixes


class InvalidSearch(ValueError):
    """Raised when a search text is empty, blank (nothing a reader can see), or longer than ``MAX_TEXT``."""


@dataclass(frozen=True)
class Search:
    """What a search text looks for: name words, a civil-service number (exact or its beginning),
    and facility codes (the workers whose facility it is on the day)."""

    words: list[str]
    number: str
    codes: list[str]

    @classmethod
    def of(cls, text: str) -> "Search":
        """The search ``text`` asks for.

        Raises:
            InvalidSearch: ``text`` is empty or blank, or longer than ``MAX_TEXT``.
        """
        stripped = text.strip()
        if not any(map(is_visible, stripped)):
            raise InvalidSearch("text must not be empty: type a name, a civil-service number or a facility code.")
        if len(text) > MAX_TEXT:
            raise InvalidSearch(f"text is {len(text)} characters long; at most {MAX_TEXT} are allowed.")
        return cls(
            list(dict.fromkeys(words(stripped))), civil_service_key(stripped), sorted({stripped, stripped.upper()})
        )


def after_prefix(prefix: str) -> str:
    """The least text, in bytewise order, that is greater than every text beginning with ``prefix``."""
    for i in range(len(prefix) - 1, -1, -1):
        point = ord(prefix[i]) + 1
        if point <= 0x10FFFF:
            return prefix[:i] + chr(0xE000 if 0xD800 <= point <= 0xDFFF else point)
    return prefix + "\U0010ffff"


# Best match first: the exact civil-service number, then a family name that the first word
# begins (for a worker found by name), then the rest; then by family name, given names and id, so
# that pages are stable. Each way of matching gives what the order needs, so that the workers found
# are never joined again with the whole table.
SEARCH_QUERY = """
SELECT id FROM (
    SELECT id, family_key, given_key,
        CASE WHEN csn_key = $2 THEN 0 WHEN starts_with(family_key, $6) THEN 1 ELSE 2 END AS rank
    FROM {s}.workers WHERE cardinality($1::text[]) > 0 AND name_keys @> $1::text[]
    UNION ALL
    SELECT id, family_key, given_key, CASE WHEN csn_key = $2 THEN 0 ELSE 2 END
    FROM {s}.workers WHERE csn_key >= $2 AND csn_key < $3
    UNION ALL
    SELECT w.id, w.family_key, w.given_key, CASE WHEN w.csn_key = $2 THEN 0 ELSE 2 END
    FROM {s}.worker_periods q JOIN {s}.workers w ON w.id = q.worker_id
    WHERE q.facility = ANY($4::text[]) AND q.known_to IS NULL AND q.valid_from <= $5
        AND (q.valid_to IS NULL OR q.valid_to > $5) AND q.status IN ('POSTED', 'ON_LEAVE')
) hits
GROUP BY id, family_key, given_key
ORDER BY min(rank), family_key, given_key, id
LIMIT $7 OFFSET $8
"""


async def search_workers(
    db: Executor, schema: str, search: Search, *, day: date, first: int, offset: int = 0
) -> list[UUID]:
    """The ids of the workers ``search`` finds, best match first (``SEARCH_QUERY``): ``first`` of
    them, after skipping ``offset``. Facility codes are matched on ``day``."""
    rows = await db.fetch(
        SEARCH_QUERY.format(s=quoted(schema)),
        search.words,
        search.number,
        after_prefix(search.number),
        search.codes,
        day,
        search.words[0] if search.words else "",
        first,
        offset,
    )
    return [r["id"] for r in rows]
