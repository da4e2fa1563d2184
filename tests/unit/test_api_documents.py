"""Parsed and validated documents are cached within a byte budget, and a cached path keeps every refusal and its
code."""

import asyncio
import tracemalloc
from types import SimpleNamespace
from typing import Any

import pytest
from graphql import parse

from api.access import Role, User
from api.graphql import documents
from api.graphql.documents import DocumentCache, checked
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


def test_a_repeated_document_is_parsed_and_validated_once(monkeypatch: pytest.MonkeyPatch) -> None:
    query = THRESHOLDS + " "  # a text no other test sends
    first = execute(query)
    kept = documents.cache.get(schema._schema, query)
    assert kept is not None
    monkeypatch.setattr(documents, "parse", fail)
    monkeypatch.setattr(documents, "validate_document", fail)
    second = execute(query)
    assert first.errors is None and second.errors is None
    assert first.data == second.data and first.data["thresholds"]
    assert documents.cache.get(schema._schema, query) is kept


def fail(*_: Any, **__: Any) -> Any:
    raise AssertionError("parsed or validated again")


def large(n: int) -> str:
    """A distinct query of about 900 tokens (the token limit is 2,000)."""
    return "query { " + " ".join(f"a{n}x{i}: __typename" for i in range(300)) + " }"


def test_many_distinct_large_documents_stay_within_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = DocumentCache(budget=12 * 2**20)  # room for about 20 of them
    monkeypatch.setattr(documents, "cache", cache)
    for n in range(30):
        assert codes(large(n)) == ["GRAPHQL_VALIDATION_FAILED"]  # too many aliases
        assert cache.size <= cache.budget
    assert 0 < len(cache) < 30
    assert cache.get(schema._schema, large(29)) is not None  # the latest are kept
    assert cache.get(schema._schema, large(0)) is None  # the oldest went first


def test_the_budget_bounds_the_memory_the_cache_really_holds() -> None:
    cache = DocumentCache(budget=12 * 2**20)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(30):
            query = large(n)
            cache.keep(schema._schema, query, checked(schema._schema, query, parse(query)))
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert 10 < len(cache) < 30 and cache.size <= cache.budget
    assert held <= cache.budget, f"the cache holds {held:,} bytes for a budget of {cache.budget:,}"


def test_a_document_too_large_for_its_share_of_the_budget_is_not_kept() -> None:
    cache = DocumentCache(budget=4 * 2**20)
    query = large(0)
    entry = checked(schema._schema, query, parse(query))
    assert entry.size > cache.budget // 16
    cache.keep(schema._schema, query, entry)
    assert len(cache) == 0


def test_a_few_aliases_are_answered() -> None:
    few = "query { " + " ".join(f"a{n}: thresholds {{ name }}" for n in range(10)) + " }"
    result = execute(few)
    assert result.errors is None and len(result.data) == 10
