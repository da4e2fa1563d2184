"""On PostgreSQL, a first load checked by two child processes stores the ledger one process stores."""

from itertools import islice

import pytest

from domain.ledger import Ledger
from replay import bulk
from replay.chain import check_chain
from replay.demo import generate
from tests.integration.projection_support import fresh_ledger

pytestmark = pytest.mark.integration


def events(ledger: Ledger) -> list[tuple[object, ...]]:
    return [
        (n.id, n.originator_id, n.originator_version, n.topic, n.state)
        for n in ledger.recorder.select_notifications(1, 10**7)
    ]


def test_the_demo_loaded_by_two_children_is_the_ledger_one_process_loads(database_url: str) -> None:
    submissions = list(islice(generate(seed=11, scale=0.1), 12_000))
    with fresh_ledger(database_url) as one, fresh_ledger(database_url) as two:
        alone = bulk.load(one, submissions, processes=1)
        split = bulk.load(two, submissions, processes=2)

        assert split == alone
        assert alone.events > len(submissions)
        assert events(two) == events(one)
        # And the same chain, which the recorder's check of the json module's digests agrees with.
        last = one.recorder.max_notification_id()
        assert two.recorder.select_chain(1, last) == one.recorder.select_chain(1, last)  # type: ignore[attr-defined]
        assert len(one.recorder.select_chain(1, last)) == alone.events  # type: ignore[attr-defined]
        assert check_chain(two).findings == []
