"""Parsed and validated documents are cached, and a cached path keeps every refusal and its code."""

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from api.access import Role, User
from api.graphql import documents
from api.graphql.schema import schema

THRESHOLDS = "query { thresholds { name perTenThousand } }"


def execute(query: str) -> Any:
    context = SimpleNamespace(user=User("planner", Role.PLANNER))
    return asyncio.run(schema.execute(query, context_value=context))


def codes(query: str) -> list[str]:
    result = execute(query)
    assert result.data is None
    return [error.extensions["code"] for error in result.errors]


def nested(depth: int) -> str:
    return 'query { orgUnit(code: "ML") { ' + "children { " * (depth - 1) + "code" + " }" * (depth - 1) + " } }"


REFUSED = {
    "syntax error": "query { thresholds { name }",
    "unknown field": "query { salaries { amount } }",
    "too deep": nested(30),
    "too many aliases": "query { " + " ".join(f"a{n}: thresholds {{ name }}" for n in range(40)) + " }",
    "too many tokens": "query { " + " ".join(f"a{n}: __typename" for n in range(1000)) + " }",
}


@pytest.mark.parametrize("query", REFUSED.values(), ids=REFUSED.keys())
def test_a_refused_document_keeps_its_code_every_time(query: str) -> None:
    for _ in range(3):
        assert codes(query) == ["GRAPHQL_VALIDATION_FAILED"]


def test_a_repeated_document_is_parsed_and_validated_once() -> None:
    query = THRESHOLDS + " "  # a text no other test sends
    first = execute(query)
    parses, validations = documents.parsed.cache_info(), documents.validated.cache_info()
    second = execute(query)
    assert first.errors is None and second.errors is None
    assert first.data == second.data and first.data["thresholds"]
    assert documents.parsed.cache_info().misses == parses.misses
    assert documents.validated.cache_info().misses == validations.misses
    assert documents.validated.cache_info().hits > validations.hits


def test_a_few_aliases_are_answered() -> None:
    few = "query { " + " ".join(f"a{n}: thresholds {{ name }}" for n in range(10)) + " }"
    result = execute(few)
    assert result.errors is None and len(result.data) == 10
