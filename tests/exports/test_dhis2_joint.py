"""Joint counts (``Staffing.breakdown``) and the DHIS2 export's two-dimension disaggregation.

Over random histories (back-dated events, retractions, a boundary change), every joint count read through
GraphQL equals the count recomputed from the exported log (``tests/reference.py``'s view of the ledger, for
any date and knownAt); the counts sum to the staffing figure and their one-dimension marginals are
Staffing's breakdowns. Then DESIGN's own mapping example exports, and a pair the mapping leaves out is named.
"""

import asyncio
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.access import Role, User
from api.exports.dhis2_mapping import ExportError, parse_mapping
from api.exports.dhis2_periods import parse_period
from api.exports.dhis2_session import export_dhis2
from api.exports.session import export_services
from api.operations import Refused, execute
from domain import commands as c
from domain.ledger import Ledger
from domain.values import CadreGroup, FundingSource, OrgUnitLevel, Sector, Sex
from tests.integration.projection_support import catch_up, fresh_ledger, reference, target_of
from tests.integration.test_projections import AREAS, START, Recorder, actions, days, record_history
from tests.reference import Reference

pytestmark = pytest.mark.integration

PLANNER = User("planner", Role.PLANNER)
PAIRS = [
    ("CADRE_GROUP", "SEX"),
    ("SECTOR", "FUNDING_SOURCE"),
    ("SEX", "CADRE_GROUP"),
    ("CADRE_GROUP",),
    ("AGE_BAND", "OWNERSHIP"),  # NHWA's dimensions, by the same machinery
    ("FACILITY_TYPE", "PLACE_OF_BIRTH", "OCCUPATION"),
]
OWNERS = {
    "PUBLIC": "public",
    "PARAPUBLIC": "public",
    "COMMUNITY": "private not-for-profit",
    "PRIVATE": "private for-profit",
}
FIGURES = {"HEADCOUNT": "headcount", "ON_LEAVE": "onLeave", "ACTIVE": "active", "QUALIFIED_ACTIVE": "qualifiedActive"}
MARGINALS = {"CADRE_GROUP": "byCadreGroup", "SEX": "bySex", "SECTOR": "bySector", "FUNDING_SOURCE": "byFundingSource"}
QUERY = """query($code: String!, $asOf: Date!, $knownAt: DateTime) {
  staffing(orgUnitCode: $code, asOf: $asOf, knownAt: $knownAt) {
    headcount onLeave active qualifiedActive
    byCadreGroup { key count } bySex { key count } bySector { key count } byFundingSource { key count }
    %s
  }
}"""


def breakdowns_query() -> str:
    asked = " ".join(
        f'{figure.lower()}{i}: breakdown(by: [{", ".join(pair)}], figure: {figure}, country: "ML") {{ keys count }}'
        for figure in FIGURES
        for i, pair in enumerate(PAIRS)
    )
    return QUERY % asked


def expected_counts(
    ref: Reference, code: str, day: date, known_at: datetime | None, dims: tuple[str, ...], figure: str
) -> dict[tuple[str, ...], int]:
    """The workers counted in ``figure`` by the dimensions together, from the events alone."""
    view = ref.view(known_at)
    counts: Counter[tuple[str, ...]] = Counter()
    for worker in view.worker_ids():
        if not view.in_post(worker, code, day):
            continue
        state = view.state_on(worker, day)
        cadre = view.cadres.get(state.cadre_code or "", {})
        counted = {
            "headcount": True,
            "onLeave": state.on_leave,
            "active": not state.on_leave,
            "qualifiedActive": not state.on_leave and bool(cadre.get("qualified")),
        }[figure]
        if not counted:
            continue
        identity = view.identity(worker)
        facility = view.opened(state.facility or "")
        kind = facility.data.get("facility_kind") if facility is not None else None
        born = identity.get("country_of_birth")
        traits = {
            "AGE_BAND": age_band(identity.get("birth_date"), day),
            "OWNERSHIP": OWNERS.get(identity.get("sector") or "", "unknown"),
            "FACILITY_TYPE": kind or "unknown",
            "PLACE_OF_BIRTH": "unknown" if born is None else "national" if born == "ML" else "foreign",
            "OCCUPATION": cadre.get("isco08") or "UNKNOWN",
            "CADRE_GROUP": cadre.get("group") or "OTHER",
            "SEX": identity.get("sex") or "UNKNOWN",
            "SECTOR": identity.get("sector") or "UNKNOWN",
            "FUNDING_SOURCE": identity.get("funding_source") or "UNKNOWN",
        }
        counts[tuple(traits[d] for d in dims)] += 1
    return dict(counts)


