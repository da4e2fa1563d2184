"""The FastAPI app: GraphQL at /graphql (with GraphiQL), health at /healthz.

The projection runner runs beside it (``api.projecting``); the app listens for what it announces.
"""

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import orjson
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from api import health
from api.access import Role, User
from api.graphql.context import Context, Services, loaders
from api.graphql.schema import schema
from api.health import LagWatch
from api.projecting import Projected
from domain.ledger import Ledger
from projections import accounts
from projections.store import Target


def create_app(url: str, ledger: Ledger, *, admin_token: str | None) -> FastAPI:
    """The app for the database at ``url``, recording through ``ledger`` (which it closes when it stops)."""
    target = Target.of_ledger()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(url, min_size=2, max_size=10, reset=keep_session)
        async with pool.acquire() as conn:
            await accounts.ensure_table(conn)
        projected = Projected(url, target.schema)
        await projected.start()
        app.state.services = Services(
            pool=pool, ledger=ledger, schema=target.schema, admin_token=admin_token, projected=projected
        )
        try:
            yield
        finally:
            await projected.close()
            await pool.close()
            ledger.close()

    app = FastAPI(title="hrh: the health workforce ledger", lifespan=lifespan)
    # strawberry's ASGI app as the route's endpoint: the same HTTP handling as its FastAPI router,
    # without FastAPI's dependency solving on every request.
    app.add_route("/graphql", GraphQLEndpoint(schema, graphql_ide="graphiql"))  # type: ignore[arg-type]

    watch = LagWatch()

    @app.get("/healthz")
    async def healthz(request: Request) -> JSONResponse:
        """200 "ok"; 503 "degraded" while the read tables are not kept up, or "unavailable" (``api.health``)."""
        services: Services = request.app.state.services
        status_code, body = await health.check(services.pool, target, services.projected, watch)
        return JSONResponse(body, status_code=status_code)

    return app


class GraphQLEndpoint(GraphQL[Context, None]):
    def encode_json(self, data: object) -> str | bytes:
        """orjson: a tenth of the standard encoder's time on a 120-point series."""
        try:
            return orjson.dumps(data)
        except TypeError:  # a lone surrogate echoed back from a request: the standard encoder escapes it
            return super().encode_json(data)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        services: Services = request.app.state.services
        return Context(
            services=services,
            user=await authenticate(services, request),
            loaders=loaders(services.pool, services.schema),
        )


async def keep_session(_conn: asyncpg.Connection) -> None:
    """Nothing to reset when a connection goes back to the pool: the API sets no session state
    (no SET, LISTEN, advisory lock or cursor outside a transaction), so asyncpg's reset query
    would be a round trip per request for nothing. asyncpg still rolls back an open transaction."""


async def authenticate(services: Services, request: Request | WebSocket) -> User | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    token = token.strip()
    if services.admin_token and secrets.compare_digest(token, services.admin_token):
        return User("admin", Role.ADMIN)
    account = await accounts.by_token(services.pool, token)
    return User(account.name, Role[account.role], account.scope_code) if account else None
