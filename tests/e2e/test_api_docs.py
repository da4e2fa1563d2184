"""docs/api.md's examples run as written against the demo data set, over HTTP, and cover every mutation;
refusals carry their parameters in ``extensions.params``; an enum value written inline is refused with the
same code as one sent in a variable."""

import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLObjectType, build_schema

from api.database import scratch_database
from api.graphql.schema import schema
from tests.e2e.api_support import HRH, Api, codes_of, errors_of, serving

pytestmark = pytest.mark.integration
DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
PLACEHOLDER = re.compile(r"<([A-Za-z][A-Za-z ]*)>")


@pytest.fixture(scope="module")
def api(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """``hrh serve`` on a small demo data set (scale 0.1)."""
    folder = tmp_path_factory.mktemp("api_docs")
    with scratch_database(server_url, f"hrh_docs_{uuid.uuid4().hex[:10]}") as url:
        env = {**os.environ, "DATABASE_URL": url}
        loaded = subprocess.run(
            [HRH, "demo", "--no-serve", "--scale", "0.1"], env=env, capture_output=True, text=True, timeout=900
        )
        assert loaded.returncode == 0, loaded.stderr[-3000:]
        with serving(url, folder / "serve.log") as live:
            yield live


ROLES = {"HR manager": "HR_MANAGER", "Auditor": "AUDITOR", "Planner": "PLANNER", "ADMIN": "ADMIN"}


def documents(markdown: str) -> list[tuple[str, str]]:
    """Every GraphQL document of the page's ```graphql blocks, in order (a block may hold several), with the
    role that the bold label before its block names (``**HR manager: ...**``)."""
    found: list[tuple[str, str]] = []
    role, block = "", None
    for line in markdown.splitlines():
        if line.startswith("**"):
            role = ROLES[re.split(r"[:(*]", line[2:])[0].strip()]
        elif line == "```graphql":
            block = []
        elif line.startswith("```") and block is not None:
            found.extend((role, document) for document in split(block))
            block = None
        elif block is not None:
            block.append(line)
    return found


def split(lines: list[str]) -> list[str]:
    """The documents of a block, each from a top-level ``{`` or ``mutation`` to its closing brace."""
    text, found, depth, start = "\n".join(lines), [], 0, 0
    for at, char in enumerate(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                found.append(text[start : at + 1].strip())
                start = at + 1
    assert not text[start:].strip(), f"text after the last document: {text[start:]!r}"
    return found


def filled(document: str, known: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        assert match.group(1) in known, f"{match.group(0)} comes before an example that gives it"
        return known[match.group(1)]

    return PLACEHOLDER.sub(value, document)


def mutations_of_the_schema() -> set[str]:
    mutation = build_schema(schema.as_str()).mutation_type
    assert isinstance(mutation, GraphQLObjectType)
    return set(mutation.fields)


def test_every_example_of_the_api_docs_runs_as_written_by_its_role_and_every_mutation_has_one(api: Api) -> None:
    # Each example is sent by the role its label names: the HR manager's scope is the Mopti region.
    tokens = {
        "ADMIN": api.admin_token,
        "HR_MANAGER": api.create_user("docs.mopti", "HR_MANAGER", "MOP"),
        "AUDITOR": api.create_user("docs.audit", "AUDITOR"),
        "PLANNER": api.create_user("docs.plan", "PLANNER"),
    }
    known: dict[str, str] = {}
    shown: set[str] = set()
    examples = documents(DOCS.read_text(encoding="utf-8"))
    assert {role for role, _ in examples} == set(tokens)
    for role, document in examples:
        answer = api.post(filled(document, known), token=tokens[role])
        assert not errors_of(answer), (document, errors_of(answer))
        data: dict[str, Any] = answer["data"]
        for field, result in data.items():
            if document.startswith("mutation"):
                shown.add(field)
            if isinstance(result, dict) and "position" in result:
                known[f"{field} position"] = str(result["position"])
        if "hireWorker" in data:
            known["id"] = data["hireWorker"]["worker"]["id"]
    assert shown == mutations_of_the_schema()


HIRE_INLINE = """mutation { hireWorker(input: {familyName: "Keïta", givenNames: "Awa", sex: %s, cadreCode: "SF",
  sector: PUBLIC, fundingSource: STATE, effectiveOn: "2020-01-06"}) { position } }"""
HIRE_VARIABLE = """mutation($sex: Sex!) { hireWorker(input: {familyName: "Keïta", givenNames: "Awa", sex: $sex,
  cadreCode: "SF", sector: PUBLIC, fundingSource: STATE, effectiveOn: "2020-01-06"}) { position } }"""
SERIES_INLINE = '{ densitySeries(orgUnitCode: "MOP", from: "2015-01-01", to: "2016-12-31", interval: %s) { period } }'
SERIES_VARIABLE = """query($interval: Interval!) {
  densitySeries(orgUnitCode: "MOP", from: "2015-01-01", to: "2016-12-31", interval: $interval) { period } }"""


@pytest.mark.parametrize(
    ("inline", "variable", "name"),
    [(HIRE_INLINE, HIRE_VARIABLE, "sex"), (SERIES_INLINE, SERIES_VARIABLE, "interval")],
)
def test_an_unknown_enum_value_inline_or_in_a_variable_is_bad_user_input(
    api: Api, inline: str, variable: str, name: str
) -> None:
    before = api.ledger_position()
    assert codes_of(api.post(inline % "X")) == ["BAD_USER_INPUT"]
    assert codes_of(api.post(variable, {name: "X"})) == ["BAD_USER_INPUT"]
    # A string where an enum value belongs, too.
    assert codes_of(api.post(inline % '"X"')) == ["BAD_USER_INPUT"]
    assert api.ledger_position() == before


TRANSFER = """mutation($input: TransferWorkerInput!) { transferWorker(input: $input) { position } }"""


def test_a_refusal_gives_its_parameters_with_dates_as_iso_strings_and_events_by_ledger_position(api: Api) -> None:
    worker_id = str(api.hire("Sangaré", on="2020-01-06", cadreCode="SF")["worker"]["id"])
    api.post_worker(worker_id, "MOP-HR", "2020-01-06")
    later = api.transfer(worker_id, "MOP-MOPTI-CSREF", "2020-03-02")

    def refusal(to: str, on: str) -> dict[str, Any]:
        answer = api.post(TRANSFER, {"input": {"workerId": worker_id, "toFacilityCode": to, "effectiveOn": on}})
        (error,) = errors_of(answer)
        return dict(error)

    # A transfer to where the worker is: the facilities and the date, as JSON.
    same = refusal("MOP-HR", "2020-02-03")
    assert same["extensions"] == {
        "code": "SAME_FACILITY",
        "params": {"event_on": "2020-02-03", "from_facility": "MOP-HR", "to_facility": "MOP-HR"},
    }
    # A back-dated transfer that would make the March one go nowhere names it by its ledger position.
    backdated = refusal("MOP-MOPTI-CSREF", "2020-02-03")
    assert backdated["extensions"]["code"] == "SAME_FACILITY"
    params = backdated["extensions"]["params"]
    assert params["position"] == later and params["event"] == "transfer" and params["event_on"] == "2020-03-02"
    assert backdated["message"].startswith(
        f"This would make the transfer of 2020-03-02 (ledger position {later}) invalid: "
    )
    # A refusal with nothing to name has no params.
    unknown = api.post('{ worker(id: "not-a-uuid") { id } }')
    assert codes_of(unknown) == ["BAD_USER_INPUT"] and "params" not in errors_of(unknown)[0]["extensions"]
