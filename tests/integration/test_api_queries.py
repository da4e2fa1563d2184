"""The GraphQL layer over real read tables: DataLoaders keep the SQL per request constant."""

import asyncio
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import asyncpg
import pytest

from api.access import Role, User
from api.graphql import payloads
from api.graphql.context import Context, Services, loaders
from api.graphql.schema import make_schema, schema
from api.projecting import Projected
from api.tokens import Caller
from domain import commands as c
from domain.ledger import Ledger
from domain.values import Sex
from tests.integration.projection_support import catch_up, fresh_ledger, target_of
from tests.integration.test_projections import Recorder, hire_command, org_tree

pytestmark = pytest.mark.integration

QUERY = "query($n: Int) { workers(first: $n) { edges { node { facility { code } history { kind } } } } }"


@pytest.fixture(scope="module")
def ledger(database_url: str) -> Iterator[Ledger]:
    with fresh_ledger(database_url) as made:
        record = Recorder(made)
        org_tree(record)
        for n in range(60):
            day = date(2021, 1, 4) + timedelta(days=n)
            assert record(hire_command(day, "NURSE", Sex.FEMALE))
            worker_id = record.workers[-1]
            assert record(c.PostWorker(worker_id=worker_id, facility_code="F1" if n % 2 else "F4", effective_on=day))
            if n % 3 == 0:
                assert record(
                    c.TransferWorker(worker_id=worker_id, to_facility_code="F2", effective_on=day + timedelta(days=9))
                )
        catch_up(database_url, made)
        yield made


def run_query(
    url: str, ledger: Ledger, user: User | None, query: str, variables: dict[str, Any], on: Any = schema
) -> tuple[Any, int]:
    """Executes ``query`` as ``user`` on the schema ``on``; returns the result and how many SQL statements it took."""
    statements: list[str] = []

    async def main() -> Any:
        def count(connection: asyncpg.Connection) -> None:
            connection.add_query_logger(lambda record: statements.append(record.query))

        pool = await asyncpg.create_pool(url, min_size=1, max_size=4, setup=None, init=_init(count))
        try:
            schema_name = target_of(ledger).schema
            projected = Projected(url, schema_name)
            services = Services(pool=pool, ledger=ledger, schema=schema_name, admin_token=None, projected=projected)
            context = Context(services=services, caller=Caller(user), loaders=loaders(pool, schema_name))
            return await on.execute(query, variable_values=variables, context_value=context)
        finally:
            await pool.close()

    result = asyncio.run(main())
    return result, len(statements)


def _init(count: Any) -> Any:
    async def init(connection: asyncpg.Connection) -> None:
        count(connection)

    return init


AUDITOR = User("auditor", Role.AUDITOR)


def test_workers_with_facilities_and_histories_take_a_constant_number_of_statements(
    database_url: str, ledger: Ledger
) -> None:
    fifty, statements_for_fifty = run_query(database_url, ledger, AUDITOR, QUERY, {"n": 50})
    assert fifty.errors is None, fifty.errors
    edges = fifty.data["workers"]["edges"]
    assert len(edges) == 50
    assert all(edge["node"]["history"][0]["kind"] == "HIRED" for edge in edges)
    assert {edge["node"]["facility"]["code"] for edge in edges} <= {"F1", "F2", "F4"}
    five, statements_for_five = run_query(database_url, ledger, AUDITOR, QUERY, {"n": 5})
    assert five.errors is None
    assert statements_for_fifty == statements_for_five <= 12


def test_planners_never_see_names(database_url: str, ledger: Ledger) -> None:
    planner = User("planner", Role.PLANNER)
    result, _ = run_query(database_url, ledger, planner, "{ workers(first: 1) { totalCount } }", {})
    assert result.errors is not None
    assert result.errors[0].extensions["code"] == "FORBIDDEN"
    result, _ = run_query(
        database_url, ledger, planner, '{ staffing(orgUnitCode: "ML", asOf: "2021-06-30") { headcount } }', {}
    )
    assert result.errors is None and result.data["staffing"]["headcount"] == 60