counted: list[int] = []  # the workers each random history's probes counted


def age_band(birth: str | None, day: date) -> str:
    """NHWA's age band of whole years on ``day`` (DESIGN, "Age")."""
    if birth is None:
        return "unknown"
    born = date.fromisoformat(birth)
    age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    for limit, band in ((25, "<25"), (35, "25-34"), (45, "35-44"), (55, "45-54"), (65, "55-64")):
        if age < limit:
            return band
    return "65+"


def ask(url: str, ledger: Ledger, user: User, document: str, many: list[dict[str, Any]]) -> list[Any]:
    async def answers() -> list[Any]:
        async with export_services(url, ledger, target_of(ledger)) as services:
            return [await execute(services, user, document, variables) for variables in many]

    return asyncio.run(answers())


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    steps=st.lists(actions, min_size=30, max_size=80),
    probes=st.lists(
        st.tuples(st.sampled_from(["ML", "ML", "ML", "R1", "R2", *AREAS]), days, st.just(0) | st.integers(0, 200)),
        min_size=4,
        max_size=6,
    ),
)
def test_joint_counts_equal_the_reference_sum_to_the_figure_and_give_the_breakdowns(
    database_url: str, steps: list[Any], probes: list[Any]
) -> None:
    with fresh_ledger(database_url) as ledger:
        record_history(ledger, steps)
        catch_up(database_url, ledger)
        ref = reference(ledger)
        asked = [
            {
                "code": code,
                "asOf": day.isoformat(),
                "knownAt": None if hours == 0 else (START + timedelta(hours=hours)).isoformat(),
            }
            for code, day, hours in probes
        ]
        # A planner reads them: aggregates only.
        for variables, answer in zip(asked, ask(database_url, ledger, PLANNER, breakdowns_query(), asked), strict=True):
            staffing = answer["staffing"]
            known_at = None if variables["knownAt"] is None else datetime.fromisoformat(variables["knownAt"])
            for figure, name in FIGURES.items():
                for i, pair in enumerate(PAIRS):
                    got = {tuple(c["keys"]): c["count"] for c in staffing[f"{figure.lower()}{i}"]}
                    day = date.fromisoformat(variables["asOf"])
                    assert got == expected_counts(ref, variables["code"], day, known_at, pair, name), (
                        variables,
                        figure,
                        pair,
                    )
                    assert sum(got.values()) == staffing[name]
                    counted.append(sum(got.values()))
                    if name == "active" and pair[0] in MARGINALS:  # Staffing's breakdowns split active
                        marginal: Counter[str] = Counter()
                        for keys, n in got.items():
                            marginal[keys[0]] += n
                        listed = {c["key"]: c["count"] for c in staffing[MARGINALS[pair[0]]]}
                        assert {k: n for k, n in marginal.items() if k in listed} == {
                            k: n for k, n in listed.items() if n
                        }


def test_the_random_histories_counted_workers() -> None:
    """Guards the property test above against probing only empty areas."""
    if counted:
        assert sum(counted) > 50, sum(counted)


# DESIGN's own mapping example ("Exports"), word for word.
DESIGN_EXAMPLE = {
    "idScheme": "CODE",
    "dataSet": "HRH_STAFFING",
    "orgUnits": {"ML": "MLI", "MOP": "MLI_MOPTI"},
    "dataValues": [
        {
            "figure": "qualifiedActive",
            "dataElement": "HRH_QUALIFIED",
            "disaggregate": ["cadreGroup", "sex"],
            "categoryOptionCombos": {"DOCTOR,FEMALE": "DOC_F", "DOCTOR,MALE": "DOC_M"},
        }
    ],
}


