"""A batch's command input offers each worker and org mutation under its own name, with that mutation's own input
type, so a command in a batch is the mutation sent alone."""

from graphql import GraphQLInputObjectType, GraphQLNonNull, GraphQLObjectType, build_schema

from api.graphql.batch.running import MUTATIONS
from api.graphql.schema import schema


def test_each_batch_command_field_is_a_mutation_with_its_input_type() -> None:
    built = build_schema(schema.as_str())
    command = built.type_map["BatchCommandInput"]
    mutation = built.mutation_type
    assert isinstance(command, GraphQLInputObjectType) and isinstance(mutation, GraphQLObjectType)
    assert command.is_one_of
    for name, field in command.fields.items():
        argument = mutation.fields[name].args["input"].type
        assert isinstance(argument, GraphQLNonNull)
        assert field.type == argument.of_type, name
    workers_and_org = {n for n in mutation.fields if n not in ("createUser", "submitBatch")}
    assert set(command.fields) == workers_and_org
    assert len(MUTATIONS) == len(command.fields)
