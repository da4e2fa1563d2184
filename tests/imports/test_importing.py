"""The import's engine against PostgreSQL: rows checked as the same commands sent over GraphQL by the same user,
recorded through the bulk path, every refusal reported with its sheet, row, column and code, and a refused row
writing nothing. The figures afterwards are read back through GraphQL."""

import asyncio
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from eventsourcing.persistence import IntegrityError

from api.access import Forbidden, Role, User
from api.graphql.context import Services
from api.imports.importing import ImportReport, import_rows, record_rows
from api.imports.rows import Row, RowError
from api.operations import execute
from api.projecting import Projected
from domain.errors import Conflict
from domain.ledger import Ledger
from replay.bulk import held
from tests.integration.projection_support import catch_up, fresh_ledger, target_of
from tests.integration.test_projections import Recorder, org_tree

pytestmark = pytest.mark.integration

ADMIN = User("cli", Role.ADMIN)
MANAGER = User("d1.rh", Role.HR_MANAGER, "D1")  # D1 holds F1 and F2; F3 is in D2, F4 in R2
DAY = "2021-03-01"
STAFFING = """
query Figures($code: String!, $asOf: Date) {
  staffing(orgUnitCode: $code, asOf: $asOf) { headcount }
  workers(orgUnitCode: $code, asOf: $asOf, first: 100) { edges { node { familyName civilServiceNumber } } }
}"""


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    with fresh_ledger(database_url) as made:
        org_tree(Recorder(made))
        yield made


def hire(row: int, number: str, family: str = "Traoré", **more: Any) -> Row:
    values = {
        "civilServiceNumber": number,
        "familyName": family,
        "givenNames": "Awa",
        "sex": "FEMALE",
        "cadreCode": "NURSE",
        "sector": "PUBLIC",
        "fundingSource": "STATE",
        "effectiveOn": DAY,
    }
    return Row("hireWorker", row, {**values, **more})


def post(row: int, number: str, facility: str, **more: Any) -> Row:
    return Row("postWorker", row, {"civilServiceNumber": number, "facilityCode": facility, "effectiveOn": DAY, **more})


def imported(ledger: Ledger, user: User, rows: list[Row], **options: Any) -> ImportReport:
    return record_rows(ledger, user, rows, **options)


