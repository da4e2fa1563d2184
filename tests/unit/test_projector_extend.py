"""Extending a worker's timeline gives the rows that deriving it all again gives.

Most worker events go last on their timeline, and the projector extends what it derived instead
of deriving it again (``projections/worker_projection.py``). For random histories, in order or
back-dated, with events on the same day, retractions and corrections, the rectangles, the
staffing functions, the daily flows and the workers in post per facility and cadre must be
those of a projector that always derives again.
"""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.worker import Worker
from projections.careers import Derived, Step, derive
from projections.events import LedgerEvent
from projections.intervals import Row, StepFunction
from projections.postings import IN_POST
from projections.projector import Projector
from projections.shards import Shard, UnitSums, add_up

START = date(2020, 1, 1)
FACILITIES = ("F1", "F2", "F3")
KINDS = (
    "Posted",
    "Transferred",
    "LeaveStarted",
    "LeaveEnded",
    "Requalified",
    "TrainingRecorded",
    "Departed",
    "Rehired",
    "DetailsCorrected",
    "EventRetracted",
)

histories = st.lists(
    st.tuples(
        st.integers(0, 1),  # which worker
        st.sampled_from(KINDS),
        st.sampled_from((0, 0, 0, 1, 2, 30, -1, -20)),  # days after the worker's latest event (< 0: back-dated)
        st.sampled_from(FACILITIES),
        st.integers(0, 9),  # which earlier event a retraction names, which cadre, which sex
    ),
    max_size=40,
)


def org_events() -> list[LedgerEvent]:
    def opened(position: int, code: str, level: str, parent: str | None) -> LedgerEvent:
        data = {"code": code, "name": code, "level": level, "parent_code": parent, "effective_on": date(2000, 1, 1)}
        return event(position, "OrgUnit", uuid4(), 1, "Opened", data)

    events = [
        event(1, "Cadre", uuid4(), 1, "Defined", {"code": "NUR", "name": "N", "group": "NURSE", "qualified": True}),
        event(2, "Cadre", uuid4(), 1, "Defined", {"code": "AID", "name": "A", "group": "OTHER", "qualified": False}),
        opened(3, "C", "COUNTRY", None),
        opened(4, "R", "REGION", "C"),
    ]
    events += [opened(5 + i, code, "FACILITY", "R" if i else "C") for i, code in enumerate(FACILITIES)]
    return events


def event(
    position: int, aggregate: str, aggregate_id: UUID, version: int, name: str, data: dict[str, Any]
) -> LedgerEvent:
    moment = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=position)
    return LedgerEvent(position, aggregate, aggregate_id, version, name, moment, {"recorded_by": "t"}, data)


def worker_events(history: list[tuple[int, str, int, str, int]]) -> list[LedgerEvent]:
    workers = [uuid4(), uuid4()]
    versions = [0, 0]
    latest = [START, START]
    events: list[LedgerEvent] = []
    position = 100
    for who, kind, offset, facility, pick in history:
        worker_id = workers[who]
        if versions[who] == 0:  # every worker starts with a hire
            position += 1
            versions[who] = 1
            data = {"sex": "FEMALE", "sector": "PUBLIC", "cadre_code": "NUR", "effective_on": latest[who]}
            events.append(event(position, "Worker", worker_id, 1, "Hired", data))
        day = max(latest[who] + timedelta(days=offset), START)
        latest[who] = max(latest[who], day)
        versions[who] += 1
        position += 1
        data: dict[str, Any] = {"effective_on": day}
        if kind == "Posted":
            data["facility_code"] = facility
        elif kind == "Transferred":
            data |= {"to_facility_code": facility, "from_facility_code": "F1"}
        elif kind == "Requalified":
            data["cadre_code"] = ("NUR", "AID")[pick % 2]
        elif kind == "TrainingRecorded":
            data = {"course": "x", "started_on": day}
        elif kind == "DetailsCorrected":
            data = {"corrections": {"sex": ("FEMALE", "MALE")[pick % 2], "funding_source": "STATE"}}
        elif kind == "EventRetracted":
            data = {"retracted_version": 2 + pick % max(versions[who] - 2, 1), "reason": "x"}
        events.append(event(position, "Worker", worker_id, versions[who], kind, data))
    return events


class AlwaysDerives(Projector):
    def follows(self, state: Any, step: Step) -> bool:
        return False


def project(projector: Projector, events: list[LedgerEvent], cuts: set[int]) -> dict[str, Any]:
    """Applies ``events`` in batches cut at ``cuts``; returns every table's final content."""
    tables: dict[str, dict[int, Row]] = {"periods": {}, "changes": {}, "flows": {}, "tree": {}}
    batch: list[LedgerEvent] = []

    def flush() -> None:
        projector.apply(batch)
        batch.clear()
        projector.take()
        sinks = {
            "periods": projector.period_rows,
            "changes": projector.change_rows,
            "flows": projector.flow_rows,
            "tree": projector.tree_rows,
        }
        for name, sink in sinks.items():
            opened, closed = sink.take()
            for row in opened:
                tables[name][row[0]] = row
            for row_id, position in closed:
                tables[name][row_id][sink.known_from_at + 1] = position

    for i, e in enumerate(events):
        batch.append(e)
        if i in cuts:
            flush()
    flush()
    content: dict[str, Any] = {
        name: Counter(tuple(r[1:]) for r in rows.values())
        for name, rows in tables.items()  # ids left out
    }
    content["staffing"] = {code: fn.take(everything=True) for code, fn in projector.counts.items() if fn.days}
    content["daily flows"] = {key: cell for key, cell in projector.flows.items() if any(cell)}
    content["in post"] = {pair: fn.take(everything=True) for pair, fn in projector.units.in_post.items() if fn.days}
    content["open periods"] = [row for row in tables["periods"].values() if row[5] is None]  # the oracle's rows
    return content


