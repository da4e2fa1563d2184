"""What the audit and org-tree page tests share: a live ``hrh serve`` with the e2e org tree, a few careers
(a back-dated transfer, a retraction, an establishment), users with passwords, and signing in over HTTP.

The figures the pages show are compared with the GraphQL answers over ``/graphql`` (with the admin
token), which are what the pages must equal.
"""

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.api_support import HRH, RETRACT, Api, live_server

PASSWORD = "correct horse battery"
# name: (role, scope)
USERS = {
    "auditrice": ("AUDITOR", None),
    "admin.web": ("ADMIN", None),
    "rh.d11": ("HR_MANAGER", "ML-D11"),
    "planif": ("PLANNER", None),
}
SET_ESTABLISHMENT = """
mutation Set($input: SetEstablishmentInput!) { setEstablishment(input: $input) { position } }"""
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Story:
    """The live server and what was recorded on it, by name."""

    api: Api
    at: dict[str, int] = field(default_factory=dict)  # ledger positions
    workers: dict[str, str] = field(default_factory=dict)  # worker ids

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.api.data(query, variables)

    def signed_in(self, name: str, language: str = "en") -> httpx.Client:
        """A client holding ``name``'s session, speaking ``language``."""
        client = httpx.Client(base_url=self.api.base, timeout=60, follow_redirects=False)
        form = client.get("/sign-in", params={"lang": language})
        token = CSRF.search(form.text)
        assert form.status_code == 200 and token, form.text[:500]
        answer = client.post("/sign-in", data={"name": name, "password": PASSWORD, "csrf": token[1], "next": "/"})
        assert answer.status_code == 303, answer.text[:500]
        return client


def add_user(api: Api, name: str, role: str, scope: str | None) -> None:
    command = [HRH, "users", "add", name, "--role", role, "--password-stdin"]
    if scope is not None:
        command += ["--scope", scope]
    done = subprocess.run(command, input=PASSWORD + "\n", env=api.env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def record_story(api: Api) -> Story:
    """Awa: hired, posted in ML-D11, transferred to ML-R2, then a back-dated transfer inside ML-D11.
    Bina: hired, posted in ML-D12, transferred, and the transfer retracted. A decree for F-111."""
    story = Story(api)
    awa = api.hire("Traoré", on="2016-01-04")
    story.workers["awa"] = awa["worker"]["id"]
    story.at["awa hired"] = awa["position"]
    story.at["awa posted"] = api.post_worker(story.workers["awa"], "F-111", "2016-01-05")["position"]
    story.at["awa to F-211"] = api.transfer(story.workers["awa"], "F-211", "2017-03-01")
    story.at["awa back-dated"] = api.transfer(story.workers["awa"], "F-112", "2016-06-01")
    bina = api.hire("Diallo", on="2016-02-01")
    story.workers["bina"] = bina["worker"]["id"]
    story.at["bina hired"] = bina["position"]
    story.at["bina posted"] = api.post_worker(story.workers["bina"], "F-121", "2016-02-02")["position"]
    story.at["bina to F-122"] = api.transfer(story.workers["bina"], "F-122", "2016-09-01")
    retraction = {"workerId": story.workers["bina"], "position": story.at["bina to F-122"], "reason": "wrong decree"}
    story.at["bina retracted"] = api.data(RETRACT, {"input": retraction})["retractEvent"]["position"]
    decree = {"facilityCode": "F-111", "cadreCode": "NURSE-RN", "posts": 3, "effectiveOn": "2016-01-01"}
    story.at["F-111 decree"] = api.data(SET_ESTABLISHMENT, {"input": decree})["setEstablishment"]["position"]
    for name, (role, scope) in USERS.items():
        add_user(api, name, role, scope)
    api.caught_up(api.ledger_position())
    return story


def live_story(server_url: str, folder: Path) -> Iterator[Story]:
    with live_server(server_url, folder) as api:
        yield record_story(api)


def positions_in(page: str) -> list[int]:
    """The ledger positions of the audit trail's rows on a page, in order."""
    return [int(p) for p in re.findall(r'data-entry-position="(\d+)"', page)]
