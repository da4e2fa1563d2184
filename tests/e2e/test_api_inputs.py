"""Bad input over HTTP against a live ``hrh serve``: every refusal carries a stable, documented ``extensions.code``,
a message, no stack trace or SQL, and writes nothing; and the served schema still offers the whole contract.
"""

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from api.graphql.paging import encode_cursor
from tests.e2e.api_support import (
    END_LEAVE,
    HIRE,
    POST,
    RECORD_POPULATION,
    RETRACT,
    TRANSFER,
    Api,
    codes_of,
    errors_of,
    hrh,
    live_server,
)

pytestmark = pytest.mark.integration
# The shared contract and its checker, beside the checkout; a copy in tests/contract/ serves a
# checkout that stands alone (CI), and must not drift from them.
SHARED = Path(__file__).resolve().parents[3] / "shared"
COPY = Path(__file__).resolve().parents[1] / "contract"


def contract_files() -> tuple[Path, Path]:
    """The checker and the contract: the shared ones when present, else the copies."""
    if (SHARED / "tools" / "check_contract.py").is_file():
        return SHARED / "tools" / "check_contract.py", SHARED / "contract.graphql"
    return COPY / "check_contract.py", COPY / "contract.graphql"


WORKER_ID = "<worker>"  # replaced by the subject worker's id


