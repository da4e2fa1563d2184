"""``POST /api/batch``: an offline batch as plain JSON, for a district laptop that speaks no GraphQL.

``{"commands": [{"mutation": "transferWorker", "input": {...}}, ...]}`` is answered
``{"position": N, "results": [...]}``: the ``submitBatch`` mutation run in-process as the token's user, so the
same checks and the same answers as over GraphQL (``api.graphql.batch``). A refusal of the whole request is
``{"errors": [{"message", "extensions": {"code"}}]}`` as at /graphql, with a 4xx status (503 while the database
cannot be reached): a body that is not JSON or not of this shape is 400 ``BAD_USER_INPUT``.
"""

from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response
from strawberry.utils.str_converters import to_camel_case

from api import tokens
from api.graphql.batch.running import MUTATIONS
from api.graphql.context import Services
from api.graphql.errors import UNAVAILABLE_MESSAGE, unavailable
from api.graphql.refusals import refusal
from api.operations import Refused, execute

PATH = "/api/batch"
NAMES = {to_camel_case(name): name for name in MUTATIONS}  # the mutations a command may name
SUBMIT = """
mutation SubmitBatch($input: SubmitBatchInput!) {
  submitBatch(input: $input) {
    position
    results {
      index mutation commandId status position code message
      worker { id status facility { code } cadre { code } }
      orgUnit { code }
    }
  }
}"""
STATUS = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "SERVICE_UNAVAILABLE": 503}
SHAPE = 'The body must be {"commands": [{"mutation": "transferWorker", "input": {...}}, ...]}'


class BadBatch(Exception):
    """A body that is not a batch; the message says what is wrong."""


def install(app: FastAPI) -> None:
    app.add_api_route(PATH, submit, methods=["POST"], include_in_schema=True, summary="Send an offline batch")


async def submit(request: Request) -> Response:
    """Runs the batch in the body as the bearer token's user; see docs/import.md, "Offline batches"."""
    services: Services = request.app.state.services
    try:
        caller = await tokens.identify(services.pool, services.admin_token, request.headers.get("authorization", ""))
        if caller.refusal is not None or caller.user is None:
            reason = caller.refusal or "Send a token: 'Authorization: Bearer <token>'."
            return refusal(reason, "UNAUTHENTICATED", 401)
        variables = {"input": {"commands": commands_of(await request.body())}}
        data = await execute(services, caller.user, SUBMIT, variables)
    except BadBatch as error:
        return refusal(str(error), "BAD_USER_INPUT", 400)
    except Refused as refused:
        code = refused.refusal.code
        return refusal(refused.refusal.message, code, STATUS.get(code, 400))
    except Exception as error:
        if not unavailable(error):
            raise
        return refusal(UNAVAILABLE_MESSAGE, "SERVICE_UNAVAILABLE", 503)
    return JSONResponse(data["submitBatch"])


def commands_of(body: bytes) -> list[dict[str, Any]]:
    """The body's commands as ``BatchCommandInput`` values (``{"transferWorker": {...}}``).

    Raises:
        BadBatch: the body is not JSON, or not a batch.
    """
    try:
        decoded = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise BadBatch(f"The body is not valid JSON, or holds text that is not UTF-8: {error}. {SHAPE}.") from None
    if not isinstance(decoded, dict) or not isinstance(decoded.get("commands"), list):
        raise BadBatch(f"{SHAPE}.")
    return [command_of(index, command) for index, command in enumerate(decoded["commands"])]


def command_of(index: int, command: object) -> dict[str, Any]:
    if not isinstance(command, dict) or set(command) != {"mutation", "input"}:
        raise BadBatch(f"Command {index} must hold exactly a mutation and an input. {SHAPE}.")
    mutation, input_ = command["mutation"], command["input"]
    if mutation not in NAMES:
        known = ", ".join(sorted(NAMES))
        raise BadBatch(f"Command {index} names the mutation {mutation!r}; a batch may run {known}.")
    if not isinstance(input_, dict):
        raise BadBatch(f"Command {index}'s input must be a JSON object, the mutation's input fields.")
    return {mutation: input_}
