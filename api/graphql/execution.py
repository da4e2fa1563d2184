"""Execution with a short path for plain leaf fields.

Most of a planner's answer is plain values: a 120-point density series is 1,080 of them, a
region's staffing with its districts several hundred. graphql-core completes each one the long
way (resolve info, middleware, awaitable checks, completion), which cost more than the query
itself. A field with no resolver of its own, no arguments, and a scalar or enum type is just an
attribute of its parent, serialized; this executor does that directly. Anything else, and any
value that is null or does not serialize, goes the usual way, so errors stay exactly as they were.
"""

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLFieldResolver,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


def leaf_type(field_def: GraphQLField) -> GraphQLOutputType:
    """The field's type, non-null or not."""
    type_ = field_def.type
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_


def serialized_leaf(type_: GraphQLScalarType | GraphQLEnumType, value: Any) -> Any:
    """``value`` serialized as ``type_``; ``Undefined`` when it is null or does not serialize (the usual path
    then reports it as it should)."""
    if value is None:
        return Undefined
    try:
        serialized = type_.coerce_output_value(value)
    except Exception:  # the usual path reports it as a field error
        return Undefined
    return Undefined if serialized is None else serialized


class LeafShortcut(StrawberryGraphQLCoreExecutionContext):
    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        field_def = self.schema.get_field(parent_type, node.name.value)
        resolve = field_def.resolve if field_def is not None else None
        if resolve is not None and field_def is not None and not node.arguments and self.plain(resolve):
            type_ = leaf_type(field_def)
            if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
                serialized = serialized_leaf(type_, resolve(source, None))
                if serialized is not Undefined:
                    return serialized
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

    def plain(self, resolve: GraphQLFieldResolver) -> bool:
        """Whether a field resolved by ``resolve`` is just an attribute of its parent: strawberry's default
        resolver, and no middleware."""
        return bool(
            getattr(resolve, "_is_default", False)  # strawberry's plain attribute resolver
            and not getattr(self.middleware_manager, "middlewares", None)
        )
