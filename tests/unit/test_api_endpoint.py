"""The GraphQL endpoint's JSON: orjson, and the standard encoder for what orjson refuses."""

import json

from api.app import GraphQLEndpoint
from api.graphql.schema import schema


def test_responses_decode_to_what_was_encoded() -> None:
    data = {"data": {"series": [{"period": "2017-Q1", "density": 2.25, "active": 12, "name": "Ségou"}]}}
    assert json.loads(GraphQLEndpoint(schema).encode_json(data)) == data


def test_a_lone_surrogate_echoed_in_an_error_is_still_encoded() -> None:
    data = {"errors": [{"message": 'Expected value of type Date, found "\ud800".'}]}
    assert json.loads(GraphQLEndpoint(schema).encode_json(data)) == data
