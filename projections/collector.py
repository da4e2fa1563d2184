"""The cyclic garbage collector, in bulk replays and in long-running processes.

The read side's state is millions of small objects without reference cycles: reference counting
frees them, and the collector only rescans them. A full collection of a live runner's state at
scale 10 took about 200 ms, and the server's worker processes spent 5–8% of their time
collecting.
"""

import contextlib
import gc
from collections.abc import Iterator

YOUNG_THRESHOLD = 10_000
"""Allocations between two collections of the youngest generation in a long-running process
(700 by default): a request allocates thousands of objects, nearly all freed by reference
counting before the collector would look at them."""


@contextlib.contextmanager
def without_collector() -> Iterator[None]:
    """Pauses the cyclic garbage collector for a bulk replay or a load of the projector's state;
    at the end, what it left alive is frozen out of later scans (it is still freed by reference
    counting)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


def settle() -> None:
    """For a long-running process once it has started (a server worker, the projection runner):
    what exists now is left out of later collections, and the youngest generation is collected
    every ``YOUNG_THRESHOLD`` allocations."""
    gc.freeze()
    young, *older = gc.get_threshold()
    gc.set_threshold(max(young, YOUNG_THRESHOLD), *older)
