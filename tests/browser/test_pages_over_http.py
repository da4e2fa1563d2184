"""The pages over HTTP (no browser needed): signing in (the session cookie's flags, refusals with their
codes, signing out), the CSRF token on every form that changes something, the remembered language, and
an address's parameter that cannot be read."""

import re
import uuid
from collections.abc import Iterator

import httpx
import pytest

from api.sign_in import SESSION_COOKIE
from tests.e2e.api_support import Api, hrh

pytestmark = pytest.mark.integration

PASSWORD = "over http password"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, html
    return found.group(1)


@pytest.fixture
def user(server: Api) -> str:
    return new_user(server, "--role", "HR_MANAGER", "--scope", "ML-D11")


def new_user(server: Api, *options: str, **env: str) -> str:
    """A user of a fresh name made with ``hrh users add`` and ``options``, whose password is PASSWORD."""
    name = f"http.{uuid.uuid4().hex[:6]}"
    added = hrh("users", "add", name, *options, "--password-stdin", env={**server.env, **env}, stdin=PASSWORD)
    assert added.returncode == 0, added.stderr
    return name


@pytest.fixture
def client(server: Api) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base, timeout=30) as made:
        yield made


def sign_in(client: httpx.Client, name: str, password: str = PASSWORD) -> httpx.Response:
    form = client.get("/sign-in")
    return client.post("/sign-in", data={"name": name, "password": password, "csrf": csrf_of(form.text)})


def test_a_page_sends_a_visitor_without_a_session_to_sign_in_and_back(client: httpx.Client, user: str) -> None:
    asked = client.get("/workers?text=x")
    assert asked.status_code == 303
    assert asked.headers["location"] == "/sign-in?next=%2Fworkers%3Ftext%3Dx"
    form = client.get(asked.headers["location"])
    signed = client.post(
        "/sign-in", data={"name": user, "password": PASSWORD, "csrf": csrf_of(form.text), "next": "/workers?text=x"}
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/workers?text=x"


def test_the_session_cookie_is_http_only_and_same_site_lax(client: httpx.Client, user: str) -> None:
    signed = sign_in(client, user)
    assert signed.status_code == 303
    cookie = next(v for k, v in signed.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age" not in cookie


def test_a_wrong_password_is_refused_with_its_code_and_keeps_the_name(client: httpx.Client, user: str) -> None:
    refused = sign_in(client, user, "not the password")
    assert refused.status_code == 401
    assert 'data-error-code="BAD_CREDENTIALS"' in refused.text and f'value="{user}"' in refused.text
    assert SESSION_COOKIE not in client.cookies


def test_an_expired_user_is_told_so_and_signs_in_again_once_renewed(server: Api, client: httpx.Client) -> None:
    name = new_user(server, "--role", "PLANNER", HRH_TOKEN_DAYS="0")  # their access is already past its expiry
    refused = sign_in(client, name)
    assert refused.status_code == 403
    assert 'data-error-code="ACCESS_EXPIRED"' in refused.text
    assert "Votre accès a expiré le" in refused.text and "renouveler" in refused.text
    # A wrong password learns nothing of it.
    wrong = sign_in(client, name, "not the password")
    assert wrong.status_code == 401 and 'data-error-code="BAD_CREDENTIALS"' in wrong.text

    renewed = hrh("users", "renew", name, env=server.env)
    assert renewed.returncode == 0, renewed.stderr
    signed = sign_in(client, name)
    assert signed.status_code == 303 and SESSION_COOKIE in signed.cookies


def test_a_sign_in_without_its_form_token_is_refused(client: httpx.Client, user: str) -> None:
    client.get("/sign-in")
    refused = client.post("/sign-in", data={"name": user, "password": PASSWORD, "csrf": "forged"})
    assert refused.status_code == 403 and 'data-error-code="CSRF"' in refused.text
    assert SESSION_COOKIE not in client.cookies


def test_a_form_without_the_sessions_csrf_token_records_nothing(server: Api, client: httpx.Client, user: str) -> None:
    worker = server.hire(f"Csrf{uuid.uuid4().hex[:6]}")["worker"]
    server.caught_up(server.post_worker(worker["id"], "F-111", "2016-01-04")["position"])
    sign_in(client, user)
    before = server.ledger_position()
    data = {"course": "PCIME", "startedOn": "2024-01-08", "commandId": uuid.uuid4().hex}
    for csrf in (None, "forged"):
        sent = client.post(
            f"/workers/{worker['id']}/do/recordTraining", data={**data, **({"csrf": csrf} if csrf else {})}
        )
        assert sent.status_code == 403 and 'data-error-code="CSRF"' in sent.text
    assert server.ledger_position() == before


def test_the_language_chosen_is_remembered(client: httpx.Client, user: str) -> None:
    assert 'lang="fr"' in client.get("/sign-in").text
    assert 'lang="en"' in client.get("/sign-in?lang=en").text
    assert 'lang="en"' in client.get("/sign-in").text
    assert 'lang="fr"' in client.get("/sign-in?lang=fr").text


def test_signing_out_ends_the_session(client: httpx.Client, user: str) -> None:
    sign_in(client, user)
    session = client.cookies[SESSION_COOKIE]
    home = client.get("/")
    assert home.status_code == 200
    out = client.post("/sign-out", data={"csrf": csrf_of(home.text)})
    assert out.status_code == 303 and out.headers["location"] == "/sign-in"
    client.cookies.set(SESSION_COOKIE, session)  # the old cookie, kept by someone
    assert client.get("/").status_code == 303


def test_a_history_as_known_at_a_moment_that_is_not_one_is_refused(
    server: Api, client: httpx.Client, user: str
) -> None:
    worker = server.hire(f"Moment{uuid.uuid4().hex[:6]}")["worker"]
    server.caught_up(server.post_worker(worker["id"], "F-111", "2016-01-04")["position"])
    sign_in(client, user)
    assert client.get(f"/workers/{worker['id']}?knownAt=2024-01-31").status_code == 200
    refused = client.get(f"/workers/{worker['id']}?knownAt=yesterday")
    assert refused.status_code == 400
    assert 'data-error-code="BAD_USER_INPUT"' in refused.text and "yesterday" in refused.text
