"""The establishment's sums per unit and cadre group, kept as known now, against the pairs summed.

For random histories (back-dated moves, retractions, requalifications, leave, departures;
decrees set and changed, back-dated too; facilities moved between areas, back-dated), the sums
kept event by event (``UnitFunctions.sums``) must equal, on every day anything changes, the
current pair-by-pair computation (DESIGN, "Definitions: Establishment"): posts per pair, the
workers of its cadre in post there counted from the open periods, summed over the pairs under
each unit as of that day. The sums derived at the end of a bulk build and by a split build's
children must be those kept event by event.
"""

import dataclasses
from collections import Counter
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.cadre import Cadre
from projections.establishment_sums import SIZE, by_group
from projections.events import LedgerEvent
from projections.intervals import StepFunction, unpack
from projections.postings import IN_POST
from projections.projector import Projector
from tests.unit.test_projector_extend import (
    FACILITIES,
    START,
    event,
    histories,
    org_events,
    project,
    three_ways,
    worker_events,
)

CADRES = {"NUR": "NURSE", "AID": "OTHER"}
PARENTS = {"F1": "C", "F2": "R", "F3": "R"}  # as ``org_events`` opens them
OFFSETS = (-400, -1, 0, 1, 2, 30, 200)

decrees = st.lists(
    st.tuples(
        st.sampled_from(FACILITIES),
        st.sampled_from(tuple(CADRES)),
        st.integers(0, 3),  # posts
        st.sampled_from(OFFSETS),  # effective, in days from START
        st.integers(0, 60),  # where in the history it is recorded
    ),
    max_size=8,
)
moves = st.lists(
    st.tuples(st.sampled_from(("F2", "F3")), st.sampled_from(("C", "R")), st.sampled_from(OFFSETS), st.integers(0, 60)),
    max_size=2,
)


def recorded(
    history: list[tuple[int, str, int, str, int]],
    decreed: list[tuple[str, str, int, int, int]],
    moved: list[tuple[str, str, int, int]],
) -> list[LedgerEvent]:
    """The org events, then the workers' with the decrees and moves recorded among them, in
    ledger order (positions renumbered)."""
    org = org_events()
    ids = {e.data["code"]: e.aggregate_id for e in org if e.name == "Opened"}
    events = worker_events(history)
    for facility, cadre, posts, offset, at in decreed:
        data = {"cadre_code": cadre, "posts": posts, "effective_on": START + timedelta(days=offset)}
        events.insert(min(at, len(events)), event(0, "OrgUnit", ids[facility], 2, "EstablishmentSet", data))
    for facility, parent, offset, at in moved:
        data = {"new_parent_code": parent, "effective_on": START + timedelta(days=offset)}
        events.insert(min(at, len(events)), event(0, "OrgUnit", ids[facility], 2, "Moved", data))
    first = org[-1].position + 1
    return org + [dataclasses.replace(e, position=first + i) for i, e in enumerate(events)]


def parent_on(events: list[LedgerEvent], facility: str, day: date) -> str:
    """The facility's parent on ``day``: the latest move effective by then (by day, then position)."""
    ids = {e.data["code"]: e.aggregate_id for e in events if e.name == "Opened"}
    dated = [
        (e.data["effective_on"], e.position, e.data["new_parent_code"])
        for e in events
        if e.name == "Moved" and e.aggregate_id == ids[facility] and e.data["effective_on"] <= day
    ]
    return max(dated)[2] if dated else PARENTS[facility]


def by_pairs(events: list[LedgerEvent], periods: list[Any], day: date) -> dict[str, dict[str, list[int]]]:
    """Every unit's sums by cadre group on ``day``, pair by pair (the oracle)."""
    posts: dict[tuple[str, str], tuple[date, int, int]] = {}
    codes = {e.aggregate_id: e.data["code"] for e in events if e.name == "Opened"}
    for e in events:
        if e.name == "EstablishmentSet" and e.data["effective_on"] <= day:
            pair = (codes[e.aggregate_id], e.data["cadre_code"])
            posts[pair] = max(posts.get(pair, (date.min, 0, 0)), (e.data["effective_on"], e.position, e.data["posts"]))
    filled = Counter((r[7], r[8]) for r in periods if r[6] in IN_POST and r[2] <= day and (r[3] is None or r[3] > day))
    sums: dict[str, dict[str, list[int]]] = {}
    for (facility, cadre), (_, _, n) in posts.items():
        parent = parent_on(events, facility, day)
        in_post = filled[(facility, cadre)]
        for unit in (facility, parent, *(("C",) if parent == "R" else ())):
            counts = sums.setdefault(unit, {}).setdefault(CADRES[cadre], [0, 0, 0, 0])
            for i, figure in enumerate((n, in_post, max(n - in_post, 0), max(in_post - n, 0))):
                counts[i] += figure
    return sums


def kept_on(functions: dict[str, StepFunction], day: date) -> dict[str, dict[str, list[int]]]:
    kept = {
        unit: by_group(unpack(sum(d for x, d in fn.changes.items() if x <= day), SIZE))
        for unit, fn in functions.items()
    }
    return {unit: groups for unit, groups in kept.items() if groups}


@settings(max_examples=200, deadline=None)
@given(histories, decrees, moves, st.sets(st.integers(0, 70)))
def test_the_sums_kept_event_by_event_are_the_pairs_summed(
    history: list[tuple[int, str, int, str, int]],
    decreed: list[tuple[str, str, int, int, int]],
    moved: list[tuple[str, str, int, int]],
    cuts: set[int],
) -> None:
    events = recorded(history, decreed, moved)
    projector = Projector()
    periods = project(projector, events, cuts)["open periods"]
    changed = {r[k] for r in periods for k in (2, 3) if r[k]} | {e.effective_on for e in events if e.effective_on}
    for day in sorted({START - timedelta(days=401)} | {d - timedelta(days=k) for d in changed for k in (0, 1)}):
        assert kept_on(projector.units.sums, day) == by_pairs(events, periods, day), day


@settings(max_examples=100, deadline=None)
@given(histories, decrees, moves)
def test_the_sums_derived_at_the_end_and_by_split_children_are_those_kept_event_by_event(
    history: list[tuple[int, str, int, str, int]],
    decreed: list[tuple[str, str, int, int, int]],
    moved: list[tuple[str, str, int, int]],
) -> None:
    events = recorded(history, decreed, moved)
    live, derived, split = three_ways(events)
    assert derived == live
    assert split == live


def test_a_cadre_is_defined_once_so_its_group_never_changes() -> None:
    """A pair's group is taken at its first decree (``projections.establishment_sums``): that
    holds while ``Defined`` (whose id derives from the code) is the cadre's only event."""
    events = {name for name, value in vars(Cadre).items() if isinstance(value, type) and issubclass(value, Cadre.Event)}
    assert events - {"Event", "Created"} == {"Defined"}  # the library's base classes apart
