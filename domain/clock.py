"""The recording clock: when the ledger records an event.

Events take their timestamp from here rather than from the wall clock directly, so that a
replay of history (the demo data set) can record each event at its historical moment.
"""

from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    return datetime.now(UTC)


_clock: ContextVar[Clock] = ContextVar("recording_clock", default=wall_clock)


def now() -> datetime:
    """The recording time of an event being created now."""
    return _clock.get()()


class recording_with:  # noqa: N801  (used as a function: ``with recording_with(clock):``)
    """Records events with ``clock`` inside the ``with`` block. A class rather than a generator
    context manager: the bulk path enters one per command."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def __enter__(self) -> None:
        self.token = _clock.set(self.clock)

    def __exit__(self, *_: object) -> None:
        _clock.reset(self.token)
