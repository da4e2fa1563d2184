"""The garbage collector's settings in replays and long-running processes."""

import gc
from collections.abc import Iterator

import pytest

from projections.collector import YOUNG_THRESHOLD, settle, without_collector


@pytest.fixture(autouse=True)
def restored() -> Iterator[None]:
    thresholds, enabled = gc.get_threshold(), gc.isenabled()
    gc.unfreeze()
    yield
    gc.set_threshold(*thresholds)
    gc.unfreeze()
    if enabled:
        gc.enable()


def test_a_replay_runs_without_the_collector_and_freezes_what_it_left() -> None:
    with without_collector():
        assert not gc.isenabled()
        kept = [[n] for n in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(kept)


def test_a_replay_leaves_a_disabled_collector_disabled_and_freezes_nothing() -> None:
    gc.disable()
    with without_collector():
        pass
    assert not gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_settled_process_collects_young_objects_less_often_and_skips_what_it_started_with() -> None:
    gc.set_threshold(700, 10, 10)
    settle()
    assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
    assert gc.get_freeze_count() > 0
    gc.set_threshold(YOUNG_THRESHOLD * 2, 5, 5)
    settle()  # never lowers a threshold set higher
    assert gc.get_threshold() == (YOUNG_THRESHOLD * 2, 5, 5)
