"""The web pages at ``/`` (DESIGN, "The web pages at `/`"), installed on the app beside GraphQL."""

from fastapi import FastAPI, Request
from fastapi.responses import Response

from api.web.pages import BadForm, SignedIn, SignInNeeded, sign_in_redirect, visit
from api.web.views import audit as audit_pages
from api.web.views import commands, dashboard, exports, imports, sign_in, workers
from api.web.views import units as unit_pages


async def home(page: SignedIn) -> Response:
    return page.render("home.html")


async def needs_sign_in(request: Request, _: Exception) -> Response:
    return sign_in_redirect(request)


async def bad_form(request: Request, _: Exception) -> Response:
    page = await visit(request)
    return page.render("bad_form.html", status_code=403)


def install(app: FastAPI) -> None:
    """Adds the pages to ``app``; the commands' routes go first (``/workers/new`` before ``/workers/{id}``)."""
    app.add_api_route("/", home, methods=["GET"], include_in_schema=False)
    for router in (
        sign_in.router,
        commands.router,
        workers.router,
        dashboard.router,
        audit_pages.router,
        unit_pages.router,
        exports.router,
        imports.router,
    ):
        app.include_router(router, include_in_schema=False)
    imports.install(app)
    app.add_exception_handler(SignInNeeded, needs_sign_in)
    app.add_exception_handler(BadForm, bad_form)
