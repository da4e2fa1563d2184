"""The FastAPI app: the web pages at / (``api.web``), GraphQL at /graphql (with GraphiQL), health at /healthz.

The projection runner runs beside it (``api.projecting``); the app listens for what it announces. With
``HRH_READ_DATABASE_URL``, queries read from that streaming replica while it keeps up (``api.read_routing``).
"""

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
from cross_web import HTTPException  # what strawberry raises for a malformed request
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.schema.base import BaseSchema
from strawberry.types.unset import UNSET

from api import batch_endpoint, fhir_endpoint, health, tokens
from api.graphql.context import Context, Services
from api.graphql.errors import UNAVAILABLE_MESSAGE, first_line, unavailable
from api.graphql.refusals import GRAPHQL_PATH, codes_in, query_too_long, refusal, too_large_handler
from api.graphql.schema import schema
from api.health import LagWatch
from api.projecting import Projected
from api.read_routing import ReadRouting
from api.settings import Settings
from api.tokens import Caller
from api.web import graphiql, static
from api.web import routes as pages
from domain.ledger import Ledger
from projections import accounts
from projections.store import Target

log = logging.getLogger("hrh.api")


def create_app(url: str, ledger: Ledger, *, admin_token: str | None, settings: Settings | None = None) -> FastAPI:
    """The app for the database at ``url``, recording through ``ledger`` (which it closes when it stops).

    Its request limits come from ``settings`` (by default, from the environment).
    """
    settings = settings or Settings()
    target = Target.of_ledger()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(url, min_size=2, max_size=10, reset=keep_session)
        async with pool.acquire() as conn:
            await accounts.ensure_table(conn)
        projected = Projected(url, target.schema)
        await projected.start()
        reads = None
        if settings.read_database_url is not None:
            reads = ReadRouting(
                pool, settings.read_database_url, target.schema, settings.read_max_lag_seconds, reset=keep_session
            )
            await reads.start()
        app.state.services = Services(
            pool=pool, ledger=ledger, schema=target.schema, admin_token=admin_token, projected=projected, reads=reads
        )
        try:
            yield
        finally:
            if reads is not None:
                await reads.close()
            await projected.close()
            await pool.close()
            ledger.close()

    # A body over the limit is refused as it arrives (by its Content-Length, or once the bytes
    # read pass the limit), never read whole.
    app = FastAPI(title="hrh: the health workforce ledger", lifespan=lifespan, max_body_size=settings.max_body_bytes)
    app.state.settings = settings
    app.add_exception_handler(413, too_large_handler(settings.max_body_bytes))
    static.install(app)
    # strawberry's ASGI app as the route's endpoint: the same HTTP handling as its FastAPI router,
    # without FastAPI's dependency solving on every request.
    endpoint = GraphQLEndpoint(schema, graphql_ide="graphiql", max_query_chars=settings.max_query_chars)
    app.add_route(GRAPHQL_PATH, endpoint)  # type: ignore[arg-type]

    pages.install(app)
    batch_endpoint.install(app)
    fhir_endpoint.install(app)
    watch = LagWatch()

    @app.get("/healthz")
    async def healthz(request: Request) -> JSONResponse:
        """200 "ok"; 503 "degraded" while the read tables are not kept up, or "unavailable" (``api.health``)."""
        services: Services = request.app.state.services
        status_code, body = await health.check(services.pool, target, services.projected, watch, services.reads)
        return JSONResponse(body, status_code=status_code)

    return app


class GraphQLEndpoint(GraphQL[Context, None]):
    """strawberry's endpoint, answering every refusal as a coded GraphQL error.

    A malformed request is ``BAD_USER_INPUT`` with strawberry's HTTP status (400, 405); a query
    text over ``max_query_chars`` is refused before it is parsed; a database that cannot be
    reached is ``SERVICE_UNAVAILABLE`` with HTTP 503.
    """

    def __init__(self, schema: BaseSchema, *, max_query_chars: int = 64 * 1024, **options: Any) -> None:
        super().__init__(schema, **options)
        self.max_query_chars = max_query_chars

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        try:
            return await super().run(request, context, root_value)
        except HTTPException as error:
            return refusal(error.reason, "BAD_USER_INPUT", error.status_code)
        except Exception as error:
            if not unavailable(error):
                raise
            # Raised before execution: looking up the caller's token.
            log.warning("database unavailable: %s", first_line(error))
            return refusal(UNAVAILABLE_MESSAGE, "SERVICE_UNAVAILABLE", 503)

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL from hrh's own static files, never a CDN (``api.web.graphiql``)."""
        return graphiql.page()

    def decode_json(self, data: str | bytes) -> object:
        """orjson, which also refuses text that is not UTF-8 (a lone surrogate such as ``\\ud800``)."""
        return orjson.loads(data)

    def parse_json(self, data: str | bytes) -> Any:
        try:
            decoded = self.decode_json(data)
        except orjson.JSONDecodeError as error:
            raise HTTPException(
                400, f"The request is not valid JSON, or holds text that is not UTF-8 (a lone surrogate): {error}."
            ) from None
        if not isinstance(decoded, dict | list):
            raise HTTPException(400, 'The request body must be a JSON object: {"query": "...", "variables": {...}}.')
        return decoded

    async def parse_http_body(self, request: Any) -> GraphQLRequestData | list[GraphQLRequestData]:
        parsed = await super().parse_http_body(request)
        for operation in parsed if isinstance(parsed, list) else [parsed]:
            if operation.query is not None and len(operation.query) > self.max_query_chars:
                raise HTTPException(400, query_too_long(len(operation.query), self.max_query_chars))
        return parsed

    def create_response(
        self, response_data: Mapping[str, Any] | Sequence[Mapping[str, Any]], sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)  # type: ignore[arg-type]
        if "SERVICE_UNAVAILABLE" in codes_in(response_data):
            response.status_code = 503
        return response

    def encode_json(self, data: object) -> str | bytes:
        """orjson: a tenth of the standard encoder's time on a 120-point series."""
        try:
            return orjson.dumps(data)
        except TypeError:  # a lone surrogate echoed back from a request: the standard encoder escapes it
            return super().encode_json(data)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        services: Services = request.app.state.services
        return Context.reading(services, await authenticate(services, request))


async def keep_session(_conn: asyncpg.Connection) -> None:
    """Nothing to reset when a connection goes back to the pool: the API sets no session state
    (no SET, LISTEN, advisory lock or cursor outside a transaction), so asyncpg's reset query
    would be a round trip per request for nothing. asyncpg still rolls back an open transaction."""


async def authenticate(services: Services, request: Request | WebSocket) -> Caller:
    """Who the request's bearer token names, or why it names no one (``api.tokens``)."""
    return await tokens.identify(services.pool, services.admin_token, request.headers.get("authorization", ""))
