"""``hrh export dhis2`` over real read tables: the document is valid against the schema written from
DHIS2's documentation, its totals equal GraphQL's, and none of iHRIS's DHIS2 bugs comes back."""

import asyncio
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from api.access import Role, User
from api.exports import dhis2
from api.exports.dhis2 import Export
from api.exports.dhis2_mapping import ExportError, parse_mapping
from api.exports.dhis2_periods import parse_period
from api.exports.dhis2_session import export_dhis2
from api.exports.session import OPERATOR, UserRefused, export_services
from api.operations import Refused, execute
from domain import commands as c
from domain.ledger import Ledger
from domain.values import DepartureReason, LeaveKind, Sex
from tests.integration.projection_support import catch_up, fresh_ledger, target_of
from tests.integration.test_projections import FACILITIES, Recorder, hire_command, org_tree

pytestmark = pytest.mark.integration

SCHEMA = json.loads((Path(__file__).parents[1] / "exports" / "dhis2.schema.json").read_text(encoding="utf-8"))
UNITS = ["ML", "R1", "R2", "D1", "D2", "D3", *FACILITIES]
GROUPS = {"DOCTOR": "DOC", "NURSE": "NUR", "MIDWIFE": "MID", "PHARMACIST": "PHA", "OTHER": "OTH"}
MAPPING = parse_mapping(
    {
        "idScheme": "CODE",
        "dataSet": "HRH_STAFFING",
        "orgUnits": {code: f"DHIS_{code}" for code in UNITS},
        "dataValues": [
            {"figure": figure, "dataElement": f"HRH_{figure.upper()}"}
            for figure in ("headcount", "onLeave", "active", "qualifiedActive", "entries", "exits", "posts", "filled")
        ]
        + [
            {"figure": "active", "dataElement": "HRH_ACTIVE_GROUP", "disaggregate": ["cadreGroup"],
             "categoryOptionCombos": GROUPS},
            {"figure": "active", "dataElement": "HRH_ACTIVE_SEX", "disaggregate": ["sex"],
             "categoryOptionCombos": {"FEMALE": "F", "MALE": "M"}},
            {"figure": "vacant", "dataElement": "HRH_VACANT_GROUP", "disaggregate": ["cadreGroup"],
             "categoryOptionCombos": GROUPS},
        ],
    }
)  # fmt: skip


class Story:
    """The ledger the tests read, and the moment that splits its first records from the later ones."""

    def __init__(self, ledger: Ledger, record: Recorder) -> None:
        self.ledger, self.record = ledger, record
        self.split = record.now


def hired(record: Recorder, day: date, cadre: str, sex: Sex, facility: str) -> Any:
    assert record(hire_command(day, cadre, sex))
    worker = record.workers[-1]
    assert record(c.PostWorker(worker_id=worker, facility_code=facility, effective_on=day))
    return worker


@pytest.fixture(scope="module")
def story(database_url: str) -> Iterator[Story]:
    with fresh_ledger(database_url) as ledger:
        record = Recorder(ledger)
        org_tree(record)
        hired(record, date(2017, 1, 10), "NURSE", Sex.FEMALE, "F1")
        departing = hired(record, date(2017, 2, 1), "MIDWIFE", Sex.MALE, "F3")
        # iHRIS counted roles that had ended: this posting ends with a departure in Q4.
        assert record(
            c.RecordDeparture(worker_id=departing, reason=DepartureReason.RETIREMENT, effective_on=date(2017, 11, 15))
        )
        moving = hired(record, date(2017, 3, 1), "NURSE", Sex.MALE, "F4")
        assert record(c.TransferWorker(worker_id=moving, to_facility_code="F2", effective_on=date(2017, 10, 5)))
        resting = hired(record, date(2017, 4, 1), "AIDE", Sex.FEMALE, "F2")
        assert record(c.StartLeave(worker_id=resting, kind=LeaveKind.STUDY, effective_on=date(2017, 12, 1)))
        # More workers than a page of any GraphQL list (50): iHRIS read only the first page.
        for n in range(60):
            hired(record, date(2017, 5, 1) + timedelta(days=n), "NURSE", Sex.FEMALE if n % 2 else Sex.MALE, "F3")
        assert record(
            c.SetEstablishment(facility_code="F1", cadre_code="NURSE", posts=3, effective_on=date(2017, 1, 1))
        )
        made = Story(ledger, record)
        # After the split: Q4 events first, then a correction of the worker hired in 2017Q1 (no effective
        # date of its own: it changes that worker's figures from the hire on), on a later page of the trail.
        made.split = record.now + timedelta(minutes=30)
        record.now += timedelta(hours=1)
        for n in range(4):
            hired(record, date(2017, 10, 2) + timedelta(days=n), "MIDWIFE", Sex.FEMALE, "F4")
        assert record(c.CorrectWorkerDetails(worker_id=departing, sex=Sex.FEMALE))
        catch_up(database_url, ledger)
        yield made


