"""How /healthz tells a runner that keeps up from one that falls behind (``api.health.LagWatch``)."""

from api.health import GROWTH_FLOOR, GROWTH_SECONDS, LagWatch


def test_a_lag_that_only_grows_for_the_whole_window_is_falling_behind() -> None:
    watch = LagWatch()
    assert not watch.growing(100, now=0.0)
    assert not watch.growing(100 + GROWTH_FLOOR, now=GROWTH_SECONDS / 2)  # not for long enough yet
    assert watch.growing(100 + 2 * GROWTH_FLOOR, now=GROWTH_SECONDS + 1)


def test_a_lag_that_dips_holds_or_grows_a_little_is_not_falling_behind() -> None:
    dipped = LagWatch()
    for now, lag in ((0.0, 500), (10.0, 100), (20.0, 800), (GROWTH_SECONDS + 1, 500 + 2 * GROWTH_FLOOR)):
        growing = dipped.growing(lag, now)
    assert not growing
    caught_up_meanwhile = LagWatch()
    for now, lag in ((0.0, 0), (10.0, 0), (GROWTH_SECONDS + 1, 2 * GROWTH_FLOOR)):
        growing = caught_up_meanwhile.growing(lag, now)
    assert not growing
    a_little = LagWatch()
    a_little.growing(10, now=0.0)
    assert not a_little.growing(10 + GROWTH_FLOOR // 2, now=GROWTH_SECONDS + 1)


def test_only_the_last_window_counts() -> None:
    watch = LagWatch()
    watch.growing(5000, now=0.0)
    watch.growing(10, now=5.0)  # a dip long ago
    watch.growing(20, now=40.0)
    watch.growing(30, now=60.0)
    assert watch.growing(20 + GROWTH_FLOOR, now=80.0)  # the lag has only grown since 40 s
    assert len(watch.samples) <= 4
