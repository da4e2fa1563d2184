"""What every page stands on: who is visiting (their web session), in which language, the templates,
and the operations run on their behalf (``api.operations``).

A page that needs a signed-in user takes ``SignedIn``; without a session the visitor is sent to the
sign-in page and back. A form that changes something is read with ``Visit.form``, which checks its
CSRF token against the session's.
"""

from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.datastructures import FormData

from api import operations
from api.access import Role, User
from api.graphql.context import Services
from api.sign_in import SESSION_COOKIE, WebSession, csrf_matches, session_of
from api.web.i18n import LANGUAGE_COOKIE, Formats, language_of, translations
from api.web.labels import label
from api.web.static import static_url

LANGUAGE_DAYS = 365


@cache
def environment(language: str) -> Environment:
    """The templates, speaking ``language``."""
    env = Environment(
        loader=PackageLoader("api.web"),
        autoescape=select_autoescape(),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    formats = Formats(language)
    text = translations(language).gettext
    env.filters.update(
        label=lambda value: text(label(value)),
        number=formats.number,
        density=formats.density,
        percent=formats.percent,
        day=formats.day,
        moment=formats.moment,
    )
    env.globals.update(static_url=static_url, language=language, formats=formats, Role=Role)
    return env


class SignInNeeded(Exception):
    """Raised when a page needs a signed-in user and the visitor has no valid session."""


class BadForm(Exception):
    """Raised when a form that changes something comes without the session's CSRF token."""


@dataclass
class Visit:
    """One request to a page: the visitor's session (if any) and language."""

    request: Request
    session: WebSession | None
    language: str

    @property
    def services(self) -> Services:
        services: Services = self.request.app.state.services
        return services

    @property
    def user(self) -> User:
        if self.session is None:
            raise SignInNeeded
        return self.session.user

    def text(self, message: str) -> str:
        return translations(self.language).gettext(message)

    async def ask(self, document: str, variables: dict[str, Any] | None = None) -> Any:
        """The data of a GraphQL operation run as the visitor (``operations.execute``)."""
        return await operations.execute(self.services, self.user, document, variables)

    async def form(self) -> FormData:
        """The submitted form, once its CSRF token is the session's.

        Raises:
            BadForm: the token is missing or another one.
        """
        form = await self.request.form()
        sent = str(form.get("csrf") or "")
        if self.session is None or not csrf_matches(self.session, sent):
            raise BadForm
        return form

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        page = environment(self.language).get_template(template)
        body = page.render(visit=self, session=self.session, request=self.request, csv_url=self.csv_url, **context)
        response = HTMLResponse(body, status_code=status_code)
        self.remember_language(response)
        return response

    def csv_url(self, table: str) -> str:
        """This page's address, asking for ``table`` as CSV."""
        params = {k: v for k, v in self.request.query_params.items() if k != "lang"}
        return f"{self.request.url.path}?{urlencode({**params, 'csv': table})}"

    def language_url(self, language: str) -> str:
        """This page in ``language``, its other parameters kept (the choice is then remembered)."""
        params = {k: v for k, v in self.request.query_params.items() if k != "csv"}
        return f"{self.request.url.path}?{urlencode({**params, 'lang': language})}"

    def redirect(self, url: str) -> RedirectResponse:
        """After a POST that changed something: the page to see it on (POST/redirect/GET)."""
        response = RedirectResponse(url, status_code=303)
        self.remember_language(response)
        return response

    def remember_language(self, response: Response) -> None:
        if self.request.query_params.get("lang") in ("fr", "en"):
            response.set_cookie(
                LANGUAGE_COOKIE, self.language, max_age=LANGUAGE_DAYS * 86400, httponly=True, samesite="lax"
            )


async def visit(request: Request) -> Visit:
    services: Services = request.app.state.services
    cookie = request.cookies.get(SESSION_COOKIE)
    session = await session_of(services.pool, cookie, request.app.state.settings) if cookie else None
    asked = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    return Visit(request, session, language_of(asked))


async def signed_in(request: Request) -> Visit:
    found = await visit(request)
    if found.session is None:
        raise SignInNeeded
    return found


Anyone = Annotated[Visit, Depends(visit)]
SignedIn = Annotated[Visit, Depends(signed_in)]


def sign_in_redirect(request: Request) -> RedirectResponse:
    """The sign-in page, then back to the page that was asked for."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/sign-in?next={quote(target, safe='')}", status_code=303)
