"""Parsing and validation, done once per distinct query text, with the limits every public endpoint needs.

Clients send the same few documents over and over (a clerk's form, the dashboard's panels), so
each query text is parsed and validated once and the result kept (a bounded LRU cache). The
depth and alias limits are validation rules built once, at import: rules built per request would
be new classes each time and a cache keyed on them would never hit.

A document that does not parse is not cached: this extension then leaves parsing to strawberry,
which reports the syntax error as an ordinary pre-execution error (so ``ErrorCodes`` gives it its
code). The token limit applies to both parses.
"""

import contextlib
from collections.abc import Iterator
from functools import lru_cache

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, specified_rules
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.schema import validate_document

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 2000
CACHED_DOCUMENTS = 512

RULES = (*specified_rules, depth_rule(MAX_DEPTH, None), aliases_rule(MAX_ALIASES))


@lru_cache(maxsize=CACHED_DOCUMENTS)
def parsed(query: str) -> DocumentNode:
    """The document for ``query``; raises ``GraphQLError`` (and caches nothing) when it does not parse."""
    return parse(query, max_tokens=MAX_TOKENS)


@lru_cache(maxsize=CACHED_DOCUMENTS)
def validated(schema: GraphQLSchema, query: str) -> tuple[GraphQLError, ...]:
    """The validation errors of ``query``'s document (which must parse) against ``schema``."""
    return tuple(validate_document(schema, parsed(query), RULES))


class Documents(SchemaExtension):
    """Parses and validates each distinct query text once; applies the depth, alias and token limits."""

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = MAX_TOKENS
        self.execution_context.validation_rules = RULES
        yield

    def on_parse(self) -> Iterator[None]:
        query = self.execution_context.query
        if query:
            # When it does not parse, strawberry parses it again and reports the error as it should.
            with contextlib.suppress(GraphQLError):
                self.execution_context.graphql_document = parsed(query)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if query and context.graphql_document is parsed(query):
            context.pre_execution_errors = list(validated(context.schema._schema, query))
        yield
