"""The integration tests' shared fixture: a fresh ledger holding the small org tree of
``test_projections.org_tree`` (modules that need another ledger define their own)."""

from collections.abc import Iterator

import pytest

from domain.ledger import Ledger
from tests.integration.projection_support import fresh_ledger
from tests.integration.test_projections import Recorder, org_tree


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    with fresh_ledger(database_url) as made:
        org_tree(Recorder(made))
        yield made
