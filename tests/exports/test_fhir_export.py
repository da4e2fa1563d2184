"""``hrh export fhir`` against a live ``hrh serve``: the Bundle parses with fhir.resources' R4B models and keeps
IHE mCSD's rules; each posting's PractitionerRole period equals one computed here from the worker's events
(a back-dated transfer, a retraction, a leave, a departure and a rehire); the roles active today at each
facility add up to the GraphQL headcount; ``--since`` gives what later events changed or removed; a planner is
refused and an HR manager sees only their scope's practitioners."""

import asyncio
import json
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from api.database import open_ledger
from api.exports import fhir_reading
from api.exports.fhir import FhirExport, fhir_bundle
from api.exports.session import OPERATOR, export_services
from api.settings import Settings
from tests.e2e.api_support import HRH, RETRACT, Api
from tests.exports.counting_support import CountingPool
from tests.web.auditpages_support import Story, live_story

pytestmark = pytest.mark.integration

TODAY = date.today()
FACILITIES = ("F-111", "F-112", "F-113", "F-121", "F-122", "F-123", "F-211", "F-212")
MCSD_TYPES = "https://profiles.ihe.net/ITI/mCSD/CodeSystem/IHE.mCSD.Organization.Location.Types"
HISTORY = """query History($id: ID!) {
  worker(id: $id) { history { kind effectiveOn position retracted toFacility { code } } }
}"""
HEADCOUNT = "query Headcount($code: String!) { staffing(orgUnitCode: $code) { headcount } }"
CHANGE = """mutation Change($input: {input}!) {{ {name}(input: $input) {{ position }} }}"""


def record(api: Api, name: str, kind: str, fields: dict[str, Any]) -> int:
    """Records one command through the API as ADMIN; its ledger position."""
    return int(api.data(CHANGE.format(input=kind, name=name), {"input": fields})[name]["position"])


def record_more(story: Story) -> None:
    """Chaka: posted, on leave and back, departed, rehired and posted again. Dede: never posted. F-123 closed."""
    api = story.api
    chaka = api.hire("Coulibaly", on="2016-01-04", civilServiceNumber="MLI-77")["worker"]["id"]
    story.workers["chaka"] = chaka
    api.post_worker(chaka, "F-113", "2016-03-01")
    record(api, "startLeave", "StartLeaveInput", {"workerId": chaka, "kind": "STUDY", "effectiveOn": "2017-01-01"})
    record(api, "endLeave", "EndLeaveInput", {"workerId": chaka, "effectiveOn": "2017-02-01"})
    departure = {"workerId": chaka, "reason": "RESIGNATION", "effectiveOn": "2018-01-01"}
    record(api, "recordDeparture", "RecordDepartureInput", departure)
    record(api, "rehireWorker", "RehireWorkerInput", {"workerId": chaka, "effectiveOn": "2019-01-01"})
    api.post_worker(chaka, "F-212", "2019-02-01")
    story.workers["dede"] = api.hire("Dembélé", on="2020-01-01", sex="MALE")["worker"]["id"]
    story.at["F-123 closed"] = record(
        api, "closeOrgUnit", "CloseOrgUnitInput", {"code": "F-123", "effectiveOn": "2021-01-01"}
    )
    api.caught_up(api.ledger_position())