def exported(url: str, story: Story, period: str, **options: Any) -> Export:
    mapping = options.pop("mapping", MAPPING)
    return asyncio.run(
        export_dhis2(url, story.ledger, mapping, parse_period(period), target=target_of(story.ledger), **options)
    )


def values(done: Export) -> dict[tuple[str, str, str, str], int]:
    """The document's values by (data element, period, org unit, category option combo)."""
    found = {}
    for v in done.document["dataValues"]:
        assert isinstance(v["value"], str)
        key = (v["dataElement"], v["period"], v["orgUnit"], v.get("categoryOptionCombo", ""))
        assert key not in found, f"sent twice: {key}"
        found[key] = int(v["value"])
    return found


def graphql(url: str, story: Story, query: str, variables: dict[str, Any]) -> Any:
    async def ask() -> Any:
        async with export_services(url, story.ledger, target_of(story.ledger)) as services:
            return await execute(services, OPERATOR, query, variables)

    return asyncio.run(ask())


def test_the_document_is_valid_dhis2_and_states_what_it_reflects(database_url: str, story: Story) -> None:
    done = exported(database_url, story, "2017Q4")
    jsonschema.validate(done.document, SCHEMA)
    assert done.document["idScheme"] == "CODE" and done.document["dataSet"] == "HRH_STAFFING"
    head = graphql(database_url, story, "{ chainHead { position } }", {})["chainHead"]["position"]
    assert done.position == head
    assert f"position {head}" in done.statement() and done.suggested_name() == f"hrh-dhis2-2017Q4-position-{head}.json"
    # Quarters are labelled 2017Q4, never as a month.
    assert {v["period"] for v in done.document["dataValues"]} == {"2017Q4"}
    assert {v["orgUnit"] for v in done.document["dataValues"]} == {f"DHIS_{u}" for u in UNITS}


def test_totals_equal_graphql_for_every_unit(database_url: str, story: Story) -> None:
    done = values(exported(database_url, story, "2017Q4"))
    query = (
        'query($u: String!) { staffing(orgUnitCode: $u, asOf: "2017-12-31") '
        "{ headcount onLeave active qualifiedActive bySex { key count } } }"
    )
    for unit in UNITS:
        answer = graphql(database_url, story, query, {"u": unit})["staffing"]
        for figure in ("headcount", "onLeave", "active", "qualifiedActive"):
            assert done[(f"HRH_{figure.upper()}", "2017Q4", f"DHIS_{unit}", "")] == answer[figure]
        for count in answer["bySex"]:
            assert done[("HRH_ACTIVE_SEX", "2017Q4", f"DHIS_{unit}", count["key"][0])] == count["count"]
    series = (
        'query($u: String!) { densitySeries(orgUnitCode: $u, from: "2017-10-01", to: "2017-12-31", '
        "interval: QUARTER) { period entries exits } }"
    )
    for unit in UNITS:
        (point,) = graphql(database_url, story, series, {"u": unit})["densitySeries"]
        assert done[("HRH_ENTRIES", "2017Q4", f"DHIS_{unit}", "")] == point["entries"]
        assert done[("HRH_EXITS", "2017Q4", f"DHIS_{unit}", "")] == point["exits"]


def test_ended_postings_are_not_counted_and_flows_cross_boundaries(database_url: str, story: Story) -> None:
    done = values(exported(database_url, story, "2017Q4"))
    q3 = values(exported(database_url, story, "2017Q3"))
    # The midwife who retired on 2017-11-15 was in post at F3 at the end of Q3, not at the end of Q4.
    assert q3[("HRH_HEADCOUNT", "2017Q3", "DHIS_F3", "")] == 61
    assert done[("HRH_HEADCOUNT", "2017Q4", "DHIS_F3", "")] == 60
    assert done[("HRH_EXITS", "2017Q4", "DHIS_F3", "")] == 1
    # The transfer F4 (R2) -> F2 (R1) is an entry of R1 and an exit of R2, but no flow of the country.
    assert done[("HRH_ENTRIES", "2017Q4", "DHIS_R1", "")] == 1
    assert done[("HRH_EXITS", "2017Q4", "DHIS_R2", "")] == 1
    assert done[("HRH_ENTRIES", "2017Q4", "DHIS_ML", "")] == 4  # the four midwives hired and posted at F4
    # On leave at the end of Q4: counted in headcount, not in active.
    assert done[("HRH_ONLEAVE", "2017Q4", "DHIS_F2", "")] == 1
    assert done[("HRH_VACANT_GROUP", "2017Q4", "DHIS_F1", "NUR")] == 2


