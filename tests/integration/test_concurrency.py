"""Concurrent writers on a real PostgreSQL: one wins, the other is re-checked; nothing is lost."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from uuid import UUID

import pytest

from domain import commands as c
from domain.errors import DomainError
from domain.ledger import Ledger, Outcome
from domain.values import CadreGroup, FundingSource, OrgUnitLevel, Sector, Sex
from domain.worker import Worker

pytestmark = pytest.mark.integration
THREADS = 8


def open_tree(ledger: Ledger, facilities: int) -> list[str]:
    run = ledger.execute
    run(c.OpenOrgUnit(code="ML", name="Mali", level=OrgUnitLevel.COUNTRY, opened_on=date(1960, 9, 22)), "t")
    run(
        c.OpenOrgUnit(
            code="SIK", name="Sikasso", level=OrgUnitLevel.REGION, parent_code="ML", opened_on=date(1977, 1, 1)
        ),
        "t",
    )
    run(
        c.OpenOrgUnit(
            code="SIK-D", name="Kadiolo", level=OrgUnitLevel.DISTRICT, parent_code="SIK", opened_on=date(1977, 1, 1)
        ),
        "t",
    )
    codes = [f"SIK-F{i:02}" for i in range(facilities)]
    for code in codes:
        run(
            c.OpenOrgUnit(
                code=code, name=code, level=OrgUnitLevel.FACILITY, parent_code="SIK-D", opened_on=date(1990, 1, 1)
            ),
            "t",
        )
    run(c.DefineCadre(code="IDE", name="Infirmier", group=CadreGroup.NURSE, qualified=True), "t")
    return codes


def hire(number: str | None = None, command_id: str | None = None) -> c.HireWorker:
    return c.HireWorker(
        civil_service_number=number,
        family_name="Coulibaly",
        given_names="Fanta",
        sex=Sex.FEMALE,
        cadre_code="IDE",
        sector=Sector.PUBLIC,
        funding_source=FundingSource.STATE,
        effective_on=date(2010, 1, 4),
        command_id=command_id,
    )


def race(calls: list[object]) -> list[Outcome | DomainError]:
    def attempt(call: object) -> Outcome | DomainError:
        try:
            return call()  # type: ignore[operator,no-any-return]
        except DomainError as error:
            return error

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(attempt, calls))


def test_racing_transfers_of_one_worker_are_all_recorded_in_a_consistent_history(pg_ledger: Ledger) -> None:
    codes = open_tree(pg_ledger, THREADS + 1)
    worker_id = pg_ledger.execute(hire(), "t").aggregate_id
    pg_ledger.execute(c.PostWorker(worker_id=worker_id, facility_code=codes[0], effective_on=date(2010, 2, 1)), "t")
    # Eight clerks transfer the same worker at once, each to another facility on another date.
    transfers = [
        c.TransferWorker(worker_id=worker_id, to_facility_code=codes[i + 1], effective_on=date(2011 + i, 1, 1))
        for i in range(THREADS)
    ]
    results = race([lambda t=t: pg_ledger.execute(t, "t") for t in transfers])
    accepted = [r for r in results if isinstance(r, Outcome)]
    assert len(accepted) == THREADS, results
    worker = pg_ledger.repository.get(worker_id)
    assert isinstance(worker, Worker)
    assert worker.version == 2 + THREADS
    # Every accepted transfer is in the history, each at its own ledger position.
    located = {pg_ledger.locate(outcome.position) for outcome in accepted}
    assert located == {(worker_id, version) for version in range(3, 3 + THREADS)}
    assert worker.facility_on(date(2030, 1, 1)) == codes[THREADS]


def test_racing_postings_of_one_worker_record_exactly_one(pg_ledger: Ledger) -> None:
    codes = open_tree(pg_ledger, THREADS)
    worker_id = pg_ledger.execute(hire(), "t").aggregate_id
    postings = [c.PostWorker(worker_id=worker_id, facility_code=code, effective_on=date(2010, 2, 1)) for code in codes]
    results = race([lambda p=p: pg_ledger.execute(p, "t") for p in postings])
    assert sum(isinstance(r, Outcome) for r in results) == 1
    assert {r.code for r in results if isinstance(r, DomainError)} == {"WORKER_ALREADY_POSTED"}


def test_racing_hires_with_one_civil_service_number_record_one_worker(pg_ledger: Ledger) -> None:
    open_tree(pg_ledger, 1)
    before = pg_ledger.recorder.max_notification_id()
    results = race([lambda: pg_ledger.execute(hire(number="MLI-0000042"), "t") for _ in range(THREADS)])
    winners = [r for r in results if isinstance(r, Outcome)]
    assert len(winners) == 1
    assert {r.code for r in results if isinstance(r, DomainError)} == {"DUPLICATE_CIVIL_SERVICE_NUMBER"}
    # One worker and one claim on the number: two events.
    assert (pg_ledger.recorder.max_notification_id() or 0) - (before or 0) >= 2
    hires = pg_ledger.recorder.select_notifications(1, 10_000, topics=["hrh:Worker.Hired.v1"])
    assert [n.originator_id for n in hires] == [winners[0].aggregate_id]


def test_racing_retries_with_one_command_id_record_once_and_return_the_first_result(pg_ledger: Ledger) -> None:
    open_tree(pg_ledger, 1)
    results = race([lambda: pg_ledger.execute(hire(command_id="c-3g-retry-1"), "t") for _ in range(THREADS)])
    assert all(isinstance(r, Outcome) for r in results), results
    outcomes = [r for r in results if isinstance(r, Outcome)]
    assert len({(o.aggregate_id, o.position) for o in outcomes}) == 1
    assert sum(not o.replayed for o in outcomes) == 1
    hires = pg_ledger.recorder.select_notifications(1, 10_000, topics=["hrh:Worker.Hired.v1"])
    assert len(hires) == 1 and hires[0].id == outcomes[0].position
    assert isinstance(outcomes[0].aggregate_id, UUID)
