"""The establishment's sums per unit and cadre group, as known now: what ``establishment`` reads.

Each (facility, cadre) pair with posts set contributes, on each day from its first decree on,
posts(F, C, D), filled(F, C, D) (``projections.in_post``), vacant = max(posts − filled, 0),
surplus = max(filled − posts, 0) and itself (a count of pairs) to its cadre's group (DESIGN,
"Definitions: Establishment"). The figures of every group go in one vector (``FIGURES`` ×
``GROUPS``), packed as the
staffing vector is (``projections.intervals.pack``), so a pair's contribution is a packed step
function of the day, added to its facility's and rolled up to every area above it, following
the tree as of each date, by the very machinery that rolls up the workers' staffing
(``UnitFunctions``): the ``establishment_sums`` table is a ``VectorTable`` like ``staffing``,
written, split, verified and reloaded as it is.

A contribution is not linear in the workers (vacant and surplus are clipped), so a change of a
pair's posts or of its workers in post takes back the pair's contribution over the days the
change touches and adds the new one. A cadre's group cannot change: ``Cadre.Defined`` is the
cadre's only event and its id derives from its code, and a decree names a cadre already defined
(``SetEstablishment``'s handler refuses an unknown one), so a pair's group is known at its first
decree and holds.
"""

from bisect import insort
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from projections.in_post import Pair
from projections.intervals import StepFunction, pack
from projections.pieces import VectorTable
from projections.tables import FUNCTIONS, Table
from projections.vectors import GROUPS

FIGURES = ("posts", "filled", "vacant", "surplus", "pairs")  # each group's, in this order
SIZE = len(FIGURES) * len(GROUPS)
SUMS = VectorTable("establishment_sums", SIZE)
TABLE = Table(
    SUMS.name,
    "code text NOT NULL, valid_from date NOT NULL, valid_to date, counts int[] NOT NULL",
    FUNCTIONS,
    keys={"establishment_sums_key": "establishment_sums (code, valid_from)"},
    unfiltered=("counts",),
)
Lanes = tuple[int, ...]  # the packed unit of each of a group's figures
Piece = tuple[date, date | None, int]  # from, to, packed value


@cache  # a handful of groups, asked for at every pair's first decree
def lanes_of(group: str) -> Lanes:
    """The packed units of ``group``'s figures (``FIGURES``; an unknown group: OTHER's)."""
    first = len(FIGURES) * GROUPS.index(group if group in GROUPS else "OTHER")
    return tuple(pack(tuple(int(i == first + k) for i in range(SIZE))) for k in range(len(FIGURES)))


@dataclass(slots=True)
class Decrees:
    """A pair's posts by the day they take effect (the latest recorded for a day holds), and the
    lanes of its cadre's group."""

    lanes: Lanes
    days: list[date] = field(default_factory=list)  # sorted
    posts: dict[date, int] = field(default_factory=dict)

    def set(self, day: date, posts: int) -> None:
        if day not in self.posts:
            insort(self.days, day)
        self.posts[day] = posts

    def pieces(self, lo: date, hi: date | None) -> Iterator[Piece]:
        """posts(F, C, D) over [lo, hi), where set: ``(from, to, posts)``, posts of 0 included."""
        days = self.days
        for i, day in enumerate(days):
            end = days[i + 1] if i + 1 < len(days) else None
            if (end is not None and end <= lo) or (hi is not None and day >= hi):
                continue
            yield max(day, lo), end if hi is None else (hi if end is None else min(end, hi)), self.posts[day]


def contribution(decrees: Decrees, filled: StepFunction | None, lo: date, hi: date | None) -> Iterator[Piece]:
    """The pair's packed figures over [lo, hi), where its posts are set: posts, filled, vacant,
    surplus, and 1 (the pair, so that a group with posts set counts even with zero posts)."""
    workers = list(filled.pieces(lo, hi)) if filled is not None else []
    l_posts, l_filled, l_vacant, l_surplus, l_pair = decrees.lanes
    for start, end, posts in decrees.pieces(lo, hi):
        for a, b, n in _over(workers, start, end):
            yield (
                a,
                b,
                posts * l_posts + n * l_filled + max(posts - n, 0) * l_vacant + max(n - posts, 0) * l_surplus + l_pair,
            )


def _over(pieces: list[Piece], start: date, end: date | None) -> Iterator[Piece]:
    """Non-zero ``pieces`` (sorted, apart) over [start, end), with the gaps between them as zeros."""
    cursor: date | None = start
    for a, b, n in pieces:
        if end is not None and a >= end:
            break
        if b is not None and b <= start:
            continue
        a, b = max(a, start), (b if end is None else (end if b is None else min(b, end)))
        if cursor is not None and a > cursor:
            yield cursor, a, 0
        yield a, b, n
        cursor = b
        if cursor is None:
            return
    if cursor is not None and (end is None or cursor < end):
        yield cursor, end, 0


def add_pieces(changes: dict[date, int], pieces: Iterator[Piece], sign: int) -> None:
    """Adds ``sign`` times each piece's value over its days to a step function's ``changes``."""
    for start, end, value in pieces:
        changes[start] = changes.get(start, 0) + sign * value
        if end is not None:
            changes[end] = changes.get(end, 0) - sign * value


def facility_changes(decrees: dict[Pair, Decrees], in_post: dict[Pair, StepFunction]) -> dict[str, dict[int, int]]:
    """Every facility's contributions, summed over its pairs with posts, as changes by day ordinal
    (``UnitFunctions.unit_sums`` rolls them up as it does the workers' staffing)."""
    out: dict[str, dict[int, int]] = {}
    for pair, decreed in decrees.items():
        dated: dict[date, int] = {}
        add_pieces(dated, contribution(decreed, in_post.get(pair), date.min, None), 1)
        into = out.setdefault(pair[0], {})
        for day, delta in dated.items():
            into[day.toordinal()] = into.get(day.toordinal(), 0) + delta
    return out


def net_span(changes: dict[date, int]) -> tuple[date, date | None] | None:
    """The days [from, to) over which a step function's ``changes`` change its value (None: nowhere)."""
    days = sorted(day for day, delta in changes.items() if delta)
    if not days:
        return None
    return days[0], days[-1] if sum(changes[day] for day in days) == 0 else None


def by_group(value: tuple[int, ...] | list[int]) -> dict[str, list[int]]:
    """A unit's sums by cadre group (posts, filled, vacant, surplus), the groups with no pair
    with posts set left out."""
    out = {}
    width = len(FIGURES)
    for g, group in enumerate(GROUPS):
        if value[width * g + width - 1]:
            out[group] = list(value[width * g : width * g + width - 1])
    return out
