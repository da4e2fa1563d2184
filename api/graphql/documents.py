"""Parsing and validation, done once per distinct query text, with the limits every public endpoint needs.

Clients send the same few documents over and over (a clerk's form, the dashboard's panels), so
each query text is parsed and validated once and the result kept. The depth and alias limits are
validation rules built once, at import: rules built per request would be new classes each time
and a cache keyed on them would never hit.

The cache is bounded by the memory its entries hold, not by their number: a few hundred distinct
large documents must not fill a worker. What an entry holds is estimated from its query text and
its tokens (each token, with the syntax tree around it, costs graphql-core about 400 to 600 bytes); an
entry larger than a sixteenth of the budget is not kept at all. The HTTP endpoint refuses query
texts over ``HRH_MAX_QUERY_CHARS`` before they get here, and the token limit applies to every parse.

A document that does not parse is not cached: this extension then leaves parsing to strawberry,
which reports the syntax error as an ordinary pre-execution error (so ``ErrorCodes`` gives it its
code).
"""

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from cachetools import LRUCache
from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, specified_rules
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.schema import validate_document

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 2000
CACHE_BUDGET_BYTES = 32 * 2**20
# Measured with tracemalloc on graphql-core 3.3 (tests/unit/test_api_documents.py checks the sum).
ENTRY_BYTES = 2000  # the entry itself, its key and the cache's bookkeeping
TOKEN_BYTES = 600  # a token and its share of the syntax tree
ERROR_BYTES = 1000  # a validation error: its message, locations and nodes

RULES = (*specified_rules, depth_rule(MAX_DEPTH, None), aliases_rule(MAX_ALIASES))


@dataclass(frozen=True)
class Checked:
    """A parsed document and its validation errors against one schema."""

    document: DocumentNode
    errors: tuple[GraphQLError, ...]
    size: int


def tokens_of(document: DocumentNode) -> int:
    """How many tokens (comments included) the lexer kept for ``document``."""
    count, token = 0, document.loc.start_token if document.loc else None
    while token is not None:
        count, token = count + 1, token.next
    return count


def checked(schema: GraphQLSchema, query: str, document: DocumentNode) -> Checked:
    """``document`` (parsed from ``query``) validated against ``schema``, with the memory it holds."""
    errors = tuple(validate_document(schema, document, RULES))
    size = ENTRY_BYTES + 2 * len(query) + TOKEN_BYTES * tokens_of(document) + ERROR_BYTES * len(errors)
    return Checked(document, errors, size)


class DocumentCache:
    """Checked documents by schema and query text, least recently used first out, within a byte budget."""

    def __init__(self, budget: int = CACHE_BUDGET_BYTES) -> None:
        self.budget = budget
        self.entries: LRUCache[tuple[GraphQLSchema, str], Checked] = LRUCache(
            maxsize=budget, getsizeof=lambda entry: entry.size
        )

    def get(self, schema: GraphQLSchema, query: str) -> Checked | None:
        return self.entries.get((schema, query))

    def keep(self, schema: GraphQLSchema, query: str, entry: Checked) -> None:
        """Keeps ``entry`` unless it alone would take more than a sixteenth of the budget."""
        if entry.size <= self.budget // 16:
            self.entries[(schema, query)] = entry

    @property
    def size(self) -> int:
        """The estimated bytes the entries hold."""
        return int(self.entries.currsize)

    def __len__(self) -> int:
        return len(self.entries)


cache = DocumentCache()


class Documents(SchemaExtension):
    """Parses and validates each distinct query text once; applies the depth, alias and token limits."""

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = MAX_TOKENS
        self.execution_context.validation_rules = RULES
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query:
            found = cache.get(context.schema._schema, context.query)
            if found is not None:
                context.graphql_document = found.document
            else:
                # When it does not parse, strawberry parses it again and reports the error as it should.
                with contextlib.suppress(GraphQLError):
                    context.graphql_document = parse(context.query, max_tokens=MAX_TOKENS)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        query, document, schema = context.query, context.graphql_document, context.schema._schema
        if query and document is not None:
            found = cache.get(schema, query)
            if found is None or found.document is not document:
                found = checked(schema, query, document)
                cache.keep(schema, query, found)
            context.pre_execution_errors = list(found.errors)
        yield
