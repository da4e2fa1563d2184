"""The ``chainHead`` query over HTTP against a live ``hrh serve``: every role reads the head that
``hrh chain-head`` prints, and it moves with each recorded command."""

from collections.abc import Iterator

import pytest

from tests.e2e.api_support import NO_TOKEN, Api, hrh, live_server

pytestmark = pytest.mark.integration

HEAD = "query { chainHead { position hash } }"


@pytest.fixture(scope="module")
def api(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with live_server(server_url, tmp_path_factory.mktemp("chain_api")) as live:
        yield live


def printed_head(api: Api) -> str:
    result = hrh("chain-head", env=api.env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_every_role_reads_the_chain_head_that_the_cli_prints(api: Api) -> None:
    tokens = {
        role: api.create_user(f"Chain reader {role}", role, "ML-D11" if role == "HR_MANAGER" else None)
        for role in ("HR_MANAGER", "AUDITOR", "PLANNER")
    }
    printed = printed_head(api)
    for token in (None, *tokens.values()):
        head = api.data(HEAD, token=token)["chainHead"]
        assert f"{head['position']}:{head['hash']}" == printed
    assert head["position"] == api.ledger_position()
    assert api.refused(HEAD, token=NO_TOKEN) == "UNAUTHENTICATED"


def test_the_head_moves_with_each_recorded_command(api: Api) -> None:
    before = api.data(HEAD)["chainHead"]
    api.hire("Chain")
    after = api.data(HEAD)["chainHead"]
    assert after["position"] > before["position"] and after["hash"] != before["hash"]
    assert f"{after['position']}:{after['hash']}" == printed_head(api)
    verified = hrh("verify", "--no-tables", "--head", f"{before['position']}:{before['hash']}", env=api.env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
