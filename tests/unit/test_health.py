"""How /healthz tells a runner that keeps up from one that falls behind (``api.health.LagWatch``)."""

from api.health import GROWTH_SECONDS, LagWatch


def test_a_lag_that_only_grows_for_the_whole_window_is_falling_behind() -> None:
    watch = LagWatch()
    assert not watch.growing(100, now=0.0)
    assert not watch.growing(400, now=GROWTH_SECONDS / 2)  # growing, but not for long enough yet
    assert watch.growing(900, now=GROWTH_SECONDS + 1)


def test_a_lag_that_dips_or_holds_is_not_falling_behind() -> None:
    dipped = LagWatch()
    for now, lag in ((0.0, 500), (10.0, 100), (20.0, 800), (GROWTH_SECONDS + 1, 900)):
        growing = dipped.growing(lag, now)
    assert not growing
    steady = LagWatch()
    assert not steady.growing(0, now=0.0)
    assert not steady.growing(0, now=GROWTH_SECONDS + 1)


def test_only_the_last_window_counts() -> None:
    watch = LagWatch()
    watch.growing(1000, now=0.0)
    watch.growing(10, now=5.0)  # a dip long ago
    watch.growing(20, now=40.0)
    watch.growing(30, now=60.0)
    assert watch.growing(40, now=80.0)  # the lag has only grown since 50 s ago
    assert len(watch.samples) <= 4
