"""The GraphQL API end to end, as its users meet it: a live ``hrh serve`` on a free port, its own scratch database,
an org tree built through the API itself, and the stories of an HR manager, an auditor and a planner, plus concurrent
writers and unauthenticated callers, all over HTTP.
"""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.api_support import (
    AUDIT,
    DEPART,
    END_LEAVE,
    HIRE,
    NO_TOKEN,
    POST,
    RETRACT,
    START_LEAVE,
    TRAINING,
    TRANSFER,
    WORKER,
    Api,
    codes_of,
    errors_of,
    hrh,
    live_server,
)

pytestmark = pytest.mark.integration

HR_NAME = "Fatou Keita (HR D11)"
REGION_HR_NAME = "Moussa Traore (HR R1)"
AUDITOR_NAME = "Awa Sidibe (audit)"
PLANNER_NAME = "Paul Dembele (planning)"


@pytest.fixture(scope="module")
def api(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with live_server(server_url, tmp_path_factory.mktemp("api_stories")) as live:
        live.create_user(HR_NAME, "HR_MANAGER", "ML-D11")
        live.create_user(REGION_HR_NAME, "HR_MANAGER", "ML-R1")
        live.create_user(PLANNER_NAME, "PLANNER")
        # The auditor comes from the command line, as an operator would create one.
        made = hrh("users", "add", AUDITOR_NAME, "--role", "AUDITOR", env=live.env)
        assert made.returncode == 0, made.stderr
        live.tokens[AUDITOR_NAME] = made.stdout.strip()
        assert len(live.tokens[AUDITOR_NAME]) >= 24
        yield live


def kinds(history: list[dict[str, Any]]) -> list[str]:
    return [m["kind"] for m in history]


def moves(history: list[dict[str, Any]]) -> list[tuple[str, str, str | None, str | None]]:
    """(kind, effectiveOn, from, to) of each movement."""
    return [
        (m["kind"], m["effectiveOn"], (m["fromFacility"] or {}).get("code"), (m["toFacility"] or {}).get("code"))
        for m in history
    ]


def test_users_are_created_by_admins_only_and_with_a_valid_scope(api: Api) -> None:
    create = "mutation($i: CreateUserInput!) { createUser(input: $i) { token } }"
    before = api.ledger_position()
    for token in (api.tokens[HR_NAME], api.tokens[AUDITOR_NAME], api.tokens[PLANNER_NAME]):
        assert api.refused(create, {"i": {"name": "Intruder", "role": "ADMIN"}}, token) == "FORBIDDEN"
    assert api.refused(create, {"i": {"name": "No scope", "role": "HR_MANAGER"}}) == "BAD_USER_INPUT"
    assert api.refused(create, {"i": {"name": "Nowhere", "role": "HR_MANAGER", "scopeCode": "XX"}}) == "NOT_FOUND"
    assert api.refused(create, {"i": {"name": HR_NAME, "role": "PLANNER"}}) == "DUPLICATE_CODE"
    # A user made by hrh users add is a real user of the API.
    who = api.data("query { cadres { code group qualified } }", token=api.tokens[AUDITOR_NAME])
    assert {(c["code"], c["group"], c["qualified"]) for c in who["cadres"]} == {
        ("NURSE-RN", "NURSE", True),
        ("OTHER-CLEAN", "OTHER", False),
    }
    assert api.ledger_position() == before  # users are not workforce history


def test_an_hr_manager_records_a_career_inside_their_district(api: Api) -> None:
    hr = api.tokens[HR_NAME]
    hired = api.hire("Diarra", hr, on="2016-01-04", civilServiceNumber="CSN-HR-0001")
    worker_id = hired["worker"]["id"]
    assert moves(hired["worker"]["history"]) == [("HIRED", "2016-01-04", None, None)]
    assert hired["worker"]["history"][0]["recordedBy"] == HR_NAME
    assert hired["worker"]["facility"] is None

    posted = api.post_worker(worker_id, "F-111", "2016-02-01", hr)
    assert posted["worker"]["status"] == "POSTED"
    assert posted["worker"]["facility"] == {"code": "F-111"}

    # Outside the district: refused, and nothing is written anywhere.
    position, trail = api.ledger_position(), api.audit(workerId=worker_id)
    outside = {"input": {"workerId": worker_id, "facilityCode": "F-211", "effectiveOn": "2016-03-01"}}
    assert api.refused(POST, outside, hr) == "WORKER_ALREADY_POSTED"  # in scope: the domain's reason comes first
    newcomer = api.hire("Coulibaly", hr, on="2016-01-04")["worker"]["id"]
    position = api.ledger_position()
    elsewhere = {"input": {"workerId": newcomer, "facilityCode": "F-211", "effectiveOn": "2016-03-01"}}
    assert api.refused(POST, elsewhere, hr) == "FORBIDDEN"
    assert api.ledger_position() == position
    assert api.audit(workerId=worker_id) == trail
    # A worker of another district cannot be moved into this one by this HR manager either.
    stranger = api.hire("Sissoko", on="2016-01-04")["worker"]["id"]
    api.post_worker(stranger, "F-121", "2016-02-01")
    position, stranger_trail = api.ledger_position(), api.audit(workerId=stranger)
    into_scope = {"input": {"workerId": stranger, "toFacilityCode": "F-112", "effectiveOn": "2016-06-01"}}
    assert api.refused(TRANSFER, into_scope, hr) == "FORBIDDEN"
    org = {"code": "F-999", "name": "Rogue", "level": "FACILITY", "parentCode": "ML-D11", "openedOn": "2016-01-01"}
    assert api.refused("mutation($i: OpenOrgUnitInput!) { openOrgUnit(input: $i) { position } }", {"i": org}, hr) == (
        "FORBIDDEN"
    )
    assert api.ledger_position() == position
    assert api.audit(workerId=worker_id) == trail
    assert api.audit(workerId=stranger) == stranger_trail
    assert api.worker(stranger)["facility"] == {"code": "F-121"}
    assert api.worker(worker_id, hr)["facility"] == {"code": "F-111"}
    # Nor may they read the other district's workers.
    assert api.refused(WORKER, {"id": stranger}, hr) == "FORBIDDEN"
    assert api.refused('query { workers(orgUnitCode: "ML-D12") { totalCount } }', token=hr) == "FORBIDDEN"

    assert api.transfer(worker_id, "F-112", "2017-03-01", hr) > position
    course = {
        "workerId": worker_id,
        "course": "IMCI",
        "kind": "IN_SERVICE",
        "provider": "INRSP",
        "startedOn": "2017-05-02",
        "endedOn": "2017-05-12",
        "outcome": "PASSED",
    }
    trained = api.data(TRAINING, {"input": course}, hr)["recordTraining"]["worker"]
    assert trained["trainings"] == [
        {
            "course": "IMCI",
            "kind": "IN_SERVICE",
            "provider": "INRSP",
            "startedOn": "2017-05-02",
            "endedOn": "2017-05-12",
            "outcome": "PASSED",
        }
    ]

    leave = {"input": {"workerId": worker_id, "kind": "MATERNITY", "effectiveOn": "2018-01-08"}}
    on_leave = api.data(START_LEAVE, leave, hr)["startLeave"]
    assert on_leave["worker"]["status"] == "ON_LEAVE"
    assert api.refused(START_LEAVE, leave, hr) == "ALREADY_ON_LEAVE"
    # On leave still counts in post (headcount), not as active.
    figures = 'query($d: Date!) { staffing(orgUnitCode: "F-112", asOf: $d) { headcount onLeave active } }'
    api.caught_up(on_leave["position"], hr)
    assert api.data(figures, {"d": "2018-02-01"}, hr)["staffing"] == {"headcount": 1, "onLeave": 1, "active": 0}
    back = api.data(END_LEAVE, {"input": {"workerId": worker_id, "effectiveOn": "2018-06-01"}}, hr)["endLeave"]
    assert back["worker"]["status"] == "POSTED"
    assert api.data(figures, {"d": "2018-06-01"}, hr)["staffing"] == {"headcount": 1, "onLeave": 0, "active": 1}
    assert api.data(figures, {"d": "2018-05-31"}, hr)["staffing"] == {"headcount": 1, "onLeave": 1, "active": 0}

    api.transfer(worker_id, "F-113", "2019-02-01", hr)
    listed = api.data("query { workers(status: POSTED) { edges { node { id facility { code } } } } }", token=hr)
    assert {"id": worker_id, "facility": {"code": "F-113"}} in [e["node"] for e in listed["workers"]["edges"]]

    departure = {"input": {"workerId": worker_id, "reason": "RESIGNATION", "effectiveOn": "2020-06-30"}}
    departed = api.data(DEPART, departure, hr)["recordDeparture"]["worker"]
    assert departed["status"] == "DEPARTED"
    assert departed["facility"] is None
    again = {"input": {"workerId": worker_id, "toFacilityCode": "F-111", "effectiveOn": "2021-01-04"}}
    position = api.ledger_position()
    assert api.refused(TRANSFER, again) == "WORKER_DEPARTED"
    assert api.refused(TRANSFER, again, hr) in {"WORKER_DEPARTED", "FORBIDDEN"}
    assert api.ledger_position() == position

    history = api.worker(worker_id)["history"]  # as ADMIN
    assert history == departed["history"]
    assert moves(history) == [
        ("HIRED", "2016-01-04", None, None),
        ("POSTED", "2016-02-01", None, "F-111"),
        ("TRANSFERRED", "2017-03-01", "F-111", "F-112"),
        ("TRAINING_RECORDED", "2017-05-02", None, None),
        ("LEAVE_STARTED", "2018-01-08", None, None),
        ("LEAVE_ENDED", "2018-06-01", None, None),
        ("TRANSFERRED", "2019-02-01", "F-112", "F-113"),
        ("DEPARTED", "2020-06-30", "F-113", None),
    ]
    assert {m["recordedBy"] for m in history} == {HR_NAME}
    assert not any(m["retracted"] or m["backdated"] for m in history)
    positions = [m["position"] for m in history]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    recorded = [datetime.fromisoformat(m["recordedAt"]) for m in history]
    assert all(t.tzinfo is not None for t in recorded) and recorded == sorted(recorded)
    # The audit trail, filtered by recorder, shows the same events in ledger order.
    mine = api.audit(recordedBy=HR_NAME, first=3)
    assert {e["recordedBy"] for e in mine} == {HR_NAME}
    assert [e["position"] for e in mine if e["aggregateId"] == worker_id] == positions
    assert [e["kind"] for e in mine if e["aggregateId"] == worker_id] == kinds(history)


def test_an_auditor_traces_a_backdated_transfer_and_a_retraction(api: Api) -> None:
    hr, auditor = api.tokens[REGION_HR_NAME], api.tokens[AUDITOR_NAME]
    worker_id = api.hire("Traore", hr, on="2016-03-01", civilServiceNumber="CSN-AUD-0001")["worker"]["id"]
    api.post_worker(worker_id, "F-121", "2016-04-01", hr)
    late = api.transfer(worker_id, "F-122", "2019-01-01", hr)
    before = api.worker(worker_id, auditor)["history"]
    assert moves(before)[-1] == ("TRANSFERRED", "2019-01-01", "F-121", "F-122")
    # Recorded after the 2019 transfer, effective before it.
    backdated = api.transfer(worker_id, "F-111", "2017-06-01", hr)
    assert backdated > late
    leave = {"input": {"workerId": worker_id, "kind": "SICK", "effectiveOn": "2020-01-06"}}
    leave_position = api.data(START_LEAVE, leave, hr)["startLeave"]["position"]
    assert api.worker(worker_id, auditor)["status"] == "ON_LEAVE"
    # Retracting the posting would leave the transfers with no origin: refused, nothing written.
    position = api.ledger_position()
    posting = next(m["position"] for m in before if m["kind"] == "POSTED")
    breaking = {"input": {"workerId": worker_id, "position": posting, "reason": "typo"}}
    assert api.refused(RETRACT, breaking, hr) == "RETRACTION_BREAKS_TIMELINE"
    assert api.ledger_position() == position
    retract = {"input": {"workerId": worker_id, "position": leave_position, "reason": "entered on the wrong worker"}}
    retraction = api.data(RETRACT, retract, hr)["retractEvent"]["position"]
    assert api.refused(RETRACT, retract | {"input": retract["input"] | {"reason": "twice"}}, hr) == "NOT_RETRACTABLE"

    worker = api.worker(worker_id, auditor)
    assert worker["familyName"] == "Traore"  # auditors read personal data
    assert worker["status"] == "POSTED"
    assert worker["facility"] == {"code": "F-122"}
    history = worker["history"]
    by_position = {m["position"]: m for m in history}
    assert moves([m for m in history if m["kind"] != "RETRACTED"]) == [
        ("HIRED", "2016-03-01", None, None),
        ("POSTED", "2016-04-01", None, "F-121"),
        ("TRANSFERRED", "2017-06-01", "F-121", "F-111"),
        # The later transfer now starts where the timeline says the worker was: F-111, not F-121.
        ("TRANSFERRED", "2019-01-01", "F-111", "F-122"),
        ("LEAVE_STARTED", "2020-01-06", None, None),
    ]
    assert by_position[backdated]["backdated"] is True
    assert by_position[late]["backdated"] is False
    assert by_position[leave_position]["retracted"] is True
    assert [m["position"] for m in history if m["retracted"]] == [leave_position]
    assert by_position[retraction]["kind"] == "RETRACTED"
    assert {m["recordedBy"] for m in history} == {REGION_HR_NAME}
    effective = [m["effectiveOn"] for m in history]
    assert effective == sorted(effective)

    # The audit trail, paged two entries at a time with keyset cursors, is the whole trail, in ledger order.
    whole = api.data(AUDIT, {"workerId": worker_id, "first": 500}, auditor)["auditTrail"]
    assert whole["pageInfo"]["hasNextPage"] is False
    entries = [e["node"] for e in whole["edges"]]
    pages, after, seen_cursors = [], None, set()
    while True:
        page = api.data(AUDIT, {"workerId": worker_id, "first": 2, "after": after}, auditor)["auditTrail"]
        assert 1 <= len(page["edges"]) <= 2
        pages.append([e["node"] for e in page["edges"]])
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        seen_cursors.update(e["cursor"] for e in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert [e for page in pages for e in page] == entries
    assert len(pages) == (len(entries) + 1) // 2 and len(seen_cursors) == len(entries)
    assert [e["position"] for e in entries] == sorted(by_position)
    assert {e["aggregateId"] for e in entries} == {worker_id}
    assert [(e["position"], e["kind"], e["backdated"], e["retracted"]) for e in entries] == [
        (m["position"], m["kind"], m["backdated"], m["retracted"]) for m in sorted(history, key=lambda m: m["position"])
    ]
    # After the last cursor there is nothing; filtering by recorder keeps only theirs.
    tail = api.data(AUDIT, {"workerId": worker_id, "after": whole["edges"][-1]["cursor"]}, auditor)
    assert tail["auditTrail"] == {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}
    assert api.audit(auditor, workerId=worker_id, recordedBy=HR_NAME, first=2) == []
    theirs = api.audit(auditor, recordedBy=REGION_HR_NAME, first=4)
    assert {e["recordedBy"] for e in theirs} == {REGION_HR_NAME}
    assert [e for e in theirs if e["aggregateId"] == worker_id] == entries

    # An auditor writes nothing.
    position = api.ledger_position()
    refused = [
        (TRANSFER, {"input": {"workerId": worker_id, "toFacilityCode": "F-121", "effectiveOn": "2021-01-04"}}),
        (RETRACT, {"input": {"workerId": worker_id, "position": backdated, "reason": "audit"}}),
        (
            HIRE,
            {
                "input": {
                    "familyName": "Ghost",
                    "givenNames": "G",
                    "sex": "MALE",
                    "cadreCode": "NURSE-RN",
                    "sector": "PUBLIC",
                    "fundingSource": "STATE",
                    "effectiveOn": "2020-01-01",
                }
            },
        ),
        (
            "mutation($i: RecordPopulationInput!) { recordPopulation(input: $i) { position } }",
            {"i": {"orgUnitCode": "ML", "year": 2020, "population": 1}},
        ),
        ("mutation($i: CreateUserInput!) { createUser(input: $i) { token } }", {"i": {"name": "X", "role": "ADMIN"}}),
    ]
    for query, variables in refused:
        assert api.refused(query, variables, auditor) == "FORBIDDEN"
    assert api.ledger_position() == position
    assert api.worker(worker_id, auditor)["history"] == history


# The planner's region, ML-R2 (facilities F-211 and F-212), holds only these workers. Each is
# (family name, sex, cadre, [(effective date, facility or None when departed)]).
PLANNED = [
    ("Keita", "FEMALE", "NURSE-RN", [("2016-03-01", "F-211")]),
    ("Coulibaly", "MALE", "OTHER-CLEAN", [("2018-05-10", "F-212"), ("2023-01-15", "F-121")]),
    ("Sangare", "FEMALE", "NURSE-RN", [("2020-02-01", "F-211"), ("2022-11-30", None)]),
    ("Diallo", "MALE", "NURSE-RN", [("2017-01-02", "F-121"), ("2021-08-02", "F-212")]),
]
KEITA_LEAVE = (date(2019, 1, 1), date(2019, 7, 1))  # starts covered, ends not covered
REGION_2 = {"F-211", "F-212"}


def nonzero(counts: list[dict[str, Any]]) -> dict[str, int]:
    return {c["key"]: c["count"] for c in counts if c["count"]}


def place(moves_: list[tuple[str, str | None]], day: date) -> str | None:
    where = None
    for on, facility in moves_:
        if date.fromisoformat(on) <= day:
            where = facility
    return where


def expected_point(day: date, start: date) -> dict[str, Any]:
    """Active, qualified active, entries and exits of ML-R2, from scratch (DESIGN, "Definitions")."""
    active = qualified = entries = exits = 0
    for name, _, cadre, moves_ in PLANNED:
        if place(moves_, day) in REGION_2 and not (name == "Keita" and KEITA_LEAVE[0] <= day < KEITA_LEAVE[1]):
            active += 1
            qualified += cadre == "NURSE-RN"
        for on, facility in moves_:
            when = date.fromisoformat(on)
            if start <= when <= day:
                origin = place(moves_, when - timedelta(days=1))
                entries += facility in REGION_2 and origin not in REGION_2
                exits += origin in REGION_2 and facility not in REGION_2
    population = 50_000 + 1_000 * (day.year - 2015)
    return {
        "active": active,
        "qualifiedActive": qualified,
        "population": population,
        "entries": entries,
        "exits": exits,
    }


def quarters(first_year: int, last_year: int) -> Iterator[tuple[str, date, date]]:
    for year in range(first_year, last_year + 1):
        for q in range(1, 5):
            start = date(year, 3 * q - 2, 1)
            end = date(year + (q == 4), (3 * q) % 12 + 1, 1) - timedelta(days=1)
            yield f"{year}Q{q}", start, end


def record_planned_workers(api: Api) -> tuple[datetime, list[str]]:
    """Records the planner's region; returns a moment after the first worker's events and before the others',
    and the workers' ids."""
    moment, ids = None, []
    for index, (name, sex, cadre, moves_) in enumerate(PLANNED):
        first_on = moves_[0][0]
        worker_id = api.hire(name, on=first_on, sex=sex, cadreCode=cadre, birthDate=None)["worker"]["id"]
        ids.append(worker_id)
        if index == 1:
            hired_at = datetime.fromisoformat(api.worker(worker_id)["history"][0]["recordedAt"])
            assert moment is not None and hired_at > moment
            moment += (hired_at - moment) / 2
        api.post_worker(worker_id, str(moves_[0][1]), first_on)
        for on, facility in moves_[1:]:
            if facility is None:
                api.data(DEPART, {"input": {"workerId": worker_id, "reason": "RETIREMENT", "effectiveOn": on}})
            else:
                api.transfer(worker_id, facility, on)
        if name == "Keita":
            start, end = (d.isoformat() for d in KEITA_LEAVE)
            api.data(START_LEAVE, {"input": {"workerId": worker_id, "kind": "STUDY", "effectiveOn": start}})
            ended = api.data(END_LEAVE, {"input": {"workerId": worker_id, "effectiveOn": end}})["endLeave"]
            api.caught_up(ended["position"])
            last = api.worker(worker_id)["history"][-1]
            assert last["kind"] == "LEAVE_ENDED"
            moment = datetime.fromisoformat(last["recordedAt"])
    assert moment is not None
    return moment, ids


STAFFING = """
query Staffing($code: String!, $asOf: Date, $knownAt: DateTime) {
  staffing(orgUnitCode: $code, asOf: $asOf, knownAt: $knownAt) {
    orgUnit { code } asOf headcount onLeave active qualifiedActive population density qualifiedDensity
    byCadreGroup { key count } bySex { key count }
    children { orgUnit { code } headcount active }
  }
}"""
SERIES = """
query Series($code: String!, $from: Date!, $to: Date!, $knownAt: DateTime) {
  densitySeries(orgUnitCode: $code, from: $from, to: $to, interval: QUARTER, knownAt: $knownAt) {
    period endOn active qualifiedActive population density qualifiedDensity entries exits
  }
}"""


def test_a_planner_reads_ten_years_of_density_and_figures_as_known_before(api: Api) -> None:
    between, ids = record_planned_workers(api)
    planner = api.tokens[PLANNER_NAME]
    api.caught_up(api.ledger_position(), planner)

    series = api.data(SERIES, {"code": "ML-R2", "from": "2015-01-01", "to": "2024-12-31"}, planner)["densitySeries"]
    expected_quarters = list(quarters(2015, 2024))
    assert [p["period"] for p in series] == [label for label, _, _ in expected_quarters]
    assert len(series) == 40
    for point, (_, start, end) in zip(series, expected_quarters, strict=True):
        want = expected_point(end, start)
        assert point["endOn"] == end.isoformat()
        assert {k: point[k] for k in want} == want, point["period"]
        assert point["density"] == pytest.approx(want["active"] / want["population"] * 10_000)
        assert point["qualifiedDensity"] == pytest.approx(want["qualifiedActive"] / want["population"] * 10_000)
    assert sum(p["entries"] for p in series) == 4 and sum(p["exits"] for p in series) == 2

    now = api.data(STAFFING, {"code": "ML-R2", "asOf": "2021-09-30"}, planner)["staffing"]
    assert now["orgUnit"] == {"code": "ML-R2"} and now["asOf"] == "2021-09-30"
    assert (now["headcount"], now["onLeave"], now["active"], now["qualifiedActive"]) == (4, 0, 4, 3)
    assert now["population"] == 56_000
    assert now["density"] == pytest.approx(4 / 56_000 * 10_000)
    assert nonzero(now["byCadreGroup"]) == {"NURSE": 3, "OTHER": 1}
    assert nonzero(now["bySex"]) == {"FEMALE": 2, "MALE": 2}
    assert now["children"] == [{"orgUnit": {"code": "ML-D21"}, "headcount": 4, "active": 4}]
    on_leave = api.data(STAFFING, {"code": "ML-R2", "asOf": "2019-03-31"}, planner)["staffing"]
    assert (on_leave["headcount"], on_leave["onLeave"], on_leave["active"], on_leave["qualifiedActive"]) == (2, 1, 1, 0)

    # As known between the first worker's recording and the others': only the first one.
    known = {"code": "ML-R2", "asOf": "2021-09-30", "knownAt": between.isoformat()}
    earlier = api.data(STAFFING, known, planner)["staffing"]
    assert (earlier["headcount"], earlier["active"], earlier["qualifiedActive"]) == (1, 1, 1)
    assert nonzero(earlier["bySex"]) == {"FEMALE": 1}
    # As known last year, before anything was recorded: nobody.
    last_year = (datetime.now(UTC) - timedelta(days=365)).isoformat()
    nothing = api.data(STAFFING, known | {"knownAt": last_year}, planner)["staffing"]
    assert (nothing["headcount"], nothing["active"]) == (0, 0)
    old_series = api.data(
        SERIES, {"code": "ML-R2", "from": "2021-07-01", "to": "2021-09-30", "knownAt": between.isoformat()}, planner
    )["densitySeries"]
    assert [(p["period"], p["active"], p["entries"]) for p in old_series] == [("2021Q3", 1, 0)]

    # Aggregates only: no worker, no list of workers, no names, no audit trail.
    position = api.ledger_position()
    keita = ids[0]
    for query, variables in [
        ("query { workers { totalCount } }", None),
        ('query { workers(orgUnitCode: "ML-R2") { edges { node { familyName birthDate } } } }', None),
        ("query($id: ID!) { worker(id: $id) { id status } }", {"id": keita}),
        ("query($id: ID!) { worker(id: $id) { familyName givenNames birthDate civilServiceNumber } }", {"id": keita}),
        ("query { auditTrail(first: 5) { edges { node { recordedBy } } } }", None),
    ]:
        body = api.post(query, variables, planner)
        assert set(codes_of(body)) == {"FORBIDDEN"}, body
        assert body["data"] in (None, {"worker": None}), body
        text = str(body)
        assert not any(name in text for name, *_ in PLANNED)
    assert api.refused(
        START_LEAVE, {"input": {"workerId": keita, "kind": "SICK", "effectiveOn": "2021-01-04"}}, planner
    ) == ("FORBIDDEN")
    assert api.ledger_position() == position


def transfer_burst(api: Api, worker_id: str, calls: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Sends all ``calls`` (destination, date) at once; returns each response body."""

    def send(call: tuple[str, str]) -> dict[str, Any]:
        facility, on = call
        variables = {"input": {"workerId": worker_id, "toFacilityCode": facility, "effectiveOn": on}}
        return api.post(TRANSFER, variables)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(send, calls))


@pytest.mark.parametrize(
    "calls",
    [
        pytest.param(
            [
                (("F-121", "F-122", "F-123")[i % 3], (date(2017, 1, 2) + timedelta(days=7 * i)).isoformat())
                for i in range(20)
            ],
            id="increasing-dates",
        ),
        pytest.param([(("F-121", "F-122", "F-123")[i % 3], "2018-03-01") for i in range(20)], id="same-date"),
    ],
)
def test_concurrent_transfers_leave_a_consistent_timeline(api: Api, calls: list[tuple[str, str]]) -> None:
    worker_id = api.hire("Concurrent", on="2016-05-02")["worker"]["id"]
    api.post_worker(worker_id, "F-111", "2016-06-01")
    bodies = transfer_burst(api, worker_id, calls)
    accepted = []
    for body in bodies:
        if errors_of(body):
            assert set(codes_of(body)) <= {"SAME_FACILITY", "CONFLICT", "DATE_OUT_OF_ORDER"}, body
        else:
            accepted.append(body["data"]["transferWorker"]["position"])
    assert accepted, bodies
    api.caught_up(max(accepted))
    history = api.worker(worker_id)["history"]
    positions = [m["position"] for m in history]
    assert len(positions) == len(set(positions))
    transfers = [m for m in history if m["kind"] == "TRANSFERRED"]
    assert sorted(m["position"] for m in transfers) == sorted(accepted)
    assert kinds(history) == ["HIRED", "POSTED"] + ["TRANSFERRED"] * len(accepted)
    where = "F-111"
    for move in transfers:
        origin, destination = move["fromFacility"]["code"], move["toFacility"]["code"]
        assert origin == where, moves(history)
        assert destination != origin
        where = destination
    ordered = [(m["effectiveOn"], m["position"]) for m in history]
    assert ordered == sorted(ordered)
    assert api.worker(worker_id)["facility"] == {"code": where}
    trail = api.audit(workerId=worker_id)
    assert sorted(e["position"] for e in trail if e["kind"] == "TRANSFERRED") == sorted(accepted)


def test_concurrent_identical_hires_with_one_command_id_record_one_worker(api: Api) -> None:
    hire = {
        "familyName": "Idempotent",
        "givenNames": "Oumou",
        "sex": "FEMALE",
        "cadreCode": "NURSE-RN",
        "sector": "PARAPUBLIC",
        "fundingSource": "PARTNER",
        "effectiveOn": "2019-09-02",
        "commandId": "e2e-hire-idempotent-0001",
    }
    before = api.ledger_position()
    with ThreadPoolExecutor(max_workers=20) as pool:
        bodies = list(pool.map(lambda _: api.post(HIRE, {"input": hire}), range(20)))
    done = [b["data"]["hireWorker"] for b in bodies if not errors_of(b)]
    for body in bodies:
        assert not errors_of(body) or set(codes_of(body)) == {"CONFLICT"}, body
    assert done, bodies
    assert len({(d["worker"]["id"], d["position"]) for d in done}) == 1
    worker_id = done[0]["worker"]["id"]
    trail = [e for e in api.audit() if e["position"] > before]
    assert [(e["aggregateId"], e["kind"]) for e in trail] == [(worker_id, "HIRED")]
    # Sent again later: the same answer, nothing new; the same id for another command is refused.
    position = api.ledger_position()
    again = api.data(HIRE, {"input": hire})["hireWorker"]
    assert (again["worker"]["id"], again["position"]) == (worker_id, done[0]["position"])
    assert api.refused(HIRE, {"input": hire | {"familyName": "Other"}}) == "DUPLICATE_COMMAND_ID"
    assert api.ledger_position() == position


AUTHORIZATION = {
    "no-header": None,
    "wrong-token": "Bearer not-a-token-anyone-was-given-123456",
    "bearer-without-token": "Bearer",
    "token-without-scheme": "{admin}",
    "admin-token-in-basic-scheme": "Basic {admin}",
    "admin-token-plus-one-char": "Bearer {admin}x",
    "admin-token-truncated": "Bearer {admin_truncated}",
}


@pytest.mark.parametrize("case", list(AUTHORIZATION))
def test_callers_without_a_valid_token_are_unauthenticated(api: Api, case: str) -> None:
    value = AUTHORIZATION[case]
    filled = None if value is None else value.format(admin=api.admin_token, admin_truncated=api.admin_token[:-1])
    headers = {} if filled is None else {"Authorization": filled}
    position = api.ledger_position()
    hire = {
        "familyName": "Anonymous",
        "givenNames": "A",
        "sex": "MALE",
        "cadreCode": "NURSE-RN",
        "sector": "PUBLIC",
        "fundingSource": "STATE",
        "effectiveOn": "2020-01-01",
    }
    for query, variables in [
        ("query { cadres { code } }", None),
        ('query { staffing(orgUnitCode: "ML") { headcount } }', None),
        (AUDIT, {"first": 1}),
        (HIRE, {"input": hire}),
        ("mutation($i: CreateUserInput!) { createUser(input: $i) { token } }", {"i": {"name": "X", "role": "ADMIN"}}),
    ]:
        response = api.raw(query, variables, headers=headers)
        body = response.json()
        assert set(codes_of(body)) == {"UNAUTHENTICATED"}, body
        assert body["data"] is None
    assert api.ledger_position() == position
    # The health check needs no token, and the user tokens work as themselves.
    assert api.health()["status"] == "ok"
    assert api.raw("query { thresholds { name } }", token=NO_TOKEN).json()["errors"][0]["extensions"] == {
        "code": "UNAUTHENTICATED"
    }
