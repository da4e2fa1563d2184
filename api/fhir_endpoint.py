"""``GET /fhir/<Type>`` and ``GET /fhir/_history?_since=T``: the FHIR export served read-only, for a registry that
pulls mCSD resources (ITI-90's search, without search parameters, and ITI-91's update feed).

The resources are those of ``hrh export fhir`` (``api.exports.fhir``), read through the GraphQL schema
in-process as the bearer token's user, as at /graphql and /api/batch: the same access rules and the same
refusals. A refusal is a FHIR ``OperationOutcome`` whose issue carries our stable code
(``urn:hrh:error-code``).
"""

from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response, StreamingResponse

from api import tokens
from api.exports.fhir import fhir_bundle
from api.exports.fhir_file import Layout
from api.graphql.context import Services
from api.graphql.errors import UNAVAILABLE_MESSAGE, unavailable
from api.operations import Refused
from api.web.moments import moment_of

PREFIX = "/fhir"
TYPES = ("Location", "Organization", "Practitioner", "PractitionerRole")
MEDIA = "application/fhir+json"
# Our codes as HTTP statuses, and as FHIR's issue types.
STATUS = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404, "SERVICE_UNAVAILABLE": 503}
ISSUE = {"UNAUTHENTICATED": "login", "FORBIDDEN": "forbidden", "NOT_FOUND": "not-found", "BAD_USER_INPUT": "invalid"}
ERROR_SYSTEM = "urn:hrh:error-code"


def install(app: FastAPI) -> None:
    app.add_api_route(f"{PREFIX}/_history", history, methods=["GET"], summary="FHIR mCSD update feed")
    app.add_api_route(f"{PREFIX}/{{kind}}", search, methods=["GET"], summary="FHIR mCSD resources of one type")


def outcome(message: str, code: str) -> Response:
    """A refusal as a FHIR OperationOutcome, with our stable ``code``."""
    issue = {
        "severity": "error",
        "code": ISSUE.get(code, "processing"),
        "details": {"coding": [{"system": ERROR_SYSTEM, "code": code}], "text": message},
    }
    body = {"resourceType": "OperationOutcome", "issue": [issue]}
    return JSONResponse(body, status_code=STATUS.get(code, 400), media_type=MEDIA)


async def answer(request: Request, since: datetime | None, kind: str | None) -> Response:
    """The Bundle for the request's user: every resource of ``kind``, or the changes since ``since``."""
    services: Services = request.app.state.services
    try:
        caller = await tokens.identify(services.pool, services.admin_token, request.headers.get("authorization", ""))
        if caller.refusal is not None or caller.user is None:
            return outcome(caller.refusal or "Send a token: 'Authorization: Bearer <token>'.", "UNAUTHENTICATED")
        base = str(request.base_url).rstrip("/") + PREFIX
        done = await fhir_bundle(services, caller.user, base=base, since=since, only=kind, layout=Layout(indent=None))
    except Refused as refused:
        return outcome(refused.refusal.message, refused.refusal.code)
    except Exception as error:
        if not unavailable(error):
            raise
        return outcome(UNAVAILABLE_MESSAGE, "SERVICE_UNAVAILABLE")
    headers = {"X-Ledger-Position": str(done.position)}
    return StreamingResponse(done.chunks(), media_type=MEDIA, headers=headers)  # never whole in memory


async def search(request: Request, kind: str) -> Response:
    """Every resource of one type the user may read, as a searchset Bundle (docs/exports.md, "FHIR")."""
    if kind not in TYPES:
        return outcome(f"There is no resource type {kind!r} here; use one of {', '.join(TYPES)}.", "NOT_FOUND")
    return await answer(request, None, kind)


async def history(request: Request) -> Response:
    """The changes recorded after ``_since``, as a history Bundle (docs/exports.md, "FHIR")."""
    given = request.query_params.get("_since")
    if not given:
        return outcome("_since is required: an ISO date or moment (2017-12-31T18:00:00Z).", "BAD_USER_INPUT")
    try:
        since = moment_of(given, end=False)
    except ValueError:
        return outcome(f"_since must be an ISO date or moment (2017-12-31T18:00:00Z), not {given!r}.", "BAD_USER_INPUT")
    return await answer(request, since, None)
