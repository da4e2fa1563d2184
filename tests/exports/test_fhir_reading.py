"""What the FHIR export asks in one document passes the API's limits (aliases, tokens), however many units
and workers it asks for: a history of many changed workers (``hrh export fhir --since`` far back) fills
every batch."""

from graphql import build_schema, parse

from api.exports.fhir_reading import BATCH, WORKER_BATCH, units_document, workers_document
from api.graphql.documents import MAX_TOKENS, checked
from api.graphql.schema import schema


def test_full_batches_of_units_and_workers_pass_the_api_limits() -> None:
    served = build_schema(schema.as_str())
    for query in (units_document([f"F-{n}" for n in range(BATCH)]), workers_document(WORKER_BATCH)):
        assert checked(served, query, parse(query, max_tokens=MAX_TOKENS)).errors == ()