def doctors_story(ledger: Ledger) -> Recorder:
    """Mopti (MOP) under Mali (ML), two facilities, qualified doctors and an unqualified aide."""
    record = Recorder(ledger)
    opened = date(2015, 1, 1)
    assert record(c.OpenOrgUnit(code="ML", name="Mali", level=OrgUnitLevel.COUNTRY, opened_on=opened))
    assert record(
        c.OpenOrgUnit(code="MOP", name="Mopti", level=OrgUnitLevel.REGION, parent_code="ML", opened_on=opened)
    )
    for facility, parent in (("CS1", "MOP"), ("CS2", "ML")):
        assert record(
            c.OpenOrgUnit(
                code=facility, name=facility, level=OrgUnitLevel.FACILITY, parent_code=parent, opened_on=opened
            )
        )
    assert record(c.DefineCadre(code="MD", name="Médecin", group=CadreGroup.DOCTOR, qualified=True, isco08="2211"))
    assert record(c.DefineCadre(code="AIDE", name="Aide", group=CadreGroup.OTHER, qualified=False))
    return record


def hire(record: Recorder, cadre: str, sex: Sex, facility: str, day: date) -> None:
    assert record(
        c.HireWorker(
            family_name="Coulibaly",
            given_names="Fanta",
            sex=sex,
            birth_date=date(1985, 6, 1),
            cadre_code=cadre,
            sector=Sector.PUBLIC,
            funding_source=FundingSource.STATE,
            effective_on=day,
        )
    )
    assert record(c.PostWorker(worker_id=record.workers[-1], facility_code=facility, effective_on=day))


def test_designs_mapping_example_exports_joint_counts(database_url: str) -> None:
    with fresh_ledger(database_url) as ledger:
        record = doctors_story(ledger)
        for sex, facility in ((Sex.FEMALE, "CS1"), (Sex.FEMALE, "CS1"), (Sex.MALE, "CS2"), (Sex.FEMALE, "CS2")):
            hire(record, "MD", sex, facility, date(2017, 3, 1))
        hire(record, "AIDE", Sex.MALE, "CS1", date(2017, 3, 1))  # not qualified: not in qualifiedActive
        catch_up(database_url, ledger)
        done = asyncio.run(
            export_dhis2(
                database_url, ledger, parse_mapping(DESIGN_EXAMPLE), parse_period("2017"), target=target_of(ledger)
            )
        )
        sent = {(v["orgUnit"], v["categoryOptionCombo"]): v["value"] for v in done.document["dataValues"]}
        assert sent == {
            ("MLI", "DOC_F"): "3",
            ("MLI", "DOC_M"): "1",
            ("MLI_MOPTI", "DOC_F"): "2",
            ("MLI_MOPTI", "DOC_M"): "0",
        }
        assert {v["dataElement"] for v in done.document["dataValues"]} == {"HRH_QUALIFIED"}
        assert all(v["period"] == "2017" for v in done.document["dataValues"])

        # A pair with workers that the mapping does not list stops the export, named; nothing is dropped.
        active = {**DESIGN_EXAMPLE["dataValues"][0], "figure": "active"}  # type: ignore[dict-item]
        mapping = parse_mapping({**DESIGN_EXAMPLE, "dataValues": [active]})
        with pytest.raises(ExportError, match="'OTHER,MALE'") as refused:
            asyncio.run(export_dhis2(database_url, ledger, mapping, parse_period("2017"), target=target_of(ledger)))
        assert refused.value.code == "MAPPING_COMBINATION_MISSING"


def test_a_breakdown_without_dimensions_or_country_is_refused(database_url: str) -> None:
    with fresh_ledger(database_url) as ledger:
        doctors_story(ledger)
        catch_up(database_url, ledger)
        for by in ("[]", "[SEX, SEX]", "[PLACE_OF_BIRTH]"):
            document = (
                f'{{ staffing(orgUnitCode: "ML", asOf: "2017-12-31") {{ breakdown(by: {by}) {{ keys count }} }} }}'
            )

            async def answer(document: str = document) -> Any:
                async with export_services(database_url, ledger, target_of(ledger)) as services:
                    return await execute(services, PLANNER, document)

            with pytest.raises(Refused) as refused:
                asyncio.run(answer())
            assert refused.value.refusal.code == "BAD_USER_INPUT", by
