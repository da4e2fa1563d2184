"""The Definitions' edges, one story each, with figures worked out by hand (DESIGN, "Definitions").

The tree: ML > R1 > D1 > F1, F2; ML > R1 > D2 > F3; ML > R2 > D3 > F4; all opened in 2015.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from domain import commands as c
from domain.ledger import Ledger
from domain.values import DepartureReason, LeaveKind, Sex
from projections import staffing
from tests.integration.projection_support import (
    catch_up,
    differences,
    fresh_ledger,
    history_of,
    query,
    series_of,
    staffing_of,
)
from tests.integration.test_projections import Recorder, hire_command, org_tree

pytestmark = pytest.mark.integration

D = date(2021, 3, 15)


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    with fresh_ledger(database_url) as made:
        yield made


@pytest.fixture
def record(ledger: Ledger) -> Recorder:
    recorder = Recorder(ledger)
    org_tree(recorder)
    return recorder


def must(record: Recorder, command: c.Command) -> None:
    assert record(command), command


def hired_at(record: Recorder, facility: str, on: date, cadre: str = "NURSE") -> Any:
    must(record, hire_command(on, cadre, Sex.FEMALE))
    worker_id = record.workers[-1]
    must(record, c.PostWorker(worker_id=worker_id, facility_code=facility, effective_on=on))
    return worker_id


def headcount(url: str, ledger: Ledger, code: str, day: date, known_at: datetime | None = None) -> int:
    return int(staffing_of(url, ledger, code, day, known_at)["headcount"])


def test_a_transfer_on_d_puts_the_worker_at_the_new_facility_on_d(
    database_url: str, ledger: Ledger, record: Recorder
) -> None:
    worker_id = hired_at(record, "F1", date(2020, 1, 6))
    must(record, c.TransferWorker(worker_id=worker_id, to_facility_code="F4", effective_on=D))
    catch_up(database_url, ledger)
    the_day_before = D - timedelta(days=1)
    assert (
        headcount(database_url, ledger, "F1", the_day_before),
        headcount(database_url, ledger, "F4", the_day_before),
    ) == (1, 0)
    assert (headcount(database_url, ledger, "F1", D), headcount(database_url, ledger, "F4", D)) == (0, 1)
    # Both regions see it: R1 loses one on D, R2 gains one; the country keeps one.
    assert (headcount(database_url, ledger, "R1", D), headcount(database_url, ledger, "R2", D)) == (0, 1)
    assert headcount(database_url, ledger, "ML", D) == 1


def test_a_departure_on_d_ends_the_post_on_d_and_ends_any_leave(
    database_url: str, ledger: Ledger, record: Recorder
) -> None:
    worker_id = hired_at(record, "F1", date(2020, 1, 6))
    must(record, c.StartLeave(worker_id=worker_id, kind=LeaveKind.STUDY, effective_on=date(2021, 1, 1)))
    must(record, c.RecordDeparture(worker_id=worker_id, reason=DepartureReason.RETIREMENT, effective_on=D))
    catch_up(database_url, ledger)
    before = staffing_of(database_url, ledger, "F1", D - timedelta(days=1))
    assert (before["headcount"], before["onLeave"], before["active"]) == (1, 1, 0)
    on = staffing_of(database_url, ledger, "F1", D)
    assert (on["headcount"], on["onLeave"], on["active"]) == (0, 0, 0)


def test_a_leave_covers_its_first_day_but_not_the_day_it_ends(
    database_url: str, ledger: Ledger, record: Recorder
) -> None:
    worker_id = hired_at(record, "F2", date(2020, 1, 6))
    must(record, c.StartLeave(worker_id=worker_id, kind=LeaveKind.MATERNITY, effective_on=D))
    must(record, c.EndLeave(worker_id=worker_id, effective_on=D + timedelta(days=98)))
    catch_up(database_url, ledger)
    on_leave = [
        staffing_of(database_url, ledger, "D1", day)["onLeave"]
        for day in (D - timedelta(days=1), D, D + timedelta(days=97), D + timedelta(days=98))
    ]
    assert on_leave == [0, 1, 1, 0]


def test_two_movements_on_the_same_day_follow_ledger_order(database_url: str, ledger: Ledger, record: Recorder) -> None:
    worker_id = hired_at(record, "F1", date(2020, 1, 6))
    must(record, c.TransferWorker(worker_id=worker_id, to_facility_code="F3", effective_on=D))
    must(record, c.TransferWorker(worker_id=worker_id, to_facility_code="F4", effective_on=D))
    catch_up(database_url, ledger)
    assert [headcount(database_url, ledger, f, D) for f in ("F1", "F3", "F4")] == [0, 0, 1]
    history = [(m["kind"], m["fromFacility"], m["toFacility"]) for m in history_of(database_url, ledger, worker_id)]
    assert history[-2:] == [("TRANSFERRED", "F1", "F3"), ("TRANSFERRED", "F3", "F4")]
    # In the quarter of D, D2 saw one entry and one exit; R1 none (F1 -> F3 stays inside R1).
    quarter = {p["period"]: p for p in series_of(database_url, ledger, "D2", D, D + timedelta(days=30), "QUARTER")}
    assert (quarter["2021Q1"]["entries"], quarter["2021Q1"]["exits"]) == (1, 1)


def test_a_back_dated_transfer_changes_a_later_transfers_origin_and_past_flows(
    database_url: str, ledger: Ledger, record: Recorder
) -> None:
    worker_id = hired_at(record, "F1", date(2020, 1, 6))
    must(record, c.TransferWorker(worker_id=worker_id, to_facility_code="F4", effective_on=D))
    catch_up(database_url, ledger)
    known_before = record.now
    # Recorded later, effective earlier: the worker had moved to F3 in January.
    must(record, c.TransferWorker(worker_id=worker_id, to_facility_code="F3", effective_on=date(2021, 1, 10)))
    catch_up(database_url, ledger)
    history = history_of(database_url, ledger, worker_id)
    transfers = [(m["fromFacility"], m["toFacility"], m["backdated"]) for m in history if m["kind"] == "TRANSFERRED"]
    assert transfers == [("F1", "F3", True), ("F3", "F4", False)]
    d2_q1 = series_of(database_url, ledger, "D2", date(2021, 3, 31), date(2021, 3, 31), "QUARTER")
    assert (d2_q1[0]["entries"], d2_q1[0]["exits"]) == (1, 1)
    as_known = series_of(database_url, ledger, "D2", date(2021, 3, 31), date(2021, 3, 31), "QUARTER", known_before)
    assert (as_known[0]["entries"], as_known[0]["exits"]) == (0, 0)


def test_a_retraction_counts_from_when_it_is_recorded(database_url: str, ledger: Ledger, record: Recorder) -> None:
    worker_id = hired_at(record, "F1", date(2020, 1, 6))
    must(record, c.TransferWorker(worker_id=worker_id, to_facility_code="F4", effective_on=D))
    transfer_position = record.positions[worker_id][-1]
    before_retraction = record.now
    must(record, c.RetractEvent(worker_id=worker_id, position=transfer_position, reason="wrong worker"))
    catch_up(database_url, ledger)
    assert headcount(database_url, ledger, "F4", D) == 0
    assert headcount(database_url, ledger, "F1", D) == 1
    assert headcount(database_url, ledger, "F4", D, before_retraction) == 1
    assert headcount(database_url, ledger, "F1", D, before_retraction) == 0
    retracted = [m for m in history_of(database_url, ledger, worker_id) if m["kind"] == "TRANSFERRED"]
    assert [(m["fromFacility"], m["toFacility"], m["retracted"]) for m in retracted] == [("F1", "F4", True)]


def test_a_district_moved_between_regions_moves_its_stock_but_is_no_flow(
    database_url: str, ledger: Ledger, record: Recorder
) -> None:
    hired_at(record, "F3", date(2020, 1, 6))
    hired_at(record, "F3", date(2020, 2, 3))
    must(record, c.MoveOrgUnit(code="D2", new_parent_code="R2", effective_on=D))
    catch_up(database_url, ledger)
    assert (
        headcount(database_url, ledger, "R1", D - timedelta(days=1)),
        headcount(database_url, ledger, "R2", D - timedelta(days=1)),
    ) == (2, 0)
    assert (headcount(database_url, ledger, "R1", D), headcount(database_url, ledger, "R2", D)) == (0, 2)
    quarters = series_of(database_url, ledger, "R2", date(2021, 1, 1), date(2021, 6, 30), "QUARTER")
    assert [(q["active"], q["entries"], q["exits"]) for q in quarters] == [(2, 0, 0), (2, 0, 0)]
    assert sorted(staffing_of(database_url, ledger, "R2", D)["children"]) == ["D2", "D3"]


def test_population_falls_back_to_the_children_only_when_every_child_has_one(
    database_url: str, ledger: Ledger, record: Recorder
) -> None:
    hired_at(record, "F1", date(2020, 1, 6))
    must(record, c.RecordPopulation(org_unit_code="D1", year=2021, population=30_000))
    catch_up(database_url, ledger)
    assert staffing_of(database_url, ledger, "R1", D)["population"] is None  # D2 has none
    must(record, c.RecordPopulation(org_unit_code="D2", year=2021, population=20_000))
    catch_up(database_url, ledger)
    r1 = staffing_of(database_url, ledger, "R1", D)
    assert (r1["population"], r1["density"]) == (50_000, 1 / 50_000 * 10_000)
    must(record, c.RecordPopulation(org_unit_code="R1", year=2021, population=40_000))
    catch_up(database_url, ledger)
    assert staffing_of(database_url, ledger, "R1", D)["population"] == 40_000  # an estimate beats the sum


def test_the_fall_back_for_many_years_reads_every_year_together(
    database_url: str, ledger: Ledger, record: Recorder
) -> None:
    years = list(range(2015, 2025))
    for year in years:
        must(record, c.RecordPopulation(org_unit_code="D1", year=year, population=30_000 + year))
        if year != 2024:  # D2 has none in 2024: no sum for R1
            must(record, c.RecordPopulation(org_unit_code="D2", year=year, population=20_000 + year))
    must(record, c.RecordPopulation(org_unit_code="R1", year=2020, population=40_000))  # an estimate beats the sum
    catch_up(database_url, ledger)
    sent: list[str] = []

    class Counting:
        def __init__(self, db: Any) -> None:
            self.db = db

        def __getattr__(self, name: str) -> Any:
            sent.append(name)
            return getattr(self.db, name)

    async def counted(db: Any, schema: str, *args: Any) -> Any:
        return await staffing.populations_by_year(Counting(db), schema, *args)

    found = query(database_url, ledger, counted, "R1", years, None)
    assert found == {year: 40_000 if year == 2020 else None if year == 2024 else 50_000 + 2 * year for year in years}
    assert len(sent) <= 4  # the estimates, then a level of the tree at a time for every year at once (R1, D2)


def test_requalification_counts_from_its_date(database_url: str, ledger: Ledger, record: Recorder) -> None:
    worker_id = hired_at(record, "F1", date(2020, 1, 6), cadre="AIDE")
    must(record, c.RequalifyWorker(worker_id=worker_id, cadre_code="MIDWIFE", effective_on=D))
    catch_up(database_url, ledger)
    before = staffing_of(database_url, ledger, "F1", D - timedelta(days=1))
    on = staffing_of(database_url, ledger, "F1", D)
    assert (before["qualifiedActive"], before["byCadreGroup"]) == (0, {"OTHER": 1})
    assert (on["qualifiedActive"], on["byCadreGroup"]) == (1, {"MIDWIFE": 1})


def test_a_rehired_worker_counts_again_once_posted(database_url: str, ledger: Ledger, record: Recorder) -> None:
    worker_id = hired_at(record, "F1", date(2020, 1, 6))
    must(
        record,
        c.RecordDeparture(worker_id=worker_id, reason=DepartureReason.RESIGNATION, effective_on=date(2020, 6, 1)),
    )
    must(record, c.RehireWorker(worker_id=worker_id, effective_on=date(2021, 1, 4)))
    must(record, c.PostWorker(worker_id=worker_id, facility_code="F4", effective_on=D))
    catch_up(database_url, ledger)
    counts = [
        headcount(database_url, ledger, "ML", day) for day in (date(2020, 5, 31), date(2020, 6, 1), date(2021, 2, 1), D)
    ]
    assert counts == [1, 0, 0, 1]
    years = series_of(database_url, ledger, "ML", date(2020, 1, 1), date(2021, 12, 31), "YEAR")
    assert [(y["period"], y["entries"], y["exits"]) for y in years] == [("2020", 1, 1), ("2021", 1, 0)]


def test_period_labels_and_ends_follow_dhis2_including_leap_years(
    database_url: str, ledger: Ledger, record: Recorder
) -> None:
    catch_up(database_url, ledger)
    months = series_of(database_url, ledger, "ML", date(2024, 1, 15), date(2024, 3, 31), "MONTH")
    assert [(m["period"], m["endOn"]) for m in months] == [
        ("202401", date(2024, 1, 31)),
        ("202402", date(2024, 2, 29)),
        ("202403", date(2024, 3, 31)),
    ]
    quarters = series_of(database_url, ledger, "ML", date(2023, 12, 31), date(2024, 6, 29), "QUARTER")
    assert [(q["period"], q["endOn"]) for q in quarters] == [
        ("2023Q4", date(2023, 12, 31)),
        ("2024Q1", date(2024, 3, 31)),
    ]
    assert differences(database_url, ledger) == []
