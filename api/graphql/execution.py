"""Execution with a short path for plain leaf fields.

Most of a planner's answer is plain values: a 120-point density series is 1,080 of them, a
region's staffing with its districts several hundred. graphql-core completes each one the long
way (resolve info, middleware, awaitable checks, completion), which cost more than the query
itself. A field with no resolver of its own, no arguments, and a scalar or enum type is just an
attribute of its parent, serialized; this executor does that directly. Anything else, and any
value that is null or does not serialize, goes the usual way, so errors stay exactly as they were.
"""

from typing import Any

from graphql import GraphQLEnumType, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType, Undefined
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


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
        if (
            resolve is not None
            and getattr(resolve, "_is_default", False)  # strawberry's plain attribute resolver
            and not node.arguments
            and not getattr(self.middleware_manager, "middlewares", None)
        ):
            type_ = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
            if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
                value = resolve(source, None)
                if value is not None:
                    try:
                        serialized = type_.coerce_output_value(value)
                    except Exception:  # the usual path reports it as a field error
                        serialized = Undefined
                    if serialized is not None and serialized is not Undefined:
                        return serialized
        return super().execute_field(parent_type, source, field_details_list, path, position_context)