def test_a_region_includes_all_of_its_facilities_without_double_counting(database_url: str, story: Story) -> None:
    done = values(exported(database_url, story, "2017"))
    tree = {"ML": ["R1", "R2"], "R1": ["D1", "D2"], "R2": ["D3"], "D1": ["F1", "F2"], "D2": ["F3"], "D3": ["F4"]}
    elements = {key[0] for key in done}
    for element in elements - {"HRH_ENTRIES", "HRH_EXITS"}:  # flows between children cancel in the parent
        for parent, children in tree.items():
            for combo in {key[3] for key in done if key[0] == element}:
                whole = done[(element, "2017", f"DHIS_{parent}", combo)]
                assert whole == sum(done[(element, "2017", f"DHIS_{child}", combo)] for child in children), element
    # 67 workers in post at the end of 2017 (68 hired, one retired), counted once in the country.
    assert done[("HRH_HEADCOUNT", "2017", "DHIS_ML", "")] == 67


def test_changed_since_sends_every_period_from_the_earliest_change(
    database_url: str, story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dhis2, "TRAIL_PAGE", 2)  # the correction lies on a later page of the trail
    done = exported(database_url, story, "2017Q4", changed_since=story.split)
    jsonschema.validate(done.document, SCHEMA)
    # The correction of the worker hired on 2017-02-01 reaches back to 2017Q1.
    assert [p.label for p in done.periods] == ["2017Q1", "2017Q2", "2017Q3", "2017Q4"]
    assert {v["period"] for v in done.document["dataValues"]} == {"2017Q1", "2017Q2", "2017Q3", "2017Q4"}
    months = exported(database_url, story, "201712", changed_since=story.split)
    assert months.periods[0].label == "201702" and months.periods[-1].label == "201712"
    nothing = exported(database_url, story, "2017Q4", changed_since=story.record.now + timedelta(days=1))
    assert nothing.periods == [] and nothing.document["dataValues"] == []


def test_unit_sends_the_mapped_units_of_its_subtree(database_url: str, story: Story) -> None:
    done = exported(database_url, story, "2017Q4", unit="R2")
    assert {v["orgUnit"] for v in done.document["dataValues"]} == {"DHIS_R2", "DHIS_D3", "DHIS_F4"}
    with pytest.raises(ExportError) as refused:
        exported(database_url, story, "2017Q4", unit="NOWHERE")
    assert refused.value.code == "NOT_FOUND"


def test_a_planner_exports_figures_but_cannot_read_the_audit_trail(database_url: str, story: Story) -> None:
    async def as_planner(**options: Any) -> Export:
        async with export_services(database_url, story.ledger, target_of(story.ledger)) as services:
            planner = User("planner", Role.PLANNER)
            return await dhis2.data_value_sets(services, planner, MAPPING, parse_period("2017Q4"), **options)

    assert asyncio.run(as_planner()).document["dataValues"]
    with pytest.raises(Refused) as refused:
        asyncio.run(as_planner(changed_since=story.split))
    assert refused.value.refusal.code == "FORBIDDEN"


def test_an_unknown_user_is_named(database_url: str, story: Story) -> None:
    with pytest.raises(UserRefused) as refused:
        exported(database_url, story, "2017Q4", user="nobody")
    assert refused.value.code == "UNKNOWN_USER"


def test_a_retraction_reaches_back_over_the_workers_career(database_url: str) -> None:
    with fresh_ledger(database_url) as ledger:
        record = Recorder(ledger)
        org_tree(record)
        worker = hired(record, date(2017, 2, 1), "NURSE", Sex.FEMALE, "F1")
        assert record(c.StartLeave(worker_id=worker, kind=LeaveKind.SICK, effective_on=date(2017, 11, 1)))
        story = Story(ledger, record)
        story.split = record.now + timedelta(minutes=30)
        record.now += timedelta(hours=1)
        leave = record.positions[worker][-1]
        assert record(c.RetractEvent(worker_id=worker, position=leave, reason="recorded for the wrong worker"))
        catch_up(database_url, ledger)
        done = exported(database_url, story, "2017Q4", changed_since=story.split)
        assert [p.label for p in done.periods] == ["2017Q1", "2017Q2", "2017Q3", "2017Q4"]
        assert values(done)[("HRH_ONLEAVE", "2017Q4", "DHIS_F1", "")] == 0
        assert values(done)[("HRH_ACTIVE", "2017Q4", "DHIS_F1", "")] == 1
