"""A build split by worker: what each shard keeps, and how the parent adds up their functions."""

import os
import subprocess
import sys
from datetime import date
from itertools import islice

import pytest

from projections import store
from projections.intervals import Ids, new_sink, pack
from projections.shards import Shard, Share, add_up, owner
from projections.writes import Writes
from replay import memory, rebuild, split

D1, D2, D3 = date(2020, 1, 1), date(2021, 1, 1), date(2022, 1, 1)


def share(
    at: dict[str, dict[date, int]],
    moves: dict[tuple[str | None, str | None, date], int],
    in_post: dict[tuple[str, str], dict[date, int]] | None = None,
) -> Share:
    """A child's share (``Projector.derive_share``), from dates."""
    by_ordinal = {code: {day.toordinal(): delta for day, delta in days.items()} for code, days in at.items()}
    pairs = {pair: {day.toordinal(): delta for day, delta in days.items()} for pair, days in (in_post or {}).items()}
    return by_ordinal, {(origin, to, day.toordinal()): n for (origin, to, day), n in moves.items()}, pairs


def test_the_shares_add_up_and_changes_that_cancel_are_dropped() -> None:
    first = share(
        {"F1": {D1: pack((1, 0)), D2: pack((-1, 0))}, "F3": {D1: pack((1, 1))}},
        {("F1", "F2", D1): 1},
        {("F1", "NUR"): {D1: 1, D2: -1}, ("F3", "AID"): {D1: 1}},
    )
    second = share(
        {"F1": {D2: pack((1, 0)), D3: pack((-1, 0))}, "F3": {D1: pack((-1, -1))}},
        {("F1", "F2", D1): 2, (None, "F2", D3): 1},
        {("F1", "NUR"): {D2: 1, D3: -1}, ("F3", "AID"): {D1: -1}},
    )

    at, moves, in_post = add_up([first, second])

    d1, d3 = D1.toordinal(), D3.toordinal()
    assert at == {"F1": {d1: pack((1, 0)), d3: pack((-1, 0))}}  # D2's -1 and +1 cancel, and F3's whole share
    assert moves == {("F1", "F2", d1): 3, (None, "F2", d3): 1}
    assert in_post == {("F1", "NUR"): {d1: 1, d3: -1}}  # likewise per facility and cadre
    assert first[0]["F1"] == {d1: pack((1, 0)), D2.toordinal(): pack((-1, 0))}  # the shares are left as they were


def test_each_unit_is_owned_by_one_shard() -> None:
    codes = [f"U{i}" for i in range(200)]
    owners = [[Shard(i, 3).owns_unit(code) for i in range(3)] for code in codes]
    assert all(sum(owned) == 1 for owned in owners)
    assert {owner(code, 3) for code in codes} == {0, 1, 2}  # every shard owns some of them


def test_a_units_owner_is_the_same_in_every_process() -> None:
    codes = [f"U{i}" for i in range(50)]
    script = f"from projections.shards import owner; print([owner(c, 2) for c in {codes!r}])"
    seeded = {**os.environ, "PYTHONHASHSEED": "7"}
    elsewhere = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=seeded)
    assert elsewhere.stdout.strip() == str([owner(code, 2) for code in codes])


def test_shard_ids_interleave() -> None:
    assert list(islice(Ids(2, 3), 4)) == [2, 5, 8, 11]
    sink = new_sink(1, 2)
    assert [sink.open("w", D1, None, 1, ()) for _ in range(3)] == [1, 3, 5]


def test_only_shard_zero_keeps_what_the_org_events_write() -> None:
    def writes() -> Writes:
        made = Writes(units={"F1"}, cadres={"NURSE"}, populations=[("F1", 2020, 3, 1000, None)])
        made.events = {3: [3, "OrgUnit"], 4: [4, "Worker"], 5: [5, "Cadre"]}
        return made

    for index, events, units in ((0, [3, 4, 5], {"F1"}), (1, [4], set())):
        kept, tree = writes(), new_sink()
        tree.open("F1", D1, None, 3, ())
        Shard(index, 2).keep(kept, tree)
        assert sorted(kept.events) == events
        assert kept.units == units and bool(kept.cadres) == (index == 0) and bool(kept.populations) == (index == 0)
        assert bool(tree.take()[0]) == (index == 0)


def test_a_shard_owns_the_workers_whose_ids_last_byte_leaves_its_index() -> None:
    assert Shard(1, 2).owns("worker_id") == "get_byte(uuid_send(worker_id), 15) % 2 = 1"
    assert Shard(1, 2).name != Shard(0, 2).name


def test_every_table_is_indexed_and_analysed_once_at_the_end_of_a_rebuild() -> None:
    groups = [*rebuild.INDEXED, store.FUNCTION_TABLES]
    assert sorted(t for group in groups for t in group) == sorted(store.TABLES)


def test_a_rebuild_is_split_when_asked_or_when_the_ledger_is_large_and_there_are_cores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1})
    monkeypatch.setattr(split, "memory_available", lambda: 16 * GB)
    assert split.processes_for(10, 3).processes == 3
    assert split.processes_for(split.MIN_EVENTS - 1).processes == 1
    assert split.processes_for(split.MIN_EVENTS).processes == 2
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0})
    assert split.processes_for(split.MIN_EVENTS).processes == 1


GB = 2**30
SCALE_1, SCALE_10, SCALE_30, SCALE_100 = 193_482, 1_822_802, 5_500_000, 18_300_000


def test_a_rebuild_splits_in_two_on_two_cores_while_each_half_stays_under_4_gb() -> None:
    assert split.plan(SCALE_1, 20 * GB, cores=2) == split.Plan(2)
    assert split.plan(SCALE_10, 20 * GB, cores=2) == split.Plan(2)
    assert split.plan(SCALE_10, None, cores=2) == split.Plan(2)  # memory unknown
    assert split.plan(SCALE_10, 20 * GB, cores=1) == split.Plan(1)  # one process stays under 4 GB


def test_a_rebuild_takes_more_children_than_cores_when_two_would_pass_4_gb_each() -> None:
    chosen = split.plan(SCALE_30, 20 * GB, cores=2)
    assert chosen.processes == 3 and chosen.note is not None and "3 processes" in chosen.note
    per_child = split.PROCESS_BYTES + SCALE_30 / 3 * split.BYTES_AN_EVENT
    assert per_child < split.MAX_PROCESS_BYTES < split.PROCESS_BYTES + SCALE_30 / 2 * split.BYTES_AN_EVENT
    # One core: a single process would pass 4 GB, so the rebuild is split all the same.
    assert split.plan(SCALE_30, 20 * GB, cores=1).processes == 3


def test_a_rebuild_that_would_not_fit_in_memory_falls_back_to_one_process_and_says_so() -> None:
    need = split.split_bytes(SCALE_10, 2)
    assert split.plan(SCALE_10, int(need / memory.SHARE) + 1, cores=2) == split.Plan(2)
    chosen = split.plan(SCALE_10, int(need / memory.SHARE) - 2**20, cores=2)
    assert chosen.processes == 1
    assert chosen.note is not None and "one process instead" in chosen.note and "GB is available" in chosen.note
    # Scale 100 on this project's 24 GB machine: about 8 children, 35 GB in all.
    assert split.plan(SCALE_100, 22 * GB, cores=2).processes == 1
    assert split.plan(SCALE_100, 64 * GB, cores=2).processes == 8
