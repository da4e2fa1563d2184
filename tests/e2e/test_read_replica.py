"""Queries on a streaming replica (``HRH_READ_DATABASE_URL``): ``hrh serve`` against an embedded primary and a
replica made of it with ``pg_basebackup``, driven over HTTP.

Commands are recorded on the primary and read at once from the replica (read-your-writes); a replica that
falls behind, or is stopped, leaves reads to the primary, and they return to it once it is back.
"""

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from api import operations
from api.database import open_ledger, scratch_database
from api.exports import session
from api.exports.fhir import fhir_bundle
from api.read_snapshot import one_snapshot
from tests.e2e.api_support import Api, build_tree, serving
from tests.integration.replica_support import Replica, primary_and_replica
from tests.web.auditpages_support import Story, add_user

pytestmark = pytest.mark.integration

MAX_LAG_SECONDS = 1.5  # short, so that a lagging replica is left well within a command's 5 s wait for it
MOVE = """
mutation Move($input: TransferWorkerInput!) {
  transferWorker(input: $input) { position caughtUp worker { facility { code } } }
}"""
STATUS = "query($id: ID!) { worker(id: $id) { status } }"
POST = """
mutation Post($input: PostWorkerInput!) {
  postWorker(input: $input) { position caughtUp worker { facility { code } } }
}"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, Replica]]:
    """``hrh serve`` (one worker, so that /healthz speaks for every request) on the primary, reading the replica."""
    with (
        pytest.MonkeyPatch.context() as env,
        primary_and_replica() as (primary, replica),
        scratch_database(primary.url(), "hrh_replicated") as url,
    ):
        env.setenv("HRH_READ_DATABASE_URL", replica.url("hrh_replicated"))
        env.setenv("HRH_READ_MAX_LAG_SECONDS", str(MAX_LAG_SECONDS))
        log = tmp_path_factory.mktemp("replica") / "serve.log"
        with serving(url, log, "--workers", "1") as api:
            reads_from(api, "replica")
            build_tree(api)  # every command's answer read back from the replica
            yield api, replica


def reads_from(api: Api, server: str, seconds: float = 15) -> dict[str, Any]:
    """/healthz's ``reads`` once queries go to ``server``; its status stays ok either way."""
    deadline = time.monotonic() + seconds
    while True:
        health = api.health()
        assert health["status"] == "ok", health
        if health["reads"]["from"] == server or time.monotonic() > deadline:
            assert health["reads"]["from"] == server, health
            return dict(health["reads"])
        time.sleep(0.1)


def facility_of(api: Api, worker_id: str) -> str | None:
    found = api.worker(worker_id)["facility"]
    return None if found is None else str(found["code"])


def test_commands_on_the_primary_are_read_at_once_from_the_replica(served: tuple[Api, Replica]) -> None:
    api, _ = served
    hired = api.hire("Traoré")
    assert hired["worker"]["familyName"] == "Traoré"
    posted = api.post_worker(hired["worker"]["id"], "F-111", "2016-02-01")
    assert posted["worker"]["facility"] == {"code": "F-111"}
    position = api.transfer(hired["worker"]["id"], "F-112", "2017-03-01")
    # The next query, at once, reads the replica, which has replayed the transfer.
    assert facility_of(api, hired["worker"]["id"]) == "F-112"
    api.caught_up(position)
    assert reads_from(api, "replica", seconds=0)["replica"] == "ok"


def test_a_visitor_signs_in_on_the_primary_and_reads_the_pages_from_the_replica(served: tuple[Api, Replica]) -> None:
    api, _ = served
    worker_id = api.hire("Coulibaly")["worker"]["id"]
    add_user(api, "admin.web", "ADMIN", None)
    client = Story(api).signed_in("admin.web")  # the session and the sign-in attempt are written on the primary
    try:
        page = client.get(f"/workers/{worker_id}")
    finally:
        client.close()
    assert page.status_code == 200 and "Coulibaly" in page.text
    assert reads_from(api, "replica", seconds=0)["replica"] == "ok"


