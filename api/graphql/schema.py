"""The schema: every feature's queries and mutations, composed, with the limits every public endpoint needs.

Each feature (``org_units``, ``workforce``, ``staffing``, ``establishment``, ``audit``, ``accounts``,
``batch``) holds its types, inputs, queries and mutations; the root types below only list them, in the contract's order.
"""

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from api.graphql.accounts.mutations import AccountMutations
from api.graphql.audit.queries import AuditQueries
from api.graphql.batch.mutations import BatchMutations
from api.graphql.documents import Documents
from api.graphql.errors import ErrorCodes, code_of
from api.graphql.establishment import EstablishmentMutations, EstablishmentQueries
from api.graphql.execution import LeafShortcut
from api.graphql.org_units.mutations import OrgUnitMutations
from api.graphql.org_units.queries import OrgUnitQueries
from api.graphql.staffing.queries import StaffingQueries
from api.graphql.workforce.mutations import WorkforceMutations
from api.graphql.workforce.queries import WorkforceQueries


@strawberry.type
class Query(OrgUnitQueries, WorkforceQueries, StaffingQueries, EstablishmentQueries, AuditQueries):
    """Every feature's queries."""


@strawberry.type
class Mutation(OrgUnitMutations, EstablishmentMutations, WorkforceMutations, AccountMutations, BatchMutations):
    """Every feature's mutations."""


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