def position(ledger: Ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


def where(report: ImportReport) -> list[tuple[str, int, str | None, str]]:
    return [(e.sheet, e.row, e.column, e.code) for e in report.errors]


def figures(database_url: str, ledger: Ledger, code: str) -> dict[str, Any]:
    """The GraphQL answer for ``code`` on ``DAY``, as an ADMIN, once the read tables have caught up."""
    catch_up(database_url, ledger)

    async def ask() -> Any:
        pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
        try:
            schema = target_of(ledger).schema
            services = Services(
                pool=pool, ledger=ledger, schema=schema, admin_token=None, projected=Projected(database_url, schema)
            )
            return await execute(services, ADMIN, STAFFING, {"code": code, "asOf": DAY})
        finally:
            await pool.close()

    return dict(asyncio.run(ask()))


def test_hires_then_postings_by_civil_service_number_are_recorded_and_graphql_counts_them(
    database_url: str, ledger: Ledger
) -> None:
    rows = [
        hire(3, "MLI-1", "Traoré"),
        hire(4, "MLI-2", "Diarra"),
        hire(5, "MLI-3", "Ségou"),
        post(3, "MLI-1", "F1"),
        post(4, "MLI-2", "F1"),
        post(5, "MLI-3", "F3"),
    ]
    done: list[int] = []

    report = imported(ledger, ADMIN, rows, progress=done.append)

    assert (report.rows, report.recorded, report.already_recorded, report.refused, report.errors) == (6, 6, 0, 0, [])
    assert sum(done) == 6
    assert report.position_after == position(ledger) > report.position_before
    answer = figures(database_url, ledger, "F1")
    assert answer["staffing"]["headcount"] == 2
    names = sorted((e["node"]["familyName"], e["node"]["civilServiceNumber"]) for e in answer["workers"]["edges"])
    assert names == [("Diarra", "MLI-2"), ("Traoré", "MLI-1")]
    assert figures(database_url, ledger, "D2")["staffing"]["headcount"] == 1


def test_the_same_rows_again_record_nothing_new(ledger: Ledger) -> None:
    rows = [hire(3, "MLI-1"), post(3, "MLI-1", "F1")]
    imported(ledger, ADMIN, rows)
    written = position(ledger)

    again = imported(ledger, ADMIN, rows)

    assert (again.recorded, again.already_recorded, again.refused) == (0, 2, 0)
    assert position(ledger) == written


def test_a_managers_rows_inside_the_scope_are_recorded_and_those_outside_refused_forbidden(ledger: Ledger) -> None:
    # A worker hired by the ADMIN and posted outside the manager's district.
    imported(ledger, ADMIN, [hire(3, "MLI-9", "Keita"), post(3, "MLI-9", "F4")])
    rows = [
        hire(3, "MLI-1"),
        hire(4, "MLI-2"),
        post(3, "MLI-1", "F2"),  # inside D1
        post(4, "MLI-2", "F3"),  # outside: a first posting must be in the scope
        Row("startLeave", 3, {"civilServiceNumber": "MLI-9", "kind": "STUDY", "effectiveOn": "2021-06-01"}),
    ]

    report = imported(ledger, MANAGER, rows)

    assert where(report) == [
        ("postWorker", 4, "facilityCode", "FORBIDDEN"),
        ("startLeave", 3, None, "FORBIDDEN"),  # says nothing about where the worker is
    ]
    assert (report.recorded, report.refused) == (3, 2)


def test_each_refusal_names_its_row_column_value_and_code(ledger: Ledger) -> None:
    reader_error = RowError("postWorker", 9, "effectiveOn", "31/02/2021", "BAD_USER_INPUT", "not a date")
    rows = [
        hire(3, "MLI-1"),
        hire(4, "MLI-2", cadreCode="SURGEON"),
        hire(5, "MLI-3", sex="F"),
        post(3, "MLI-1", "F9"),
        post(4, "MLI-404", "F1"),
        post(5, "MLI-1", "F1", effectiveOn="2021-02-30"),
        Row("postWorker", 6, {"facilityCode": "F1", "effectiveOn": DAY}),
        Row("postWorker", 9, {"civilServiceNumber": "MLI-1", "facilityCode": "F1"}, errors=(reader_error,)),
    ]

    report = imported(ledger, ADMIN, rows)

    found = {(e.sheet, e.row): (e.column, e.value, e.code) for e in report.errors}
    assert found == {
        ("hireWorker", 4): ("cadreCode", "SURGEON", "NOT_FOUND"),
        ("hireWorker", 5): ("sex", "F", "BAD_USER_INPUT"),
        ("postWorker", 3): ("facilityCode", "F9", "NOT_FOUND"),
        ("postWorker", 4): ("civilServiceNumber", "MLI-404", "NOT_FOUND"),
        ("postWorker", 5): ("effectiveOn", "2021-02-30", "BAD_USER_INPUT"),
        ("postWorker", 6): ("workerId", None, "BAD_USER_INPUT"),
        ("postWorker", 9): ("effectiveOn", "31/02/2021", "BAD_USER_INPUT"),
    }
    assert (report.rows, report.recorded, report.refused) == (8, 1, 7)
    facility = next(e for e in report.errors if e.code == "NOT_FOUND" and e.column == "facilityCode")
    assert facility.params == {"code": "F9"} and facility.template is not None and "{code!r}" in facility.template


def test_a_refused_row_writes_nothing(ledger: Ledger) -> None:
    imported(ledger, ADMIN, [hire(3, "MLI-1"), post(3, "MLI-1", "F1")])
    before = position(ledger)

    report = imported(
        ledger, ADMIN, [post(3, "MLI-1", "F9"), Row("endLeave", 3, {"civilServiceNumber": "MLI-1", "effectiveOn": DAY})]
    )

    assert [e.code for e in report.errors] == ["NOT_FOUND", "NOT_ON_LEAVE"]
    assert position(ledger) == report.position_after == before


def test_a_dry_run_checks_later_rows_against_earlier_ones_and_writes_nothing(ledger: Ledger) -> None:
    before = position(ledger)
    rows = [hire(3, "MLI-1"), post(3, "MLI-1", "F1"), post(4, "MLI-1", "F9")]

    report = imported(ledger, ADMIN, rows, dry_run=True)

    assert (report.dry_run, report.recorded, report.refused) == (True, 2, 1)
    assert where(report) == [("postWorker", 4, "facilityCode", "NOT_FOUND")]
    assert position(ledger) == report.position_after == before
    # Nothing was recorded: the same rows for real record both.
    assert imported(ledger, ADMIN, rows[:2]).recorded == 2


def test_all_or_nothing_records_nothing_when_one_row_is_refused_and_everything_otherwise(ledger: Ledger) -> None:
    before = position(ledger)
    good = [hire(3, "MLI-1"), post(3, "MLI-1", "F1")]

    refused = imported(ledger, ADMIN, [*good, post(4, "MLI-1", "F9")], all_or_nothing=True)

    assert (refused.recorded, refused.refused) == (0, 1)
    assert position(ledger) == before
    accepted = imported(ledger, ADMIN, good, all_or_nothing=True)
    assert (accepted.recorded, accepted.refused) == (2, 0)
    assert position(ledger) > before


def test_duplicates_inside_one_file_and_a_number_already_taken_are_refused(ledger: Ledger) -> None:
    imported(ledger, ADMIN, [hire(3, "MLI-7", "Coulibaly")])
    rows = [
        hire(3, "MLI-1"),
        hire(4, "MLI-1"),  # the same person typed twice
        hire(5, "mli-7 ", "Sidibé"),  # a number already in the ledger (numbers compare without case or spaces)
    ]

    report = imported(ledger, ADMIN, rows)

    assert where(report) == [
        ("hireWorker", 4, "civilServiceNumber", "DUPLICATE_CIVIL_SERVICE_NUMBER"),
        ("hireWorker", 5, "civilServiceNumber", "DUPLICATE_CIVIL_SERVICE_NUMBER"),
    ]
    assert report.recorded == 1


def test_a_command_id_given_twice_is_recorded_once_and_refused_with_other_content(ledger: Ledger) -> None:
    rows = [
        hire(3, "MLI-1", commandId="district-7/1"),
        hire(4, "MLI-1", commandId="district-7/1"),  # the same command sent again
        hire(5, "MLI-2", commandId="district-7/1"),  # the same id for another command
    ]

    report = imported(ledger, ADMIN, rows)

    assert (report.recorded, report.already_recorded) == (1, 1)
    assert where(report) == [("hireWorker", 5, "commandId", "DUPLICATE_COMMAND_ID")]


def test_a_worker_named_by_id_and_another_number_is_refused(ledger: Ledger) -> None:
    imported(ledger, ADMIN, [hire(3, "MLI-1"), hire(4, "MLI-2")])
    worker_id = ledger_worker(ledger, "MLI-1")

    report = imported(
        ledger,
        ADMIN,
        [post(3, "MLI-2", "F1", workerId=str(worker_id)), post(4, "MLI-1", "F1", workerId=str(worker_id))],
    )

    assert [(e.row, e.code) for e in report.errors] == [(3, "BAD_USER_INPUT")]
    assert report.recorded == 1


def ledger_worker(ledger: Ledger, number: str) -> Any:
    registrations = ledger.staging().civil_service_numbers(number)
    return registrations[0].holder


def test_only_those_who_may_send_commands_import(ledger: Ledger) -> None:
    services: Any = type("Only", (), {"ledger": ledger})()
    with pytest.raises(Forbidden):
        asyncio.run(import_rows(services, User("audit", Role.AUDITOR), [hire(3, "MLI-1")]))
    assert asyncio.run(import_rows(services, ADMIN, [hire(3, "MLI-1")])).recorded == 1


def test_all_or_nothing_overtaken_by_another_writer_records_nothing_and_says_to_import_again(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = position(ledger)

    def overtaken(*_: object) -> list[int]:
        raise IntegrityError("another clerk wrote the same worker first")

    monkeypatch.setattr(held, "insert", overtaken)
    with pytest.raises(Conflict) as refused:
        imported(ledger, ADMIN, [hire(3, "MLI-1"), post(3, "MLI-1", "F1")], all_or_nothing=True)

    assert refused.value.code == "CONFLICT" and "Import the file again" in refused.value.message
    assert position(ledger) == before
