"""Accounts over HTTP and the CLI, against a live ``hrh serve``: tokens expire and can be revoked, a
refused token is told why, ``hrh users list`` shows no secret, and user names follow one set of rules
whether ``hrh users add`` or ``createUser`` makes them."""

from collections.abc import Iterator

import pytest

from tests.e2e.api_support import CREATE_USER, Api, codes_of, errors_of, hrh, live_server

pytestmark = pytest.mark.integration
WHO = "query { thresholds { name } }"  # any query that needs a user


@pytest.fixture(scope="module")
def api(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with live_server(server_url, tmp_path_factory.mktemp("accounts")) as live:
        yield live


def unauthenticated(api: Api, token: str | None = None, headers: dict[str, str] | None = None) -> str:
    """Sends a query that must be refused as UNAUTHENTICATED; returns the message."""
    body = api.raw(WHO, token=token, headers=headers).json()
    assert codes_of(body) == ["UNAUTHENTICATED"], body
    return str(errors_of(body)[0]["message"])


def cli(api: Api, *args: str, **env: str) -> tuple[int, str, str]:
    done = hrh(*args, env={**api.env, **env})
    return done.returncode, done.stdout, " ".join(done.stderr.split())


def test_a_refused_token_is_told_why(api: Api) -> None:
    # No token at all: send one.
    assert "Send a token" in unauthenticated(api, headers={})

    # A token no user has: unknown, not "send a token".
    message = unauthenticated(api, token="x" * 43)
    assert "unknown" in message and "Send a token" not in message

    # Another scheme than Bearer.
    assert "Bearer <token>" in unauthenticated(api, headers={"Authorization": "Basic dXNlcjpwYXNz"})


def test_a_non_ascii_authorization_header_is_a_coded_error_not_a_500(api: Api) -> None:
    for raw in ("Bearer tökén".encode(), "Bearer \u00e9".encode("latin-1"), b"Bearer \xff\xfe"):
        response = api.client.post(
            f"{api.base}/graphql",
            json={"query": WHO},
            headers={"Authorization": raw},  # type: ignore[dict-item]
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert codes_of(body) == ["UNAUTHENTICATED"], body
        assert "characters no token has" in errors_of(body)[0]["message"]
    # The admin token still works beside them.
    assert api.data(WHO)["thresholds"]


def test_a_revoked_user_is_refused_and_told_so(api: Api) -> None:
    token = api.create_user("Revoked Clerk", "PLANNER")
    assert api.data(WHO, token=token)["thresholds"]

    # Revoke them, naming them in another case.
    code, out, err = cli(api, "users", "revoke", "revoked clerk")
    assert code == 0, err
    assert "Revoked Clerk is revoked since" in out

    # Their token is refused from now on, saying it was revoked.
    message = unauthenticated(api, token=token)
    assert "revoked" in message and "Send a token" not in message

    # Revoking an unknown user fails with a reason.
    code, _, err = cli(api, "users", "revoke", "nobody-at-all")
    assert code == 1 and "there is no user named 'nobody-at-all'" in err

    # The name stays taken.
    duplicate = {"input": {"name": "REVOKED CLERK", "role": "PLANNER"}}
    assert api.refused(CREATE_USER, duplicate) == "DUPLICATE_CODE"


def test_a_token_expires_after_the_days_set(api: Api) -> None:
    # A token issued with HRH_TOKEN_DAYS=0 is already past its expiry.
    code, out, err = cli(api, "users", "add", "Short Lived", "--role", "PLANNER", HRH_TOKEN_DAYS="0")
    assert code == 0, err
    message = unauthenticated(api, token=out.strip())
    assert "expired" in message and "Send a token" not in message and "hrh users renew" in message


def test_renewing_a_user_gives_a_new_token_and_the_old_one_stops(api: Api) -> None:
    code, out, err = cli(api, "users", "add", "Renewed Clerk", "--role", "PLANNER", HRH_TOKEN_DAYS="0")
    assert code == 0, err
    expired = out.strip()
    assert "expired" in unauthenticated(api, token=expired)

    # Renewed, named in another case: a new token, printed once, valid HRH_TOKEN_DAYS days.
    code, out, err = cli(api, "users", "renew", "renewed clerk", HRH_TOKEN_DAYS="30")
    assert code == 0, err
    renewed = out.strip()
    assert renewed != expired and "Renewed Clerk is active until" in err
    assert api.data(WHO, token=renewed)["thresholds"]
    assert "unknown" in unauthenticated(api, token=expired)
    code, listed, _ = cli(api, "users", "list")
    line = next(line for line in listed.splitlines() if "│ Renewed Clerk " in line)
    assert "active" in line and renewed not in listed

    # A revoked user stays revoked; an unknown name is said to be one.
    assert cli(api, "users", "revoke", "Renewed Clerk")[0] == 0
    code, out, err = cli(api, "users", "renew", "Renewed Clerk")
    assert code == 1 and "USER_REVOKED" in err and out == ""
    assert "revoked" in unauthenticated(api, token=renewed)
    code, _, err = cli(api, "users", "renew", "nobody-at-all")
    assert code == 1 and "UNKNOWN_USER" in err


def test_users_list_shows_users_without_secrets(api: Api) -> None:
    token = api.create_user("Listed Auditor", "AUDITOR")
    code, _, err = cli(api, "users", "revoke", "Listed Auditor")
    assert code == 0, err
    manager = api.create_user("Listed Manager", "HR_MANAGER", "ML-D11")
    # The CLI records a name in its normalised form: trimmed, full-width letters made plain.
    code, created, err = cli(api, "users", "add", " Ｏｕｓｍａｎｅ ", "--role", "PLANNER")
    assert code == 0, err
    assert api.data(WHO, token=created.strip())["thresholds"]

    code, out, err = cli(api, "users", "list")
    assert code == 0, err
    assert "│ Ousmane " in out and "Ｏｕｓｍａｎｅ" not in out
    lines = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 3}
    assert "Listed Auditor" in lines, out
    assert "AUDITOR" in lines["Listed Auditor"] and "revoked" in lines["Listed Auditor"]
    assert "HR_MANAGER" in lines["Listed Manager"] and "ML-D11" in lines["Listed Manager"]
    assert "active" in lines["Listed Manager"]
    # No token, nor any part of one, nor its hash.
    for secret in (token, manager, created.strip()):
        assert secret not in out and secret[:12] not in out
    assert "token" not in out.lower()


@pytest.mark.parametrize(
    ("name", "role", "scope", "code", "words"),
    [
        ("admin", "PLANNER", None, "BAD_USER_INPUT", "reserved"),
        (" ADMIN ", "AUDITOR", None, "BAD_USER_INPUT", "reserved"),
        ("\u200b\u200b", "PLANNER", None, "BAD_USER_INPUT", "invisible"),
        ("Awa\u202eegnahc", "PLANNER", None, "BAD_USER_INPUT", "bidirectional"),
        ("Planner With Scope", "PLANNER", "ML-D11", "BAD_USER_INPUT", "has no scope"),
        ("Auditor With Scope", "AUDITOR", "ML", "BAD_USER_INPUT", "has no scope"),
        ("Manager Without Scope", "HR_MANAGER", None, "BAD_USER_INPUT", "needs a scope"),
    ],
)
def test_a_user_name_or_scope_that_breaks_a_rule_is_refused(
    api: Api, name: str, role: str, scope: str | None, code: str, words: str
) -> None:
    body = api.post(CREATE_USER, {"input": {"name": name, "role": role, "scopeCode": scope}})
    assert codes_of(body) == [code], body
    assert words in errors_of(body)[0]["message"]


def test_hrh_users_add_follows_the_same_rules(api: Api) -> None:
    for args, words in (
        (("Admin", "--role", "ADMIN"), "reserved"),
        (("\u3164", "--role", "PLANNER"), "invisible"),
        (("Planner With Scope", "--role", "PLANNER", "--scope", "ML-D11"), "has no scope"),
    ):
        code, out, err = cli(api, "users", "add", *args)
        assert code == 1 and words in err and not out.strip(), (args, err)


def test_user_names_are_trimmed_normalised_and_unique_whatever_their_case(api: Api) -> None:
    # Full-width letters and spaces around: stored as plain "Mariam Keita".
    created = api.data(CREATE_USER, {"input": {"name": "  Ｍａｒｉａｍ Ｋｅｉｔａ ", "role": "PLANNER"}})["createUser"]
    assert created["name"] == "Mariam Keita"
    assert api.data("query { thresholds { name } }", token=created["token"])["thresholds"]

    # The same name in another case, or another form - refused, by the API and by the CLI.
    for other in ("mariam keita", "MARIAM KEITA", "Ｍａｒｉａｍ Ｋｅｉｔａ"):
        assert api.refused(CREATE_USER, {"input": {"name": other, "role": "AUDITOR"}}) == "DUPLICATE_CODE"
    code, _, err = cli(api, "users", "add", "mariam KEITA", "--role", "AUDITOR")
    assert code == 1 and "exists already" in err
