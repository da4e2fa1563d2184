"""Each unit's staffing, daily flows and establishment sums as known now, kept up to date as
workers' periods, decrees and the tree change.

A worker's *contributions* are their staffing vector (packed, ``projections.intervals.pack``) over
each period they are in post at a facility. The facility and every area above it, following the
tree as of each date, get that vector over the period. Flows (postings, transfers, departures)
count as entries and exits per Definitions, with the tree as of their date. A pair with posts
adds its establishment figures to its facility, rolled up so (``projections.establishment_sums``).
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import date

from projections.careers import Flow
from projections.establishment_sums import Decrees, add_pieces, contribution, facility_changes, lanes_of, net_span
from projections.in_post import Pair, in_post_functions, label
from projections.intervals import Day, StepFunction, add_over, add_over_dates
from projections.org import Chain, OrgTree, chain_at
from projections.shards import Share, UnitSums

# facility, the cadre it counts in post in (None: not in post), from, to, packed vector
Contribution = tuple[str, str | None, date, date | None, int]


class UnitFunctions:
    """The org tree with every unit's staffing function and daily flows, the workers in post
    per facility and cadre (``projections.in_post``), and every unit's establishment sums
    (``projections.establishment_sums``), rolled up as the staffing is."""

    def __init__(self) -> None:
        self.tree = OrgTree()
        self.counts: dict[str, StepFunction] = {}  # staffing per unit, as known now
        self.flows: dict[tuple[str, date], list[int]] = {}  # (unit, day) → [entries, exits], as known now
        self.dirty_flows: set[tuple[str, date]] = set()
        self.in_post: dict[Pair, StepFunction] = {}  # workers in post per (facility, cadre), as known now
        self.decrees: dict[Pair, Decrees] = {}  # posts per (facility, cadre), as known now
        self.sums: dict[str, StepFunction] = {}  # the establishment's sums per unit, as known now
        # A bulk build leaves the functions alone until its end, then derives them once from the
        # workers (``derive``): nobody reads them meanwhile.
        self.deferred = False

    def derive(self, share: Share) -> None:
        """Every unit's staffing, flows and establishment sums, and every pair's workers in post,
        from all the workers' ``share`` (``WorkerProjection.share``), the decrees and the tree;
        from then on, they are kept up to date event by event."""
        self.deferred = False
        self.counts.clear()
        self.flows.clear()
        self.dirty_flows.clear()
        self.sums.clear()
        changes, cells, in_post, sums = self.unit_sums(share)
        self.roll_up(changes)
        self.roll_up(sums, self.sums)
        self.in_post.clear()
        self.in_post.update(in_post_functions(in_post))
        self.apply_flow_net({(unit, date.fromordinal(day)): cell for (unit, day), cell in cells.items()})

    def apply_contributions(self, old: list[Contribution | None], new: list[Contribution | None]) -> None:
        """Replaces a worker's contributions ``old`` by ``new`` (None: a period not at a facility)."""
        if self.deferred:
            return
        n = 0
        while n < len(old) and n < len(new) and old[n] == new[n]:
            n += 1
        if n == len(old) == len(new):
            return
        steps: dict[str, dict[date, int]] = defaultdict(dict)
        pairs: dict[Pair, dict[date, int]] = defaultdict(dict)
        for sign, items in ((-1, old[n:]), (1, new[n:])):
            for item in items:
                if item is None:
                    continue
                facility, cadre, start, end, value = item
                if cadre is not None:
                    add_over_dates(pairs[(facility, cadre)], start, end, sign)
                add_over_dates(steps[facility], start, end, sign * value)
        for facility, changes in steps.items():
            self._roll(self.counts, facility, changes)
        self._in_post_changed(pairs)

    def _in_post_changed(self, pairs: dict[Pair, dict[date, int]]) -> None:
        """Adds each pair's changes in post, and replaces the establishment sums of those with
        posts over the days that changed."""
        sums: dict[str, dict[date, int]] = defaultdict(dict)
        for pair, changes in pairs.items():
            span = net_span(changes)
            if span is None:
                continue
            fn, decrees = self._in_post_fn(pair), self.decrees.get(pair)
            if decrees is not None:
                add_pieces(sums[pair[0]], contribution(decrees, fn, *span), -1)
            for day, delta in changes.items():
                fn.add(day, None, delta)
            if decrees is not None:
                add_pieces(sums[pair[0]], contribution(decrees, fn, *span), 1)
        for facility, changes in sums.items():
            self._roll(self.sums, facility, changes)

    def set_posts(self, pair: Pair, group: str, day: date, posts: int) -> None:
        """A decree: the pair's posts from ``day`` on, until its next decree; its establishment
        sums replaced from then on (but in a bulk build, which derives them at its end)."""
        decrees = self.decrees.get(pair)
        if decrees is None:
            decrees = self.decrees[pair] = Decrees(lanes_of(group))
        if self.deferred:
            decrees.set(day, posts)
            return
        changes: dict[date, int] = {}
        add_pieces(changes, contribution(decrees, self.in_post.get(pair), day, None), -1)
        decrees.set(day, posts)
        add_pieces(changes, contribution(decrees, self.in_post.get(pair), day, None), 1)
        self._roll(self.sums, pair[0], changes)

    def _roll(self, functions: dict[str, StepFunction], facility: str, changes: dict[date, int]) -> None:
        """Adds a facility's ``changes`` to its function in ``functions`` and to its areas'."""
        for lo, hi, chain, value in self._spans(facility, changes):
            for unit in chain:
                _function(functions, unit).add(lo, hi, value)

    def _spans(self, facility: str, changes: dict[date, int]) -> Iterator[tuple[date, date | None, Chain, int]]:
        """The facility's non-zero pieces, from its ``changes``, cut where its areas change:
        ``(from, to, chain, value)``."""
        days = sorted(changes)
        running = 0
        for i, day in enumerate(days):
            running += changes[day]
            if running:
                end = days[i + 1] if i + 1 < len(days) else None
                for lo, hi, chain in self.tree.chains_over(facility, day, end):
                    yield lo, hi, chain, running

    def _settled(self, code: str | None) -> date:
        """The day from which the unit's areas stay as they are (the last piece of its ancestry)."""
        return self.tree.ancestry(code)[-1][0] if code is not None else date.min

    def roll_up(self, changes: dict[str, dict[int, int]], functions: dict[str, StepFunction] | None = None) -> None:
        """Sets every unit's staffing (or its ``functions``) from its changes by day ordinal (``unit_sums``)."""
        functions = self.counts if functions is None else functions
        dates: dict[int, date] = {}
        for unit, steps in changes.items():
            by_date = {}
            for ordinal, delta in steps.items():
                day = dates.get(ordinal)
                if day is None:
                    day = dates[ordinal] = date.fromordinal(ordinal)
                by_date[day] = delta
            days = sorted(by_date)
            functions[unit] = StepFunction(unit, days, by_date, dirty_from=days[0])

    def unit_sums(self, share: Share, keep: Callable[[str], bool] | None = None) -> UnitSums:
        """Every unit's staffing changes and daily flows (days as ordinals) from its facilities'
        changes and the flows (``share``, ``WorkerProjection.share``), following the tree as of
        each date; the pairs' changes in post; and every unit's establishment sums, from the
        pairs with posts (all of them: each shard of a split build knows every decree). With
        ``keep``, only the units (and the pairs of the facilities) it keeps.

        Each facility's changes go to it and to every area above it. Changes that add up to zero
        are left out, and so are units left with none; so are flow cells left empty.
        """
        at, moves, in_post = share
        with_posts = in_post_functions({pair: in_post.get(pair, {}) for pair in self.decrees})
        sums = self._rolled_up(facility_changes(self.decrees, with_posts), keep)
        pairs = in_post if keep is None else {pair: steps for pair, steps in in_post.items() if keep(pair[0])}
        return self._rolled_up(at, keep), self._flow_cells(moves, keep), pairs, sums

    def _rolled_up(
        self, at: dict[str, dict[int, int]], keep: Callable[[str], bool] | None
    ) -> dict[str, dict[int, int]]:
        """Every unit's changes by day ordinal from its facilities' changes ``at``, following the
        tree as of each date (with ``keep``, only the units it keeps); zero changes left out."""
        changes: dict[str, dict[int, int]] = defaultdict(dict)
        for facility, steps in at.items():
            if not steps:
                continue
            last_start, last_chain = self.tree.ancestry(facility)[-1]
            kept = last_chain if keep is None else [unit for unit in last_chain if keep(unit)]
            if min(steps) >= last_start.toordinal():  # the same areas on every date it changes
                for unit in kept:
                    into = changes[unit]
                    for day, delta in steps.items():
                        into[day] = into.get(day, 0) + delta
                continue
            dated = {date.fromordinal(day): delta for day, delta in steps.items()}
            for lo, hi, chain, value in self._spans(facility, dated):
                for unit in chain:
                    if keep is None or keep(unit):
                        add_over(changes[unit], lo, hi, value)
        counts = {}
        for unit, steps in changes.items():
            nonzero = {day: delta for day, delta in steps.items() if delta}
            if nonzero:
                counts[unit] = nonzero
        return counts

    def _flow_cells(
        self, moves: dict[tuple[str | None, str | None, int], int], keep: Callable[[str], bool] | None
    ) -> dict[tuple[str, int], list[int]]:
        """The units' daily [entries, exits] from the flows counted by origin, destination and day."""
        cells: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
        # A flow's shares, by origin and destination, from the day both their areas settle on.
        shares: dict[tuple[str | None, str | None], tuple[int, list[tuple[str, int, int]]]] = {}
        for (origin, destination, ordinal), n in moves.items():
            known = shares.get((origin, destination))
            if known is not None and ordinal >= known[0]:
                units = known[1]
            else:
                day = date.fromordinal(ordinal)
                units = self.flow_shares(Flow(day, 0, origin, destination))
                if keep is not None:
                    units = [share for share in units if keep(share[0])]
                settled = max(self._settled(origin), self._settled(destination)).toordinal()
                if ordinal >= settled:
                    shares[(origin, destination)] = (settled, units)
            add_shares(cells, ordinal, units, n)
        return cells

    def _in_post_fn(self, pair: Pair) -> StepFunction:
        fn = self.in_post.get(pair)
        if fn is None:
            fn = self.in_post[pair] = StepFunction(label(pair))
        return fn

    def flow_shares(self, flow: Flow) -> list[tuple[str, int, int]]:
        """Per Definitions: (unit, entries, exits) of one flow, with the tree as of its date."""
        tree, day = self.tree, flow.day
        dest = set(chain_at(tree.ancestry(flow.destination), day)) if flow.destination else set()
        orig = set(chain_at(tree.ancestry(flow.origin), day)) if flow.origin else set()
        return [(u, 1, 0) for u in dest - orig] + [(u, 0, 1) for u in orig - dest]

    def apply_flow_net(self, net: dict[tuple[str, date], list[int]]) -> None:
        for key, (entries, exits) in net.items():
            if entries or exits:
                cell = self.flows.get(key)
                if cell is None:
                    cell = self.flows[key] = [0, 0]
                cell[0] += entries
                cell[1] += exits
                self.dirty_flows.add(key)

    def apply_flows(self, old: list[Flow], new: list[Flow]) -> None:
        """Replaces the worker's flows ``old`` by ``new`` in the units' daily flows."""
        if self.deferred:
            return
        if old:
            removed, added = Counter(old) - Counter(new), Counter(new) - Counter(old)
            changes = [(flow, -n) for flow, n in removed.items()] + list(added.items())
        else:
            changes = [(flow, 1) for flow in new]
        net: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0])
        for flow, times in changes:
            add_shares(net, flow.day, self.flow_shares(flow), times)
        self.apply_flow_net(net)

    def rehang(self, facility: str, before: list[tuple[date, Chain]], after: list[tuple[date, Chain]]) -> None:
        """Moves a facility's staffing and establishment sums between areas where its ancestry changed."""
        if before != after:
            for functions in (self.counts, self.sums):
                self._rehang(functions, facility, before, after)

    def _rehang(
        self,
        functions: dict[str, StepFunction],
        facility: str,
        before: list[tuple[date, Chain]],
        after: list[tuple[date, Chain]],
    ) -> None:
        counts = functions.get(facility)
        if counts is None:
            return
        days = sorted({d for d, _ in before} | {d for d, _ in after})
        for i, day in enumerate(days):
            end = days[i + 1] if i + 1 < len(days) else None
            old, new = chain_at(before, day), chain_at(after, day)
            if old == new:
                continue
            gone = [u for u in old if u not in new]
            came = [u for u in new if u not in old]
            for lo, hi, value in list(counts.pieces(day, end)):
                for unit in gone:
                    _function(functions, unit).add(lo, hi, -value)
                for unit in came:
                    _function(functions, unit).add(lo, hi, value)


def _function(functions: dict[str, StepFunction], unit: str) -> StepFunction:
    fn = functions.get(unit)
    if fn is None:
        fn = functions[unit] = StepFunction(unit)
    return fn


def add_shares(net: dict[tuple[str, Day], list[int]], day: Day, shares: list[tuple[str, int, int]], n: int) -> None:
    """Adds ``n`` times a flow's (unit, entries, exits) shares to the day's net changes (a
    ``defaultdict`` of [0, 0]; days as dates, or as ordinals)."""
    for unit, entries, exits in shares:
        cell = net[(unit, day)]
        cell[0] += n * entries
        cell[1] += n * exits