@pytest.fixture(scope="module")
def story(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    for found in live_story(server_url, tmp_path_factory.mktemp("fhir")):
        record_more(found)
        yield found


def export(story: Story, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([HRH, "export", "fhir", *args], env=story.api.env, capture_output=True, timeout=300)


def bundle_of(story: Story, *args: str) -> dict[str, Any]:
    done = export(story, *args)
    assert done.returncode == 0, done.stderr.decode()
    found: dict[str, Any] = json.loads(done.stdout)
    Bundle.model_validate(found)  # R4B's models: every element, cardinality and type
    return found


def resources(bundle: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {
        e["resource"]["id"]: e["resource"] for e in bundle["entry"] if e.get("resource", {}).get("resourceType") == kind
    }


def expected_postings(story: Story, worker_id: str) -> list[tuple[str, date, date | None]]:
    """The worker's postings from their events, as DESIGN's timeline defines them: the events in force, by
    effective date then position; a posting or transfer starts one (ending the one before), a departure ends
    it; a leave does not."""
    history = story.graphql(HISTORY, {"id": worker_id})["worker"]["history"]
    timeline = sorted((m for m in history if not m["retracted"]), key=lambda m: (m["effectiveOn"], m["position"]))
    found: list[tuple[str, date, date | None]] = []
    for move in timeline:
        day = date.fromisoformat(move["effectiveOn"])
        if move["kind"] in ("POSTED", "TRANSFERRED", "DEPARTED") and found and found[-1][2] is None:
            found[-1] = (found[-1][0], found[-1][1], day)
        if move["kind"] in ("POSTED", "TRANSFERRED"):
            found.append((move["toFacility"]["code"], day, None))
    return found


def role_periods(bundle: dict[str, Any], worker_id: str) -> list[tuple[str, date, date | None]]:
    """The worker's PractitionerRoles as (facility, start, the day after the last day in post)."""
    roles = [
        r for r in resources(bundle, "PractitionerRole").values() if r["practitioner"]["reference"].endswith(worker_id)
    ]
    found = []
    for role in roles:
        end = role["period"].get("end")
        after = date.fromisoformat(end) + timedelta(days=1) if end else None
        found.append(
            (role["location"][0]["reference"].split("/")[1], date.fromisoformat(role["period"]["start"]), after)
        )
    return sorted(found, key=lambda p: p[1])


def test_the_bundle_parses_and_keeps_the_mcsd_rules(story: Story) -> None:
    bundle = bundle_of(story)
    assert bundle["type"] == "collection"
    locations = resources(bundle, "Location")
    assert set(locations) == {"ML", "ML-R1", "ML-R2", "ML-D11", "ML-D12", "ML-D21", *FACILITIES}
    for location in locations.values():
        assert location["name"] and location["status"] in ("active", "inactive") and location["type"]
        (kind,) = [c["code"] for t in location["type"] for c in t["coding"] if c["system"] == MCSD_TYPES]
        assert kind == ("facility" if location["id"].startswith("F-") else "jurisdiction")
        assert location["managingOrganization"]["reference"] == f"Organization/{location['id']}"
    organizations = resources(bundle, "Organization")
    assert set(organizations) == set(locations)
    for org in organizations.values():
        (kind,) = [c["code"] for t in org["type"] for c in t["coding"] if c["system"] == MCSD_TYPES]
        assert kind == ("facility" if org["id"].startswith("F-") else "jurisdiction")
    assert (
        organizations["F-211"]["partOf"]["reference"] == "Organization/ML-D21"
        and organizations["F-123"]["active"] is False
    )
    assert locations["F-123"]["status"] == "inactive" and locations["F-122"]["status"] == "active"
    assert locations["F-211"]["partOf"]["reference"] == "Location/ML-D21" and "partOf" not in locations["ML"]
    for practitioner in resources(bundle, "Practitioner").values():
        assert practitioner["name"] and practitioner["name"][0]["family"]
    for role in resources(bundle, "PractitionerRole").values():
        assert role["code"] and role["code"][0]["coding"][0]["code"] == "NURSE-RN"
    # Every reference resolves inside the Bundle.
    present = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in bundle["entry"]}
    references = [ref for e in bundle["entry"] for ref in references_in(e["resource"])]
    assert references and set(references) <= present
    # What it reflects is said in the Bundle and on standard error.
    position = story.graphql("{ ledgerPosition }")["ledgerPosition"]
    assert bundle["identifier"]["value"] == str(position)
    assert {"system": "urn:hrh:ledger-position", "code": str(position)} in bundle["meta"]["tag"]
    said = export(story).stderr.decode()
    assert f"reflects ledger position {position}, knownAt " in said and "14 Location, 14 Organization" in said


def references_in(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield value["reference"]
        for inner in value.values():
            yield from references_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from references_in(inner)


def test_practitioners_carry_identity_and_ids_are_stable(story: Story) -> None:
    first, second = bundle_of(story), bundle_of(story)
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]
    chaka = resources(first, "Practitioner")[story.workers["chaka"]]
    assert chaka["name"][0]["family"] == "Coulibaly" and chaka["name"][0]["given"] == ["Awa"]
    assert chaka["gender"] == "female" and chaka["birthDate"] == "1990-05-17" and chaka["active"] is True
    assert {"system": "urn:hrh:civil-service-number", "value": "MLI-77"} in chaka["identifier"]
    dede = resources(first, "Practitioner")[story.workers["dede"]]
    assert dede["gender"] == "male"
    assert role_periods(first, story.workers["dede"]) == []


def test_each_posting_is_one_role_with_the_period_of_the_timeline(story: Story) -> None:
    bundle = bundle_of(story)
    for name in ("awa", "bina", "chaka"):
        assert role_periods(bundle, story.workers[name]) == expected_postings(story, story.workers[name]), name
    # The stories themselves: a back-dated transfer splits Awa's first posting; Bina's transfer was retracted;
    # Chaka's leave does not end the posting, the departure does, and the rehire starts another.
    assert [p[0] for p in role_periods(bundle, story.workers["awa"])] == ["F-111", "F-112", "F-211"]
    assert role_periods(bundle, story.workers["bina"]) == [("F-121", date(2016, 2, 2), None)]
    assert role_periods(bundle, story.workers["chaka"]) == [
        ("F-113", date(2016, 3, 1), date(2018, 1, 1)),
        ("F-212", date(2019, 2, 1), None),
    ]


def test_a_requalification_keeps_the_posting_and_gives_the_role_the_cadre_held_at_its_end(story: Story) -> None:
    awa = story.workers["awa"]
    requalified = {"workerId": awa, "cadreCode": "OTHER-CLEAN", "effectiveOn": "2018-01-01"}
    record(story.api, "requalifyWorker", "RequalifyWorkerInput", requalified)
    story.api.caught_up(story.api.ledger_position())
    bundle = bundle_of(story)
    assert role_periods(bundle, awa) == expected_postings(story, awa)  # still three postings
    codes = {
        role["location"][0]["reference"]: [(c["system"], c["code"]) for c in role["code"][0]["coding"]]
        for role in resources(bundle, "PractitionerRole").values()
        if role["practitioner"]["reference"] == f"Practitioner/{awa}"
    }
    nurse = [("urn:hrh:cadre", "NURSE-RN"), ("urn:oid:2.16.840.1.113883.2.9.6.2.7", "2221")]
    assert codes == {
        "Location/F-111": nurse,
        "Location/F-112": nurse,
        "Location/F-211": [("urn:hrh:cadre", "OTHER-CLEAN")],  # a cadre with no ISCO-08 code has only ours
    }


def test_active_roles_at_each_facility_equal_the_headcount(story: Story) -> None:
    bundle = bundle_of(story)
    active = Counter(
        r["location"][0]["reference"] for r in resources(bundle, "PractitionerRole").values() if r["active"]
    )
    for code in FACILITIES:
        headcount = story.graphql(HEADCOUNT, {"code": code})["staffing"]["headcount"]
        assert active[f"Location/{code}"] == headcount, code
    assert sum(active.values()) == story.graphql(HEADCOUNT, {"code": "ML"})["staffing"]["headcount"] == 3


def bundle_made(done: FhirExport) -> dict[str, Any]:
    """The Bundle an export gives out, read back."""
    found: dict[str, Any] = json.loads(b"".join(done.chunks()))
    return found


def export_in_process(story: Story) -> tuple[FhirExport, dict[str, Any], int]:
    """The full export run in-process as the operator, its Bundle, and how many SQL statements it sent."""

    async def read() -> tuple[FhirExport, dict[str, Any], int]:
        ledger = open_ledger(story.api.database_url, Settings())
        try:
            async with export_services(story.api.database_url, ledger) as services:
                counting = CountingPool(services.pool)
                done = await fhir_bundle(replace(services, pool=counting), OPERATOR, base="http://hrh.test/fhir")
                return done, bundle_made(done), counting.statements
        finally:
            ledger.close()

    return asyncio.run(read())


def test_every_page_is_read_and_no_statement_is_sent_per_worker(story: Story, monkeypatch: pytest.MonkeyPatch) -> None:
    _, whole, statements = export_in_process(story)
    # Five more workers, each with a posting: the export sends as many statements as before.
    for n in range(5):
        hired = story.api.hire(f"Sangaré {n}", on="2016-01-04")["worker"]["id"]
        story.api.post_worker(hired, "F-212", "2016-02-01")
    story.api.caught_up(story.api.ledger_position())
    more, more_bundle, more_statements = export_in_process(story)
    assert len(resources(more_bundle, "Practitioner")) == len(resources(whole, "Practitioner")) + 5
    assert 0 < more_statements == statements
    # Pages of one worker: every page is read, and the Bundle is the same.
    monkeypatch.setattr(fhir_reading, "PAGE", 1)
    paged, paged_bundle, _ = export_in_process(story)
    assert paged_bundle["entry"] == more_bundle["entry"] and paged.position == more.position


def test_a_planner_is_refused_and_a_manager_sees_only_their_scope(story: Story) -> None:
    refused = export(story, "--user", "planif")
    assert refused.returncode == 1 and b"FORBIDDEN" in refused.stderr and refused.stdout == b""
    # rh.d11's scope is ML-D11: of the workers, only those whose facility now lies there (none: Awa moved to
    # F-211, Chaka to F-212); Bina, at F-121 in ML-D12, is outside too.
    api = story.api
    elsewhere = api.hire("Keita", on="2016-01-04")["worker"]["id"]
    api.post_worker(elsewhere, "F-111", "2016-02-01")
    api.caught_up(api.ledger_position())
    bundle = bundle_of(story, "--user", "rh.d11")
    assert set(resources(bundle, "Practitioner")) == {elsewhere}
    assert {r["practitioner"]["reference"] for r in resources(bundle, "PractitionerRole").values()} == {
        f"Practitioner/{elsewhere}"
    }
    assert "FORBIDDEN" in export(story, "--user", "rh.d11", "--since", "2020-01-01").stderr.decode()


def test_bad_options_are_refused_with_their_codes(story: Story) -> None:
    for args, code in (
        (("--since", "yesterday"), b"BAD_USER_INPUT"),
        (("-o", "bundle.xml"), b"FORMAT_UNSUPPORTED"),
        (("--user", "nobody"), b"UNKNOWN_USER"),
    ):
        done = export(story, *args)
        assert done.returncode == 1 and code in done.stderr and done.stdout == b"", (args, done.stderr)


def test_since_gives_what_later_events_changed_and_removed(story: Story) -> None:
    api, chaka, dede = story.api, story.workers["chaka"], story.workers["dede"]
    posting = api.post_worker(dede, "F-122", "2020-02-01")["position"]
    api.caught_up(api.ledger_position())
    full_before = bundle_of(story)
    since = datetime.now(UTC).isoformat()
    # After ``since``: a back-dated transfer of Chaka inside his first posting; Dede's posting retracted.
    api.transfer(chaka, "F-111", "2017-06-01")
    api.data(RETRACT, {"input": {"workerId": dede, "position": posting, "reason": "wrong worker"}})
    # And what changes no resource: a training of Awa's, an establishment at F-211.
    training = {"workerId": story.workers["awa"], "course": "PCIME", "startedOn": "2018-03-01"}
    record(api, "recordTraining", "RecordTrainingInput", training)
    decree = {"facilityCode": "F-211", "cadreCode": "NURSE-RN", "posts": 2, "effectiveOn": "2018-01-01"}
    record(api, "setEstablishment", "SetEstablishmentInput", decree)
    api.caught_up(api.ledger_position())
    feed = bundle_of(story, "--since", since)
    assert feed["type"] == "history" and feed["total"] == len(feed["entry"])
    puts = {e["request"]["url"] for e in feed["entry"] if e["request"]["method"] == "PUT"}
    deletes = {e["request"]["url"] for e in feed["entry"] if e["request"]["method"] == "DELETE"}
    assert {f"Practitioner/{chaka}", f"Practitioner/{dede}"} <= puts
    assert f"Practitioner/{story.workers['awa']}" not in puts and f"Practitioner/{story.workers['bina']}" not in puts
    assert "Location/F-211" not in puts
    # Dede's retracted posting: its role is deleted, and Dede has none left.
    (dede_role,) = [
        r for r in resources(full_before, "PractitionerRole").values() if r["practitioner"]["reference"].endswith(dede)
    ]
    assert deletes == {f"PractitionerRole/{dede_role['id']}"}
    assert role_periods(feed, dede) == expected_postings(story, dede) == []
    # Chaka's F-113 role lasts (same start, earlier end) and is put again; the new F-111 one is put.
    assert role_periods(feed, chaka) == expected_postings(story, chaka)
    assert ("F-111", date(2017, 6, 1), date(2018, 1, 1)) in role_periods(feed, chaka)
    chaka_before = {
        r["id"]
        for r in resources(full_before, "PractitionerRole").values()
        if r["practitioner"]["reference"].endswith(chaka)
    }
    assert chaka_before < set(resources(feed, "PractitionerRole"))
    # Every reference of the entries put resolves inside the feed; a full export now agrees with the feed.
    references = {ref for e in feed["entry"] if "resource" in e for ref in references_in(e["resource"])}
    assert references <= puts
    full_after = resources(bundle_of(story), "PractitionerRole")
    assert {r for r in full_after if full_after[r]["practitioner"]["reference"].endswith(chaka)} == {
        r
        for r, role in resources(feed, "PractitionerRole").items()
        if role["practitioner"]["reference"].endswith(chaka)
    }