@settings(max_examples=300, deadline=None)
@given(histories, st.sets(st.integers(0, 50)))
def test_extending_a_timeline_writes_what_deriving_it_again_writes(
    history: list[tuple[int, str, int, str, int]], cuts: set[int]
) -> None:
    events = org_events() + worker_events(history)
    extended = project(Projector(), events, cuts)
    derived = project(AlwaysDerives(), events, cuts)
    assert {k: v for k, v in extended.items() if k != "open periods"} == {
        k: v for k, v in derived.items() if k != "open periods"
    }


@settings(max_examples=200, deadline=None)
@given(histories, st.sets(st.integers(0, 50)))
def test_the_workers_in_post_per_facility_and_cadre_are_the_periods_in_post_counted(
    history: list[tuple[int, str, int, str, int]], cuts: set[int]
) -> None:
    """The in-post functions, kept event by event through back-dated moves, retractions,
    requalifications, leave and departures, against the old query's count of the periods
    known now (``establishment.filled_on``), on every day either can change."""
    projector = Projector()
    content = project(projector, org_events() + worker_events(history), cuts)
    periods = content["open periods"]  # [id, worker, from, to, known_from, known_to, status, facility, cadre, ...]
    days = {START - timedelta(days=1)} | {d - timedelta(days=k) for r in periods for d in r[2:4] if d for k in (0, 1)}
    for day in sorted(days):
        counted = Counter(
            (r[7], r[8]) for r in periods if r[6] in IN_POST and r[2] <= day and (r[3] is None or r[3] > day)
        )
        kept = {pair: value_on(fn, day) for pair, fn in projector.units.in_post.items()}
        assert {pair: n for pair, n in kept.items() if n} == dict(counted), day


def value_on(fn: StepFunction, day: date) -> int:
    return sum(delta for d, delta in fn.changes.items() if d <= day)


def pushed(steps: list[Step]) -> Derived:
    out = Derived()
    for step in steps:
        out.push(step)
    return out


def functions_of(projector: Projector) -> UnitSums:
    """A projector's functions in a split child's terms (``UnitFunctions.unit_sums``)."""
    return (
        ordinals(projector.counts),
        {(code, day.toordinal()): cell for (code, day), cell in projector.flows.items() if any(cell)},
        ordinals(projector.units.in_post),
        ordinals(projector.units.sums),
    )


def three_ways(events: list[LedgerEvent]) -> tuple[UnitSums, UnitSums, tuple[dict[Any, Any], ...]]:
    """The functions kept event by event, derived once at the end, and put together from two
    split children's shares, each unit's part from the one child that owns it."""
    live, derived = Projector(), Projector()
    live.apply(events)
    derived.deferred = True
    derived.apply(events)
    derived.derive_functions()
    children = [Projector(), Projector()]
    for i, child in enumerate(children):
        child.deferred = True
        child.apply([e for e in events if e.aggregate != "Worker" or e.aggregate_id.bytes[-1] % 2 == i])
    added = add_up([child.derive_share() for child in children])
    split: tuple[dict[Any, Any], ...] = ({}, {}, {}, {})
    for i, child in enumerate(children):
        for whole, owned in zip(split, child.unit_sums(added, keep=Shard(i, 2).owns_unit), strict=True):
            assert not whole.keys() & owned.keys()
            whole.update(owned)
    return functions_of(live), functions_of(derived), split


def ordinals(functions: dict[Any, StepFunction]) -> dict[Any, dict[int, int]]:
    return {key: {d.toordinal(): n for d, n in fn.changes.items()} for key, fn in functions.items() if fn.changes}


@settings(max_examples=100, deadline=None)
@given(histories, st.sampled_from((None, 0, 5, 30, 400)))
def test_the_functions_derived_at_the_end_and_by_split_children_are_those_kept_event_by_event(
    history: list[tuple[int, str, int, str, int]], moved_after: int | None
) -> None:
    events = org_events() + worker_events(history)
    if moved_after is not None:  # F2 moves from R up to C, back-dated: its staffing leaves R from that day
        f2 = next(e for e in events if e.name == "Opened" and e.data["code"] == "F2")
        data = {"new_parent_code": "C", "effective_on": START + timedelta(days=moved_after)}
        events.append(event(events[-1].position + 1, "OrgUnit", f2.aggregate_id, 2, "Moved", data))
    live, derived, split = three_ways(events)
    assert derived == live
    assert split == live


def test_two_changes_on_one_day_merge_back_into_the_period_before() -> None:
    day = date(2021, 5, 2)
    steps = [
        Step(1, 1, Worker.Hired, date(2020, 1, 1), cadre="NUR"),
        Step(2, 2, Worker.Posted, date(2020, 1, 1), facility="F1"),
        Step(3, 3, Worker.LeaveStarted, date(2021, 1, 1)),
        Step(4, 4, Worker.LeaveEnded, day),
        Step(5, 5, Worker.LeaveStarted, day),  # the later one holds: still on leave
    ]
    derived = pushed(steps)
    assert [(p.start, p.end, p.status) for p in derived.periods] == [
        (date(2020, 1, 1), date(2021, 1, 1), "POSTED"),
        (date(2021, 1, 1), None, "ON_LEAVE"),
    ]
    assert derived.periods == derive(steps).periods
