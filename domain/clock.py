"""The recording clock: when the ledger records an event.

Events take their timestamp from here rather than from the wall clock directly, so that a
replay of history (the demo data set) can record each event at its historical moment.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    return datetime.now(UTC)


_clock: ContextVar[Clock] = ContextVar("recording_clock", default=wall_clock)


def now() -> datetime:
    """The recording time of an event being created now."""
    return _clock.get()()


@contextmanager
def recording_with(clock: Clock) -> Iterator[None]:
    token = _clock.set(clock)
    try:
        yield
    finally:
        _clock.reset(token)
