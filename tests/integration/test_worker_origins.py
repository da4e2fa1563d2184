"""Worker.Hired version 2 on a real PostgreSQL: stored version-1 hires beside version-2 ones, through
the read tables, the chain, and the log's export and import."""

import io
import json
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain import commands as c
from domain.chain import unplaced
from domain.encoding import recorded_event
from domain.ledger import Ledger
from projections.mobility import workers_by_id
from replay.chain import check_chain
from replay.log import export_log
from replay.log_import import import_log
from tests.conftest import LedgerFactory
from tests.golden.scenario import HIRED_ABROAD, OTHER, WORKER
from tests.integration.projection_support import catch_up, differences, query, rebuilt
from tests.unit.test_golden_events import stored_events

pytestmark = pytest.mark.integration


def with_both_versions(ledger: Ledger) -> UUID:
    """The golden file's version-1 events, as an older hrh recorded them, then a version-2 hire."""
    golden = stored_events()
    ledger.recorder.insert_events(golden, lines=[unplaced(recorded_event(ledger.mapper, s)) for s in golden])
    return ledger.execute(HIRED_ABROAD, "dnrh").aggregate_id


def exported(ledger: Ledger) -> str:
    out = io.StringIO()
    export_log(ledger, out)
    return out.getvalue()


def test_both_versions_export_import_and_export_again_with_their_chain(
    pg_ledger: Ledger, ledger_factory: LedgerFactory
) -> None:
    with_both_versions(pg_ledger)
    assert check_chain(pg_ledger).findings == []
    text = exported(pg_ledger)
    hires = [json.loads(line) for line in text.splitlines() if '"event": "Hired"' in line]
    assert [h.get("event_version") for h in hires] == [None, None, 2]
    assert ["country_of_birth" in h["data"] for h in hires] == [False, False, True]
    assert hires[2]["data"]["qualification_country"] == "SN"
    second = ledger_factory()
    import_log(second, text.splitlines())
    assert exported(second) == text
    assert check_chain(second).findings == []
    # The imported version-1 hires are stored as version 1: the domain reads them upcast.
    assert second.repository.get(WORKER).country_of_birth is None


def identities(url: str, ledger: Ledger, *ids: UUID) -> dict[UUID, tuple[Any, Any]]:
    found = query(url, ledger, workers_by_id, list(ids), date(2024, 1, 1))
    return {i: (found[i].country_of_birth, found[i].qualification_country) for i in ids}


def test_the_read_table_holds_the_countries_and_corrections_update_them(pg_ledger: Ledger, database_url: str) -> None:
    abroad = with_both_versions(pg_ledger)
    catch_up(database_url, pg_ledger)
    assert identities(database_url, pg_ledger, WORKER, OTHER, abroad) == {
        WORKER: (None, None),
        OTHER: (None, None),
        abroad: ("BF", "SN"),
    }
    pg_ledger.execute(c.CorrectWorkerDetails(worker_id=OTHER, qualification_country="CU"), "dnrh")
    pg_ledger.execute(c.CorrectWorkerDetails(worker_id=abroad, country_of_birth="CI"), "dnrh")
    catch_up(database_url, pg_ledger)
    assert identities(database_url, pg_ledger, OTHER, abroad) == {OTHER: (None, "CU"), abroad: ("CI", "SN")}
    # A rebuild gives the same tables, and verify finds nothing.
    rebuilt(database_url, pg_ledger)
    assert identities(database_url, pg_ledger, OTHER, abroad) == {OTHER: (None, "CU"), abroad: ("CI", "SN")}
    assert differences(database_url, pg_ledger) == []
