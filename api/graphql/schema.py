"""The schema: queries and mutations with the limits every public endpoint needs."""

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from api.graphql.chain import ChainQuery
from api.graphql.documents import Documents
from api.graphql.errors import ErrorCodes, code_of
from api.graphql.execution import LeafShortcut
from api.graphql.mutations import Mutation
from api.graphql.queries import Query as FeatureQuery


@strawberry.type
class Query(FeatureQuery, ChainQuery):
    """Every query: the features', and the chain head."""


class Schema(strawberry.Schema):
    """Logs only the errors nobody expected; refusals are answers, not incidents."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        unexpected = [e for e in errors if code_of(e) == "INTERNAL_SERVER_ERROR"]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def make_schema(*, leaf_shortcut: bool = True) -> strawberry.Schema:
    """The schema; without ``leaf_shortcut``, graphql-core completes every field itself (tests compare)."""
    return Schema(
        query=Query,
        mutation=Mutation,
        extensions=[ErrorCodes, Documents],
        execution_context_class=LeafShortcut if leaf_shortcut else None,
    )


schema = make_schema()
