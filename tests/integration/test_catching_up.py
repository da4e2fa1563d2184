"""Catching the read tables up before an export or a server reads them (``api.catching_up``): tables already
at the ledger's head are left as they are, and the projector's state, which grows with the ledger (loading it
took ``hrh export fhir`` from 130 MB to 290 MB at scale 1), is not loaded for nothing."""

import asyncio
from typing import Any

import pytest

from api import catching_up
from domain.ledger import Ledger
from projections import state
from tests.integration.projection_support import target_of
from tests.integration.test_runner import hire_and_post

pytestmark = pytest.mark.integration


def test_tables_at_the_head_are_caught_up_without_loading_the_projectors_state(
    database_url: str, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = target_of(ledger)
    position = hire_and_post(ledger, "F1")
    reached = asyncio.run(catching_up.catch_up(database_url, target))  # builds and projects
    assert reached >= position

    def loaded(*_: Any) -> None:
        raise AssertionError("the projector's state was loaded with nothing to project")

    monkeypatch.setattr(state, "load", loaded)
    assert asyncio.run(catching_up.catch_up(database_url, target)) == reached
    # Something more to project: the state is loaded, as before.
    hire_and_post(ledger, "F1")
    with pytest.raises(AssertionError, match="state was loaded"):
        asyncio.run(catching_up.catch_up(database_url, target))
