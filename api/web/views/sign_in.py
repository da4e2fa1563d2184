"""Signing in (name and password), and out.

The sign-in form carries a token of its own, also set in a short-lived cookie (no session exists
yet): a page on another site cannot sign a visitor in as someone else.
"""

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import APIRouter
from fastapi.responses import Response

from api.sign_in import SESSION_COOKIE, SignInRefused, sign_in, sign_out
from api.web.pages import Anyone, BadForm

router = APIRouter()

FORM_COOKIE = "hrh_sign_in"
FORM_SECONDS = 3600


def next_page(asked: str | None) -> str:
    """Where to go once signed in: a page of this site only (never another host)."""
    if not asked or not asked.startswith("/") or asked.startswith("//") or urlsplit(asked).netloc:
        return "/"
    return asked


STATUS = {"TOO_MANY_ATTEMPTS": 429, "ACCESS_EXPIRED": 403, "ACCESS_REVOKED": 403}
"""The HTTP status of a refused sign-in, by its code (401 for a wrong name or password)."""


@router.get("/sign-in")
async def sign_in_page(visit: Anyone, next: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    response = visit.render("sign_in.html", next=next_page(next), form_token=token, name="", refusal=None)
    response.set_cookie(FORM_COOKIE, token, max_age=FORM_SECONDS, httponly=True, samesite="strict")
    return response


@router.post("/sign-in")
async def sign_in_submitted(visit: Anyone) -> Response:
    form = await visit.request.form()
    sent, expected = str(form.get("csrf") or ""), visit.request.cookies.get(FORM_COOKIE) or ""
    if not expected or not hmac.compare_digest(sent, expected):
        raise BadForm
    name, password = str(form.get("name") or "").strip(), str(form.get("password") or "")
    address = visit.request.client.host if visit.request.client else "unknown"
    try:
        limits = visit.request.app.state.settings.sign_in_limits()
        session = await sign_in(visit.services.pool, name, password, address, limits)
    except SignInRefused as refused:
        return visit.render(
            "sign_in.html",
            status_code=STATUS.get(refused.code, 401),
            next=next_page(str(form.get("next") or "")),
            form_token=expected,
            name=name,
            refusal=refused,
        )
    response = visit.redirect(next_page(str(form.get("next") or "")))
    response.set_cookie(
        SESSION_COOKIE,
        session.session_id,
        httponly=True,
        samesite="lax",
        secure=visit.request.url.scheme == "https",
    )
    response.delete_cookie(FORM_COOKIE)
    return response


@router.post("/sign-out")
async def sign_out_submitted(visit: Anyone) -> Response:
    await visit.form()
    if visit.session is not None:
        await sign_out(visit.services.pool, visit.session.session_id)
    response = visit.redirect("/sign-in")
    response.delete_cookie(SESSION_COOKIE)
    return response
