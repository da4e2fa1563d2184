"""The chain of a ledger recorded before the chain existed (DESIGN, "Tamper evidence").

A database recorded by an earlier version of hrh holds events and no chain rows. Before anything
else is recorded there, :func:`chain_older_events` computes the chain over every stored event in
ledger order, exactly as the recorder would have written it (``domain.chain.unplaced`` and
``placed_digest``, the recorder's own description of an event), so that the first event recorded
after the upgrade extends a chain that covers the whole history.

It does so only when the chain table is EMPTY and the events table is not: a chain table with
rows that misses events is what ``hrh verify`` reports (``inserted``), never blessed here. It runs
in one transaction that holds the table lock the recorder takes for every insert, and checks the
chain table again under that lock: a second process starting at the same time waits, then finds
the chain there and does nothing; a crash leaves no chain row at all, and the next start begins
again.
"""

from dataclasses import dataclass
from typing import Any

from domain.chain import GENESIS, link, placed_digest, unplaced
from domain.ledger import Ledger
from projections.chain_runs import ChainRows
from replay.chain import PAGE, Unreadable, stored_events


class Unchainable(Exception):
    """Raised when an event recorded before the chain existed no longer decodes, so its chain
    hash cannot be computed; nothing is chained."""

    code = "CHAIN_UNREADABLE_EVENT"


@dataclass(frozen=True)
class Chained:
    """What :func:`chain_older_events` did: how many events it chained, and the head it ended at."""

    events: int
    head: tuple[int, str]


def chain_older_events(ledger: Ledger) -> Chained | None:
    """Chains every stored event when the ledger has events but no chain row; returns what it
    chained, or None when there was nothing to do (an empty ledger, or one already chained).

    Raises:
        Unchainable: a stored event does not decode (its position is named); nothing is written.
    """
    recorder: Any = ledger.recorder
    # The events are read and described between the inserts, and a second process waits here
    # for the first to finish, however long that takes.
    with recorder.locked(wait=True) as curs:
        has_events, has_chain = recorder.holds(curs)
        if not has_events or has_chain:
            return None
        previous, count, head = GENESIS, 0, (0, GENESIS)
        page = ChainRows()
        for position, event in stored_events(ledger):
            if isinstance(event, Unreadable):
                raise Unchainable(
                    f"the event at position {position} no longer decodes ({type(event.error).__name__}): "
                    "the chain of the events recorded before it existed cannot be computed; nothing was chained"
                )
            digest = placed_digest(unplaced(event), position, event.originator_version)
            previous = link(previous, digest)
            page.add(position, digest, previous)
            count += 1
            head = (position, previous)
            if len(page.positions) == PAGE:
                recorder.insert_chain(curs, page)
                page = ChainRows()
        if page.positions:
            recorder.insert_chain(curs, page)
    return Chained(count, head)
