"""The FHIR export written as it is read (issue 19): the bytes it streams are those of the Bundle built whole in
memory as before, for a full export, a history and a searchset, over pages of one worker; it holds one page of
workers at a time (two while the next page is read), whatever the roster's size; and it reads one snapshot, so
that what the ledger records while it reads is not in the Bundle it states a position for."""

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any

import pytest

from api.access import User
from api.database import open_ledger
from api.exports import fhir_reading
from api.exports.fhir import fhir_bundle
from api.exports.fhir_file import FhirExport, Layout
from api.exports.fhir_resources import location, organization, practitioner, practitioner_role, role_id
from api.exports.session import OPERATOR, export_services
from api.graphql.context import Services
from api.settings import Settings
from tests.e2e.api_support import OPEN_UNIT
from tests.exports.test_fhir_export import record_more
from tests.web.auditpages_support import Story, live_story

pytestmark = pytest.mark.integration

BASE = "http://hrh.test/fhir"
EARLY = datetime(2000, 1, 1, tzinfo=UTC)  # a history since then names every worker


@pytest.fixture(scope="module")
def story(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    for found in live_story(server_url, tmp_path_factory.mktemp("fhir-streaming")):
        record_more(found)
        yield found


@asynccontextmanager
async def services_of(story: Story) -> AsyncIterator[Services]:
    ledger = open_ledger(story.api.database_url, Settings())
    try:
        async with export_services(story.api.database_url, ledger) as services:
            yield services
    finally:
        ledger.close()


def run(story: Story, read: Callable[[Services], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with services_of(story) as services:
            return await read(services)

    return asyncio.run(main())


# The Bundle as the export built it before it streamed: every entry in one dict, by path, then json.dumps.


def put(made: dict[str, Any], resource: dict[str, Any], history: bool) -> None:
    path = f"{resource['resourceType']}/{resource['id']}"
    made[path] = {"fullUrl": f"{BASE}/{path}", "resource": resource}
    if history:
        made[path] |= {"request": {"method": "PUT", "url": path}, "response": {"status": "200 OK"}}


def put_worker(made: dict[str, Any], worker: dict[str, Any], history: bool) -> None:
    put(made, practitioner(worker), history)
    for posting in worker["postings"]:
        put(made, practitioner_role(worker["id"], posting, date.today()), history)


def put_units(made: dict[str, Any], units: dict[str, dict[str, Any]], history: bool) -> None:
    for unit in units.values():
        put(made, location(unit, date.today()), history)
        put(made, organization(unit, date.today()), history)


async def in_memory(services: Services, user: User, since: datetime | None) -> dict[str, Any]:
    made: dict[str, Any] = {}
    if since is None:
        workers = [w async for page in fhir_reading.worker_pages(services, user) for w in page]
        facilities = {p["facility"]["code"] for w in workers for p in w["postings"]}
        put_units(made, await fhir_reading.all_units(services, user, facilities), False)
        for worker in workers:
            put_worker(made, worker, False)
        return {"type": "collection", "entry": list(made.values())}
    ids, named = await fhir_reading.changed_since(services, user, since)
    chunks = [c async for c in fhir_reading.workers_by_id(services, user, ids, since)]
    for worker_id, worker in sorted(pair for chunk in chunks for pair in chunk):
        now, before = (worker["postings"], worker["before"]) if worker else ([], [])
        lasting = {role_id(worker_id, p["facility"]["code"], p["startedOn"]) for p in now}
        for role in sorted({role_id(worker_id, p["facility"]["code"], p["startedOn"]) for p in before} - lasting):
            made[f"PractitionerRole/{role}"] = {
                "fullUrl": f"{BASE}/PractitionerRole/{role}",
                "request": {"method": "DELETE", "url": f"PractitionerRole/{role}"},
                "response": {"status": "204"},
            }
        named |= {p["facility"]["code"] for p in before + now}
        if worker:
            put_worker(made, worker, True)
    put_units(made, await fhir_reading.units_by_code(services, user, named), True)
    return {"type": "history", "total": len(made), "entry": list(made.values())}


def whole(done: FhirExport, built: dict[str, Any]) -> bytes:
    """The Bundle built in memory, with what the export says it reflects, as the file was written."""
    known_at = done.known_at.isoformat()
    position = {"system": "urn:hrh:ledger-position", "code": str(done.position)}
    bundle = {
        "resourceType": "Bundle",
        "meta": {"lastUpdated": known_at, "tag": [position, {"system": "urn:hrh:known-at", "code": known_at}]},
        "identifier": {"system": "urn:hrh:ledger-position", "value": str(done.position)},
        "type": built["type"],
        "timestamp": known_at,
        **({"total": built["total"]} if "total" in built else {}),
        "entry": built["entry"],
    }
    return (json.dumps(bundle, ensure_ascii=False, indent=1) + "\n").encode()


@pytest.mark.parametrize("since", [None, EARLY], ids=["collection", "history"])
def test_the_streamed_bundle_is_the_one_built_in_memory(
    story: Story, monkeypatch: pytest.MonkeyPatch, since: datetime | None
) -> None:
    monkeypatch.setattr(fhir_reading, "PAGE", 2)  # several pages of workers
    monkeypatch.setattr(fhir_reading, "WORKER_BATCH", 2)  # several documents of workers by id

    async def both(services: Services) -> tuple[bytes, bytes, str]:
        done = await fhir_bundle(services, OPERATOR, base=BASE, since=since)
        said = done.statement()
        return b"".join(done.chunks()), whole(done, await in_memory(services, OPERATOR, since)), said

    streamed, built, said = run(story, both)
    assert streamed == built
    bundle = json.loads(streamed)
    assert len(bundle["entry"]) > 20 and (since is None) == ("total" not in bundle)
    kinds = ("Location", "Organization", "Practitioner", "PractitionerRole")
    counts = {k: sum(1 for e in bundle["entry"] if e["fullUrl"].split("/")[-2] == k) for k in kinds}
    assert all(f"{counts[k]} {k}" in said for k in kinds), said


def test_a_searchset_is_the_full_bundle_entries_of_one_type(story: Story) -> None:
    async def both(services: Services) -> tuple[dict[str, Any], dict[str, Any]]:
        full = await fhir_bundle(services, OPERATOR, base=BASE)
        roles = await fhir_bundle(services, OPERATOR, base=BASE, only="PractitionerRole", layout=Layout(None))
        return json.loads(b"".join(full.chunks())), json.loads(b"".join(roles.chunks()))

    full, roles = run(story, both)
    expected = [{**e, "search": {"mode": "match"}} for e in full["entry"] if "PractitionerRole/" in e["fullUrl"]]
    assert roles["type"] == "searchset" and roles["entry"] == expected and roles["total"] == len(expected) > 3


class Held(dict[str, Any]):
    """A worker as the export reads it, counted while anything holds it."""

    now = 0
    most = 0
    made = 0

    def __init__(self, node: dict[str, Any]) -> None:
        super().__init__(node)
        Held.now, Held.made = Held.now + 1, Held.made + 1
        Held.most = max(Held.most, Held.now)

    def __del__(self) -> None:
        Held.now -= 1


def counting(execute: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """``execute`` whose workers (a roster page's, or those asked by id) are ``Held``."""

    async def counted(*args: Any) -> Any:
        answer = await execute(*args)
        for edge in (answer.get("workers") or {}).get("edges", []):
            edge["node"] = Held(edge["node"])
        for name, value in answer.items():
            if name.startswith("w") and name[1:].isdigit() and value is not None:
                answer[name] = Held(value)
        return answer

    return counted


@pytest.mark.parametrize("since", [None, EARLY], ids=["collection", "history"])
def test_the_export_holds_one_page_of_workers_at_a_time(
    story: Story, monkeypatch: pytest.MonkeyPatch, since: datetime | None
) -> None:
    monkeypatch.setattr(fhir_reading, "PAGE", 1)
    monkeypatch.setattr(fhir_reading, "WORKER_BATCH", 1)
    monkeypatch.setattr(fhir_reading, "execute", counting(fhir_reading.execute))
    Held.now = Held.most = Held.made = 0

    async def export(services: Services) -> tuple[int, int]:
        done = await fhir_bundle(services, OPERATOR, base=BASE, since=since)
        done.close()
        return Held.most, Held.made

    # The page being read and the one before it, not every worker read.
    most, made = run(story, export)
    assert 0 < most <= 2 < made


def record_meanwhile(story: Story) -> str:
    """A worker hired and a facility opened, projected: the read tables move. The new worker's id."""
    api = story.api
    hired = str(api.hire("Traoré", on="2016-01-04")["worker"]["id"])
    unit = {"code": "F-199", "name": "Unit F-199", "level": "FACILITY", "parentCode": "ML-D11"}
    api.data(OPEN_UNIT, {"input": unit | {"openedOn": "2016-01-01", "sector": "PUBLIC", "facilityKind": "CSCOM"}})
    api.caught_up(api.ledger_position())
    return hired


def test_what_is_recorded_while_the_export_reads_is_not_in_it(story: Story, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fhir_reading, "PAGE", 1)
    pages = fhir_reading.worker_pages
    hired: list[str] = []

    async def recording_meanwhile(services: Services, user: User) -> AsyncIterator[list[dict[str, Any]]]:
        async for page in pages(services, user):
            if not hired:  # once the first page is read
                hired.append(await asyncio.to_thread(record_meanwhile, story))
            yield page

    monkeypatch.setattr(fhir_reading, "worker_pages", recording_meanwhile)

    async def export(services: Services) -> tuple[int, dict[str, Any]]:
        done = await fhir_bundle(services, OPERATOR, base=BASE)
        return done.position, json.loads(b"".join(done.chunks()))

    position, bundle = run(story, export)
    assert hired and story.api.ledger_position() > position
    assert bundle["identifier"]["value"] == str(position)
    urls = {e["fullUrl"] for e in bundle["entry"]}
    assert f"{BASE}/Practitioner/{hired[0]}" not in urls and f"{BASE}/Location/F-199" not in urls
    assert f"{BASE}/Location/F-113" in urls