def test_a_lagging_replica_is_read_until_the_limit_then_left_until_it_has_caught_up(
    served: tuple[Api, Replica],
) -> None:
    api, replica = served
    worker_id = api.hire("Keïta")["worker"]["id"]
    api.post_worker(worker_id, "F-111", "2016-02-01")
    replica.pause_replay(True)
    try:
        head = api.ledger_position()
        # The transfer waits for the replica to replay it; meanwhile the primary's read tables include it.
        answered: dict[str, Any] = {}
        variables = {"input": {"workerId": worker_id, "toFacilityCode": "F-112", "effectiveOn": "2017-03-01"}}
        transfer = threading.Thread(target=lambda: answered.update(api.data(MOVE, variables)["transferWorker"]))
        transfer.start()
        while int(api.health()["projected_position"]) <= head:
            time.sleep(0.02)
        # Queries read the replica, so far behind by less than the limit: they do not see the transfer yet.
        assert facility_of(api, worker_id) == "F-111"
        assert api.data("query($p: Int!) { caughtUp(position: $p, timeoutMs: 100) }", {"p": head + 1}) == {
            "caughtUp": False
        }
        # Past the limit, reads leave the replica: the transfer's answer, and the queries after it, read the primary.
        transfer.join(timeout=30)
        assert answered["position"] > head
        assert answered == {**answered, "caughtUp": True, "worker": {"facility": {"code": "F-112"}}}
        assert reads_from(api, "primary")["replica"].startswith("lagging: ")
        assert facility_of(api, worker_id) == "F-112"
    finally:
        replica.pause_replay(False)
    reads = reads_from(api, "replica")
    assert reads["replica_position"] >= answered["position"]
    assert facility_of(api, worker_id) == "F-112"


def test_reads_carry_on_from_the_primary_while_the_replica_is_stopped(served: tuple[Api, Replica]) -> None:
    api, replica = served
    worker_id = api.hire("Sangaré")["worker"]["id"]
    replica.stop()
    try:
        # At once: the server notices the replica's connections close.
        assert facility_of(api, worker_id) is None
        assert reads_from(api, "primary", seconds=0)["replica"].startswith("unreachable: ")
        variables = {"input": {"workerId": worker_id, "facilityCode": "F-121", "effectiveOn": "2016-02-01"}}
        posted = api.data(POST, variables)["postWorker"]
        assert posted["caughtUp"] is True and posted["worker"]["facility"] == {"code": "F-121"}
        assert facility_of(api, worker_id) == "F-121"
    finally:
        replica.start()
    reads = reads_from(api, "replica")
    assert reads["replica"] == "ok"
    assert facility_of(api, worker_id) == "F-121"


def test_an_export_reads_the_replica_once_it_has_replayed_what_the_export_caught_up_to(
    served: tuple[Api, Replica], monkeypatch: pytest.MonkeyPatch
) -> None:
    api, replica = served
    worker_id = api.hire("Diallo")["worker"]["id"]

    async def export() -> tuple[str, Any]:
        """Where an export's queries read, and what it reads of the worker."""
        ledger = open_ledger(api.database_url)
        try:
            async with session.export_services(api.database_url, ledger) as services:
                found = await operations.execute(services, session.OPERATOR, STATUS, {"id": worker_id})
                return (
                    "replica" if services.reads and services.read_pool() is services.reads.replica else "primary",
                    found,
                )
        finally:
            ledger.close()

    assert asyncio.run(export()) == ("replica", {"worker": {"status": "HIRED"}})
    # A replica that has not replayed all the export caught up to: the export reads the primary.
    monkeypatch.setattr(session, "REPLAY_SECONDS", 0.5)
    replica.pause_replay(True)
    try:
        api.post_worker(worker_id, "F-211", "2016-02-01")
        assert asyncio.run(export()) == ("primary", {"worker": {"status": "POSTED"}})
    finally:
        replica.pause_replay(False)
    reads_from(api, "replica")


def test_the_fhir_export_reads_one_snapshot_of_the_replica(served: tuple[Api, Replica]) -> None:
    api, _ = served
    worker_id = api.hire("Sissoko")["worker"]["id"]

    async def export() -> tuple[bool, dict[str, Any]]:
        """Whether the export's snapshot is the replica's (a hot standby), and the Bundle it reads there."""
        ledger = open_ledger(api.database_url)
        try:
            async with session.export_services(api.database_url, ledger) as services:
                async with one_snapshot(services) as pinned:
                    standby = bool(await pinned.read_pool().fetchval("SELECT pg_is_in_recovery()"))
                done = await fhir_bundle(services, session.OPERATOR, base="http://hrh.test/fhir")
                return standby, json.loads(b"".join(done.chunks()))
        finally:
            ledger.close()

    standby, bundle = asyncio.run(export())
    assert standby is True
    assert f"http://hrh.test/fhir/Practitioner/{worker_id}" in {e["fullUrl"] for e in bundle["entry"]}