@pytest.fixture(scope="module")
def api(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with live_server(server_url, tmp_path_factory.mktemp("api_inputs")) as live:
        yield live


@pytest.fixture(scope="module")
def subject(api: Api) -> str:
    """A worker posted at F-111 since 2016, whom the bad commands name."""
    worker_id = str(api.hire("Subject", on="2016-01-04")["worker"]["id"])
    api.post_worker(worker_id, "F-111", "2016-02-01")
    return worker_id


def hire(**changes: Any) -> dict[str, Any]:
    fields = {
        "familyName": "Konate",
        "givenNames": "Aminata",
        "sex": "FEMALE",
        "cadreCode": "NURSE-RN",
        "sector": "PUBLIC",
        "fundingSource": "STATE",
        "effectiveOn": "2017-01-02",
    }
    return {"input": fields | changes}


def hire_literal(**changes: str) -> str:
    """hireWorker with its input written inline (GraphQL literals, not variables)."""
    fields = {
        "familyName": '"Konate"',
        "givenNames": '"Aminata"',
        "sex": "FEMALE",
        "cadreCode": '"NURSE-RN"',
        "sector": "PUBLIC",
        "fundingSource": "STATE",
        "effectiveOn": '"2017-01-02"',
    } | changes
    inline = ", ".join(f"{k}: {v}" for k, v in fields.items())
    return f"mutation {{ hireWorker(input: {{{inline}}}) {{ position worker {{ id }} }} }}"


def transfer(to: str = "F-112", on: str = "2018-01-08", worker: str = WORKER_ID) -> dict[str, Any]:
    return {"input": {"workerId": worker, "toFacilityCode": to, "effectiveOn": on}}


def population(**changes: Any) -> dict[str, Any]:
    return {"input": {"orgUnitCode": "ML-D11", "year": 2020, "population": 12_000} | changes}


def nested(depth: int) -> str:
    """orgUnit(ML) { children { children { ... code } } }, ``depth`` levels deep."""
    return 'query { orgUnit(code: "ML") { ' + "children { " * (depth - 1) + "code" + " }" * (depth - 1) + " } }"


def aliases(count: int) -> str:
    return "query { " + " ".join(f"a{i}: thresholds {{ name }}" for i in range(count)) + " }"


@dataclass(frozen=True)
class Case:
    query: str
    variables: dict[str, Any] | None
    codes: frozenset[str]  # the documented codes that may answer; the server must always give the same one


def case(query: str, variables: dict[str, Any] | None, *codes: str) -> Case:
    return Case(query, variables, frozenset(codes))


TYPE_ERROR = ("BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED")
CASES = {
    # Wrong types, written as literals.
    "string-for-int": case(
        'mutation { recordPopulation(input: {orgUnitCode: "ML-D11", year: "twenty", population: 5}) { position } }',
        None,
        *TYPE_ERROR,
    ),
    "float-for-int": case(
        'mutation { recordPopulation(input: {orgUnitCode: "ML-D11", year: 2020.5, population: 5}) { position } }',
        None,
        *TYPE_ERROR,
    ),
    "int-beyond-32-bits": case(
        'mutation { recordPopulation(input: {orgUnitCode: "ML-D11", year: 2020, population: 99999999999}) '
        "{ position } }",
        None,
        *TYPE_ERROR,
    ),
    "string-for-int-argument": case('query { caughtUp(position: "ten") }', None, *TYPE_ERROR),
    "object-for-string": case(hire_literal(familyName="{a: 1}"), None, *TYPE_ERROR),
    "missing-required-field": case('mutation { hireWorker(input: {familyName: "x"}) { position } }', None, *TYPE_ERROR),
    "bad-enum-value": case(hire_literal(sex="UNKNOWN"), None, *TYPE_ERROR),
    "enum-as-string": case(hire_literal(sex='"FEMALE"'), None, *TYPE_ERROR),
    "impossible-date": case(hire_literal(effectiveOn='"2017-02-30"'), None, "BAD_USER_INPUT"),
    "not-a-date": case(hire_literal(effectiveOn='"last tuesday"'), None, "BAD_USER_INPUT"),
    "not-a-datetime": case(
        'query { staffing(orgUnitCode: "ML", knownAt: "yesterday") { headcount } }', None, *TYPE_ERROR
    ),
    # Well-typed values the domain refuses.
    "unknown-facility": case(TRANSFER, transfer(to="F-404"), "NOT_FOUND"),
    "unknown-facility-posting": case(
        POST, {"input": {"workerId": WORKER_ID, "facilityCode": "F-404", "effectiveOn": "2018-01-08"}}, "NOT_FOUND"
    ),
    "not-a-facility": case(TRANSFER, transfer(to="ML-D12"), "NOT_A_FACILITY"),
    "unknown-worker": case(TRANSFER, transfer(worker="00000000-0000-4000-8000-000000000000"), "NOT_FOUND"),
    "malformed-worker-id": case(TRANSFER, transfer(worker="worker-1"), "BAD_USER_INPUT"),
    "unknown-cadre": case(HIRE, hire(cadreCode="SURGEON"), "NOT_FOUND"),
    "far-future-date": case(HIRE, hire(effectiveOn="2999-01-01"), "DATE_IN_FUTURE"),
    "far-future-transfer": case(TRANSFER, transfer(on="2999-01-01"), "DATE_IN_FUTURE"),
    "date-before-1900": case(HIRE, hire(effectiveOn="1850-01-01"), "BAD_USER_INPUT"),
    "birth-after-hire": case(HIRE, hire(birthDate="2018-01-01"), "DATE_OUT_OF_ORDER"),
    "negative-population": case(RECORD_POPULATION, population(population=-5), "BAD_USER_INPUT"),
    "population-year-out-of-range": case(RECORD_POPULATION, population(year=3000), "BAD_USER_INPUT"),
    "oversized-family-name": case(HIRE, hire(familyName="N" * 10_000), "BAD_USER_INPUT"),
    "blank-family-name": case(HIRE, hire(familyName="   "), "BAD_USER_INPUT"),
    "oversized-note": case(HIRE, hire(note="n" * 5_000), "BAD_USER_INPUT"),
    "oversized-command-id": case(HIRE, hire(commandId="c" * 1_000), "BAD_USER_INPUT"),
    "malformed-civil-service-number": case(HIRE, hire(civilServiceNumber="no spaces allowed"), "BAD_USER_INPUT"),
    "malformed-org-unit-code": case(
        "mutation($i: OpenOrgUnitInput!) { openOrgUnit(input: $i) { position } }",
        {
            "i": {
                "code": "bad code!",
                "name": "X",
                "level": "FACILITY",
                "parentCode": "ML-D11",
                "openedOn": "2016-01-04",
            }
        },
        "BAD_USER_INPUT",
    ),
    "duplicate-org-unit-code": case(
        "mutation($i: OpenOrgUnitInput!) { openOrgUnit(input: $i) { position } }",
        {
            "i": {
                "code": "F-111",
                "name": "Again",
                "level": "FACILITY",
                "parentCode": "ML-D11",
                "openedOn": "2016-01-04",
            }
        },
        "DUPLICATE_CODE",
    ),
    "same-facility-transfer": case(TRANSFER, transfer(to="F-111"), "SAME_FACILITY"),
    "posting-a-posted-worker": case(
        POST,
        {"input": {"workerId": WORKER_ID, "facilityCode": "F-112", "effectiveOn": "2018-01-08"}},
        "WORKER_ALREADY_POSTED",
    ),
    "transfer-before-hire": case(TRANSFER, transfer(on="2015-06-01"), "WORKER_NOT_POSTED", "WORKER_NOT_HIRED"),
    "leave-end-without-leave": case(
        END_LEAVE, {"input": {"workerId": WORKER_ID, "effectiveOn": "2018-01-08"}}, "NOT_ON_LEAVE"
    ),
    "retract-unknown-position": case(
        RETRACT, {"input": {"workerId": WORKER_ID, "position": 10**6, "reason": "x"}}, "NOT_FOUND"
    ),
    "retract-negative-position": case(
        RETRACT, {"input": {"workerId": WORKER_ID, "position": -1, "reason": "x"}}, "BAD_USER_INPUT"
    ),
    # Reads.
    "unknown-org-unit-staffing": case('query { staffing(orgUnitCode: "XX") { headcount } }', None, "NOT_FOUND"),
    "series-backwards": case(
        'query { densitySeries(orgUnitCode: "ML", from: "2020-01-01", to: "2019-01-01", interval: YEAR) { period } }',
        None,
        "BAD_USER_INPUT",
    ),
    "unknown-org-unit-series": case(
        'query { densitySeries(orgUnitCode: "XX", from: "2019-01-01", to: "2020-01-01", interval: YEAR) { period } }',
        None,
        "NOT_FOUND",
    ),
    "unknown-org-unit-series-backwards": case(
        'query { densitySeries(orgUnitCode: "XX", from: "2020-01-01", to: "2019-01-01", interval: YEAR) { period } }',
        None,
        "NOT_FOUND",
    ),
    "series-too-long": case(
        'query { densitySeries(orgUnitCode: "ML", from: "1900-01-01", to: "2020-01-01", interval: MONTH) { period } }',
        None,
        "BAD_USER_INPUT",
    ),
    "series-ending-in-9999": case(
        'query { densitySeries(orgUnitCode: "ML", from: "9990-01-01", to: "9999-12-31", interval: YEAR) { period } }',
        None,
        "BAD_USER_INPUT",
    ),
    "monthly-series-ending-in-9999": case(
        'query { densitySeries(orgUnitCode: "ML", from: "9999-01-01", to: "9999-06-30", interval: MONTH) { period } }',
        None,
        "BAD_USER_INPUT",
    ),
    "datetime-before-year-1-in-utc": case(
        'query { auditTrail(from: "0001-01-01T00:00:00+14:00") { edges { cursor } } }', None, "BAD_USER_INPUT"
    ),
    "datetime-after-9999-in-utc": case(
        'query { staffing(orgUnitCode: "ML", knownAt: "9999-12-31T23:59:59-14:00") { headcount } }',
        None,
        "BAD_USER_INPUT",
    ),
    "page-size-zero": case("query { auditTrail(first: 0) { edges { cursor } } }", None, "BAD_USER_INPUT"),
    "page-size-huge": case("query { workers(first: 100000) { totalCount } }", None, "BAD_USER_INPUT"),
    "forged-cursor": case(
        'query { auditTrail(after: "bm90LWEtbnVtYmVy") { edges { cursor } } }', None, "BAD_USER_INPUT"
    ),
    "cursor-holding-a-huge-number": case(
        f'query {{ auditTrail(after: "{encode_cursor(str(10**30))}") {{ edges {{ cursor }} }} }}',
        None,
        "BAD_USER_INPUT",
    ),
    "cursor-holding-a-negative-number": case(
        f'query {{ auditTrail(after: "{encode_cursor("-1")}") {{ edges {{ cursor }} }} }}', None, "BAD_USER_INPUT"
    ),
    "garbage-cursor": case('query { workers(after: "%%%") { totalCount } }', None, "BAD_USER_INPUT"),
    "caught-up-timeout-too-long": case("query { caughtUp(position: 1, timeoutMs: 3600000) }", None, "BAD_USER_INPUT"),
    # The same mistakes sent as variables (they once came back as INTERNAL_SERVER_ERROR).
    "variable-string-for-int": case(
        "mutation($input: RecordPopulationInput!) { recordPopulation(input: $input) { position } }",
        {"input": {"orgUnitCode": "ML", "year": "twenty", "population": 5}},
        "BAD_USER_INPUT",
    ),
    "variable-impossible-date": case(
        'query($d: Date) { staffing(orgUnitCode: "ML", asOf: $d) { headcount } }',
        {"d": "2017-02-30"},
        "BAD_USER_INPUT",
    ),
    "variable-bad-enum": case(
        "mutation($input: HireWorkerInput!) { hireWorker(input: $input) { position } }",
        hire(sex="X"),
        "BAD_USER_INPUT",
    ),
    # A NUL character once poisoned the read tables: it is refused before anything is written.
    "nul-in-a-name": case(
        "mutation($input: HireWorkerInput!) { hireWorker(input: $input) { position } }",
        hire(familyName="a\u0000b"),
        "BAD_USER_INPUT",
    ),
    "nul-in-a-query-argument": case(
        "query($code: String!) { orgUnit(code: $code) { code } }", {"code": "A\u0000"}, "BAD_USER_INPUT"
    ),
    # Query shapes.
    "unknown-field": case("query { salaries { amount } }", None, "GRAPHQL_VALIDATION_FAILED"),
    "syntax-error": case("query { cadres { code }", None, "GRAPHQL_VALIDATION_FAILED"),
    "30-deep": case(nested(30), None, "GRAPHQL_VALIDATION_FAILED"),
    "1000-aliases": case(aliases(1000), None, "GRAPHQL_VALIDATION_FAILED"),
    "40-aliases": case(aliases(40), None, "GRAPHQL_VALIDATION_FAILED"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_refused_with_a_stable_code_and_writes_nothing(api: Api, subject: str, name: str) -> None:
    bad = CASES[name]
    variables = fill(bad.variables, subject)
    position = api.ledger_position()
    seen = set()
    for _ in range(2):  # the same request, the same code
        body = api.post(bad.query, variables)  # checks: no 5xx, no traceback or SQL, a code on every error
        assert errors_of(body), body
        assert all(e["message"] for e in errors_of(body)), body
        assert not body.get("data") or all(v is None for v in body["data"].values()), body
        seen.update(codes_of(body))
    assert len(seen) == 1 and seen <= bad.codes, (name, seen)
    assert api.ledger_position() == position
    assert api.health()["projection_lag"] == 0


def fill(value: Any, worker_id: str) -> Any:
    if isinstance(value, dict):
        return {k: fill(v, worker_id) for k, v in value.items()}
    return worker_id if value == WORKER_ID else value


def test_a_good_request_still_works_after_the_bad_ones(api: Api, subject: str) -> None:
    # The shallow and the few-alias versions of the refused shapes are answered.
    assert "children" in str(api.data(nested(10)))
    regions = api.data('query { orgUnit(code: "ML") { children { code children { code } } } }')["orgUnit"]["children"]
    assert {r["code"] for r in regions} == {"ML-R1", "ML-R2"}
    assert {d["code"] for r in regions for d in r["children"]} == {"ML-D11", "ML-D12", "ML-D21"}
    assert len(api.data(aliases(10))) == 10
    moved = api.data(TRANSFER, transfer(to="F-112", on="2018-01-08", worker=subject))["transferWorker"]
    api.caught_up(moved["position"])
    assert api.worker(subject)["facility"] == {"code": "F-112"}


def test_the_served_schema_offers_the_whole_contract() -> None:
    schema = hrh("schema")
    assert schema.returncode == 0, schema.stderr
    assert "type Query" in schema.stdout
    checker, contract = contract_files()
    checked = subprocess.run(
        [sys.executable, str(checker), "-", str(contract)],
        input=schema.stdout,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 gaps" in checked.stdout


def test_the_copied_contract_matches_the_shared_one() -> None:
    checker, contract = contract_files()
    assert (COPY / "contract.graphql").read_text() == contract.read_text()
    assert (COPY / "check_contract.py").read_text() == checker.read_text()