def test_no_token_is_unauthenticated(database_url: str, ledger: Ledger) -> None:
    result, _ = run_query(database_url, ledger, None, "{ cadres { code } }", {})
    assert result.errors is not None and result.errors[0].extensions["code"] == "UNAUTHENTICATED"


# Plain values of every kind (ints, floats, nulls, enums, dates, ids, strings), lists of them, a
# resolver's error among them, and values that are null on some rows.
EVERYTHING = """
query($n: Int) {
  workers(first: $n) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
    id sex sector fundingSource status civilServiceNumber familyName birthDate
    cadre { code name isco08 group qualified } facility { code level sector facilityKind hardToReach openedOn closedOn }
    history { kind effectiveOn recordedBy authority reason retracted backdated position fromFacility { code } }
    trainings { course kind startedOn endedOn }
  } } }
  staffing(orgUnitCode: "ML", asOf: "2021-06-30") {
    asOf knownAt headcount onLeave active qualifiedActive population density qualifiedDensity
    byCadreGroup { key count } bySex { key count } children { orgUnit { code name } headcount bySector { key count } }
  }
  densitySeries(orgUnitCode: "R1", from: "2020-01-01", to: "2021-12-31", interval: QUARTER) {
    period endOn active qualifiedActive population density qualifiedDensity entries exits
  }
  auditTrail(first: 30) { edges { cursor node { position aggregateId kind effectiveOn recordedBy backdated } } }
  thresholds { name perTenThousand }
}"""


PLANNING = EVERYTHING[EVERYTHING.index("  staffing(") : EVERYTHING.index("  auditTrail(")]
PLANNER = User("planner", Role.PLANNER)


@pytest.mark.parametrize(
    ("user", "query", "refused"),
    [(AUDITOR, EVERYTHING, False), (PLANNER, EVERYTHING, True), (PLANNER, "{\n" + PLANNING + "}", False)],
    ids=["auditor", "planner-refused", "planner"],
)
def test_the_leaf_shortcut_answers_exactly_as_graphql_core_does(
    database_url: str, ledger: Ledger, user: User, query: str, refused: bool
) -> None:
    plain = make_schema(leaf_shortcut=False)
    variables = {"n": 40} if "$n" in query else {}
    fast, _ = run_query(database_url, ledger, user, query, variables)
    slow, _ = run_query(database_url, ledger, user, query, variables, on=plain)
    assert fast.data == slow.data
    assert [(e.message, e.path, e.extensions) for e in fast.errors or []] == [
        (e.message, e.path, e.extensions) for e in slow.errors or []
    ]
    if refused:
        assert fast.errors and fast.errors[0].extensions["code"] == "FORBIDDEN"
    else:
        assert fast.errors is None and fast.data["staffing"]["headcount"] == 60
        assert len(fast.data["densitySeries"]) == 8


def test_a_mutation_whose_read_tables_do_not_catch_up_says_so(
    database_url: str, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No runner here: the command is recorded, and the answer says so, with a warning that the read tables lag."""
    monkeypatch.setattr(payloads, "READ_YOUR_WRITES_SECONDS", 0.3)
    listed, _ = run_query(database_url, ledger, AUDITOR, "{ workers(first: 1) { edges { node { id } } } }", {})
    worker_id = listed.data["workers"]["edges"][0]["node"]["id"]
    training = 'mutation($id: ID!) { recordTraining(input: {workerId: $id, course: "PCIME", startedOn: "2021-06-01"}) '
    before = ledger.recorder.max_notification_id()
    result, _ = run_query(
        database_url,
        ledger,
        User("admin", Role.ADMIN),
        training + "{ position caughtUp warning worker { id } } }",
        {"id": worker_id},
    )
    assert result.errors is None, result.errors
    answer = result.data["recordTraining"]
    assert answer["position"] == ledger.recorder.max_notification_id() > before
    assert answer["caughtUp"] is False and f"position {answer['position']}" in answer["warning"]
    assert answer["worker"] == {"id": worker_id}
