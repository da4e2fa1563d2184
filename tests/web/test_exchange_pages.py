"""The exchange pages over HTTP, as the signed-in user: the exports page's downloads (each file the one the
CLI writes for that user, and refused as the API refuses it), and the import page's template, upload, report
and annotated copy (the story of a whole import is in tests/browser/test_import_story.py)."""

import csv
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jsonschema
import pytest
import yaml
from openpyxl import load_workbook

from tests.web.auditpages_support import CSRF, Story, live_story

pytestmark = pytest.mark.integration

DHIS2_SCHEMA = json.loads((Path(__file__).parents[1] / "exports" / "dhis2.schema.json").read_text(encoding="utf-8"))
MAPPING = {
    "orgUnits": {"ML": "DHIS_ML", "ML-R1": "DHIS_R1", "ML-R2": "DHIS_R2"},
    "dataValues": [{"figure": "headcount", "dataElement": "HRH_HEADCOUNT"}],
}
ACTIVE = "query($code: String!, $on: Date!) { staffing(orgUnitCode: $code, asOf: $on) { active } }"
HEADCOUNT = "query($code: String!, $on: Date!) { staffing(orgUnitCode: $code, asOf: $on) { headcount } }"


@pytest.fixture(scope="module")
def story(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    yield from live_story(server_url, tmp_path_factory.mktemp("exchange_pages"))


def csrf_of(page: str) -> str:
    found = CSRF.search(page)
    assert found, page[:500]
    return found[1]


def test_the_dhis2_download_holds_the_api_figures_for_the_signed_in_user(story: Story) -> None:
    client = story.signed_in("planif")
    page = client.get("/exports")
    assert page.status_code == 200 and 'data-export="dhis2"' in page.text
    files = {"mapping": ("mapping.yaml", yaml.safe_dump(MAPPING).encode(), "application/yaml")}
    answer = client.post("/exports/dhis2", data={"csrf": csrf_of(page.text), "period": "2017"}, files=files)
    assert answer.status_code == 200, answer.text[answer.text.find("<main") :][:800]
    assert "attachment" in answer.headers["content-disposition"]
    document = answer.json()
    jsonschema.validate(document, DHIS2_SCHEMA)
    sent = {v["orgUnit"]: v["value"] for v in document["dataValues"]}
    assert int(answer.headers["x-ledger-position"]) >= story.at["F-111 decree"]
    for code, target in MAPPING["orgUnits"].items():
        wanted = story.graphql(HEADCOUNT, {"code": code, "on": "2017-12-31"})["staffing"]["headcount"]
        assert sent[target] == str(wanted), code
    assert sent["DHIS_R2"] == "1"  # Awa, at F-211 since 2017-03-01


def test_a_bad_mapping_or_period_is_refused_with_its_code(story: Story) -> None:
    client = story.signed_in("planif")
    token = csrf_of(client.get("/exports").text)
    bad = {"mapping": ("mapping.yaml", b"orgUnits: [not, a, table]\n", "application/yaml")}
    refused = client.post("/exports/dhis2", data={"csrf": token, "period": "2017"}, files=bad)
    assert refused.status_code == 400 and 'data-error-code="MAPPING_INVALID"' in refused.text
    good = {"mapping": ("mapping.yaml", yaml.safe_dump(MAPPING).encode(), "application/yaml")}
    refused = client.post("/exports/dhis2", data={"csrf": token, "period": "2017W1"}, files=good)
    assert refused.status_code == 400 and 'data-error-code="' in refused.text
    assert client.post("/exports/dhis2", data={"period": "2017"}, files=good).status_code == 403  # no CSRF token


def test_the_fhir_download_is_the_bundle_the_user_may_read(story: Story) -> None:
    answer = story.signed_in("auditrice").get("/exports/fhir.json")
    assert answer.status_code == 200, answer.text[:300]
    bundle = answer.json()
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    practitioners = {e["resource"]["id"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Practitioner"}
    assert practitioners == set(story.workers.values())
    roles = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "PractitionerRole"]
    awa_active = [r for r in roles if r["practitioner"]["reference"].endswith(story.workers["awa"]) and r["active"]]
    assert [r["location"][0]["reference"] for r in awa_active] == ["Location/F-211"]
    changes = story.signed_in("auditrice").get("/exports/fhir.json", params={"since": "2999-01-01"})
    assert changes.status_code == 200 and changes.json()["type"] == "history"
    refused = story.signed_in("planif").get("/exports/fhir.json")
    assert refused.status_code == 403 and 'data-error-code="FORBIDDEN"' in refused.text
    bad = story.signed_in("auditrice").get("/exports/fhir.json", params={"since": "yesterday"})
    assert bad.status_code == 400 and 'data-error-code="BAD_USER_INPUT"' in bad.text


def test_the_nhwa_download_totals_are_the_api_active_stock(story: Story) -> None:
    client = story.signed_in("planif")
    answer = client.get("/exports/nhwa.csv", params={"year": "2017"})
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-disposition"].endswith("position-" + answer.headers["x-ledger-position"] + '.csv"')
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    totals = {
        r["org_unit"]: r["value"]
        for r in rows
        if r["module"] == "1" and r["breakdown"] == "total" and r["occupation"] == "all"
    }
    for code in ("ML", "ML-R1", "ML-R2"):
        wanted = story.graphql(ACTIVE, {"code": code, "on": "2017-12-31"})["staffing"]["active"]
        assert totals[code] == str(wanted), code
    workbook = client.get("/exports/nhwa.xlsx", params={"year": "2017"})
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    refused = client.get("/exports/nhwa.csv", params={"year": "twenty"})
    assert refused.status_code == 400 and 'data-error-code="BAD_USER_INPUT"' in refused.text


def upload(client: httpx.Client, name: str, content: bytes) -> httpx.Response:
    token = csrf_of(client.get("/import").text)
    return client.post("/import", data={"csrf": token}, files={"file": (name, content, "application/octet-stream")})


def finished(client: httpx.Client, address: str) -> str:
    """The job's page once its check or recording is over."""
    for _ in range(120):
        page = client.get(address).text
        if 'http-equiv="refresh"' not in page:
            return page
        time.sleep(0.5)
    raise AssertionError(f"{address} still running")


def test_the_template_downloads_with_a_sheet_per_command_and_the_codes(story: Story) -> None:
    answer = story.signed_in("rh.d11").get("/import/template.xlsx")
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    assert (
        book.sheetnames[0] == "Lisez-moi" and "hireWorker" in book.sheetnames and "setEstablishment" in book.sheetnames
    )
    assert "F-111" in [c.value for c in book["codes"]["A"]] + [
        c.value for row in book["codes"].iter_rows() for c in row
    ]


def test_an_upload_is_checked_then_its_report_and_annotated_copy_are_the_uploader_s(story: Story) -> None:
    client = story.signed_in("rh.d11")
    content = "\ufeffcivilServiceNumber;facilityCode;effectiveOn\nMatricule;Structure;Date\nNOBODY-1;F-111;2024-01-03\n"
    sent = upload(client, "postWorker.csv", content.encode())
    assert sent.status_code == 303 and sent.headers["location"].startswith("/import/")
    page = finished(client, sent.headers["location"])
    assert 'data-phase="checked"' in page and 'data-count="refused">1<' in page
    assert 'data-error-code="NOT_FOUND" data-sheet="postWorker" data-row="3"' in page, page[page.find("<tbody") :]
    assert "data-confirm" not in page  # nothing to record
    annotated = client.get(sent.headers["location"] + "/errors.xlsx")
    assert annotated.status_code == 200
    rows = list(load_workbook(io.BytesIO(annotated.content))["postWorker"].iter_rows(values_only=True))
    assert "NOT_FOUND" in str(rows[2][-1])
    assert story.signed_in("auditrice").get(sent.headers["location"]).status_code == 404  # another user's


def test_an_upload_the_api_would_refuse_is_refused_and_kept_nowhere(story: Story) -> None:
    refused = upload(story.signed_in("planif"), "hireWorker.csv", b"familyName\n")
    assert refused.status_code == 403 and 'data-error-code="FORBIDDEN"' in refused.text
    not_a_sheet = upload(story.signed_in("rh.d11"), "photo.png", b"\x89PNG")
    assert not_a_sheet.status_code == 400 and 'data-error-code="BAD_USER_INPUT"' in not_a_sheet.text
