"""The audit trail narrowed to an org unit and to a kind of event, over GraphQL (docs/audit.md,
"The trail of an org unit"): random histories against a reference computed from the exported log,
and a story whose events are named one by one."""

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, timedelta
from typing import Any
from unittest.mock import patch

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.access import Role, User
from api.graphql.context import Context, Services, loaders
from api.graphql.schema import schema
from api.projecting import Projected
from api.tokens import Caller
from domain import commands as c
from domain.ledger import Ledger
from domain.values import DepartureReason, Sex
from projections import audit
from tests.integration.projection_support import catch_up, fresh_ledger, reference, target_of
from tests.integration.test_projections import AREAS, Recorder, actions, command_for, hire_command, org_tree
from tests.reference import Event, Reference

pytestmark = pytest.mark.integration

TRAIL = """
query Trail($unit: String, $kind: String, $by: String, $worker: ID, $first: Int, $after: String) {
  auditTrail(orgUnitCode: $unit, kind: $kind, recordedBy: $by, workerId: $worker, first: $first, after: $after) {
    edges { node { position kind aggregate aggregateId subject } } pageInfo { hasNextPage endCursor }
  }
}
"""
AUDITOR = User("auditor", Role.AUDITOR)


def ask(url: str, ledger: Ledger, requests: list[tuple[User, dict[str, Any]]], *, nodes: bool = False) -> list[Any]:
    """Runs ``TRAIL`` once per request (user, variables), following every page; each answer is the list
    of positions (of entries, with ``nodes``), or the first error's code."""

    async def main() -> list[Any]:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
        try:
            name = target_of(ledger).schema
            services = Services(pool=pool, ledger=ledger, schema=name, admin_token=None, projected=Projected(url, name))
            return [await pages(services, user, variables) for user, variables in requests]
        finally:
            await pool.close()

    async def pages(services: Services, user: User, variables: dict[str, Any]) -> Any:
        found: list[Any] = []
        after = None
        while True:
            context = Context(services=services, caller=Caller(user), loaders=loaders(services.pool, services.schema))
            result = await schema.execute(TRAIL, variable_values={**variables, "after": after}, context_value=context)
            if result.errors:
                return result.errors[0].extensions["code"]
            trail = result.data["auditTrail"]
            found += [edge["node"] if nodes else edge["node"]["position"] for edge in trail["edges"]]
            if not trail["pageInfo"]["hasNextPage"]:
                return found
            after = trail["pageInfo"]["endCursor"]

    return asyncio.run(main())


# The reference: the definition of docs/audit.md, applied to the exported log.


def day_of(event: Event) -> date:
    return event.effective_on or event.recorded_at.astimezone(UTC).date()


def home_on(ref: Reference, worker_id: str, day: date) -> str | None:
    """The worker's facility on ``day``: the latest posting or transfer in force effective on or before
    it, or failing that the first one after it."""
    placements = [e for e in ref.view().timeline(worker_id) if e.name in ("Posted", "Transferred")]
    before = [e for e in placements if e.timeline_key[0] <= day]
    chosen = before[-1] if before else (placements[0] if placements else None)
    if chosen is None:
        return None
    return str(chosen.data.get("facility_code") or chosen.data["to_facility_code"])


def units_of(ref: Reference, event: Event, rows: dict[int, dict[str, Any]]) -> list[str | None]:
    """The units an event concerns (docs/audit.md)."""
    view = ref.view()
    day = day_of(event)
    if event.aggregate == "OrgUnit":
        code = view.unit_codes[event.aggregate_id]
        if event.name != "Moved":
            return [code]
        before = ref.view(known_at=event.recorded_at - timedelta(seconds=1))  # the parent it leaves
        return [code, before.parent_on(code, day)]
    if event.aggregate == "Worker":
        row = rows[event.position]
        return [row["fromFacility"], row["toFacility"], home_on(ref, event.aggregate_id, day)]
    return []


def expected_trail(ref: Reference, area: str, kind: str | None = None) -> list[int]:
    view = ref.view()
    rows = {row["position"]: row for w in view.worker_ids() for row in ref.history(w)}
    kinds = {row["position"]: row["kind"] for row in rows.values()}
    return [
        e.position
        for e in ref.events
        if any(u is not None and view.belongs(u, area, day_of(e)) for u in units_of(ref, e, rows))
        and (kind is None or kinds.get(e.position) == kind)
    ]


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(steps=st.lists(actions, min_size=30, max_size=80), first=st.integers(3, 9), window=st.sampled_from([1, 1024]))
def test_the_trail_of_every_unit_equals_the_reference(
    database_url: str, steps: list[Any], first: int, window: int
) -> None:
    """With ``window`` 1, a page is looked for in windows of 4 × (first + 1) positions, then twice as many..."""
    with fresh_ledger(database_url) as ledger, patch.object(audit, "MIN_WINDOW", window):
        record = Recorder(ledger)
        org_tree(record)
        for action in steps:
            command = command_for(action, record)
            if command is not None:
                record(command)
        catch_up(database_url, ledger, batch=13)
        ref = reference(ledger)
        requests = [(AUDITOR, {"unit": area, "first": first}) for area in AREAS]
        requests.append((AUDITOR, {"unit": "R1", "kind": "TRANSFERRED", "first": first}))
        answers = ask(database_url, ledger, requests)
        for area, answer in zip(AREAS, answers, strict=False):
            assert answer == expected_trail(ref, area), area
        assert answers[-1] == expected_trail(ref, "R1", "TRANSFERRED")


@pytest.fixture(scope="module")
def story(database_url: str) -> Iterator[tuple[Ledger, dict[str, int]]]:
    """ML ⊃ R1 ⊃ D1 ⊃ {F1, F2}, R1 ⊃ D2 ⊃ F3, ML ⊃ R2 ⊃ D3 ⊃ F4; the events named by what they are."""
    with fresh_ledger(database_url) as ledger:
        record = Recorder(ledger)
        org_tree(record)
        at: dict[str, int] = {}

        def note(name: str, command: c.Command) -> None:
            assert record(command), name
            at[name] = ledger.recorder.max_notification_id() or 0

        note("awa hired", hire_command(date(2020, 3, 2), "NURSE", Sex.FEMALE))
        awa = record.workers[-1]
        note("awa posted F1", c.PostWorker(worker_id=awa, facility_code="F1", effective_on=date(2020, 3, 2)))
        note("awa trained", c.RecordTraining(worker_id=awa, course="SONU", started_on=date(2020, 6, 1)))
        note("awa to F4", c.TransferWorker(worker_id=awa, to_facility_code="F4", effective_on=date(2021, 1, 4)))
        note(
            "awa leaves",
            c.RecordDeparture(worker_id=awa, reason=DepartureReason.RESIGNATION, effective_on=date(2022, 1, 3)),
        )
        note("bina hired", hire_command(date(2020, 4, 1), "MIDWIFE", Sex.FEMALE))
        bina = record.workers[-1]
        note("bina posted F3", c.PostWorker(worker_id=bina, facility_code="F3", effective_on=date(2020, 4, 1)))
        note("D2 to R2", c.MoveOrgUnit(code="D2", new_parent_code="R2", effective_on=date(2021, 7, 1)))
        note("bina to F2", c.TransferWorker(worker_id=bina, to_facility_code="F2", effective_on=date(2021, 9, 1)))
        note(
            "bina back-dated to F1",
            c.TransferWorker(worker_id=bina, to_facility_code="F1", effective_on=date(2020, 9, 1)),
        )
        note(
            "bina's F1 retracted",
            c.RetractEvent(worker_id=bina, position=at["bina back-dated to F1"], reason="wrong decision"),
        )
        note(
            "F4 establishment",
            c.SetEstablishment(facility_code="F4", cadre_code="NURSE", posts=3, effective_on=date(2021, 1, 1)),
        )
        catch_up(database_url, ledger)
        yield ledger, at


def test_a_transfer_lies_in_the_unit_it_leaves_and_the_one_it_reaches(
    database_url: str, story: tuple[Ledger, dict[str, int]]
) -> None:
    ledger, at = story
    r1, r2, d3 = ask(database_url, ledger, [(AUDITOR, {"unit": code}) for code in ("R1", "R2", "D3")])
    # Awa's events while at F1 lie in R1; her transfer to F4 in both regions; her departure from F4 in R2 only.
    assert {at["awa hired"], at["awa posted F1"], at["awa trained"], at["awa to F4"]} <= set(r1)
    assert at["awa leaves"] not in r1
    assert {at["awa to F4"], at["awa leaves"]} <= set(r2)
    assert at["awa posted F1"] not in r2
    assert at["F4 establishment"] in r2 and at["F4 establishment"] in d3 and at["F4 establishment"] not in r1


def test_a_moved_district_takes_its_later_events_to_its_new_region(
    database_url: str, story: tuple[Ledger, dict[str, int]]
) -> None:
    ledger, at = story
    r1, r2, d2 = ask(database_url, ledger, [(AUDITOR, {"unit": code}) for code in ("R1", "R2", "D2")])
    # Bina was posted to F3 while D2 lay in R1; the move itself lies in both regions (it leaves R1).
    assert at["bina posted F3"] in r1 and at["bina posted F3"] not in r2
    assert at["D2 to R2"] in r1 and at["D2 to R2"] in r2 and at["D2 to R2"] in d2
    # Her transfer from F3 (in R2 since the move) to F2 (D1, in R1) lies in both.
    assert at["bina to F2"] in r1 and at["bina to F2"] in r2
    # The retracted back-dated transfer still names F1, and its retraction is dated the day it was recorded,
    # when Bina's facility was F2 (R1).
    assert at["bina back-dated to F1"] in r1 and at["bina's F1 retracted"] in r1
    assert at["bina's F1 retracted"] not in r2


def test_the_kind_and_the_other_filters_combine_with_the_unit(
    database_url: str, story: tuple[Ledger, dict[str, int]]
) -> None:
    ledger, at = story
    everything, transfers_r1, transfers, moves, nobody, cadres = ask(
        database_url,
        ledger,
        [
            (AUDITOR, {}),
            (AUDITOR, {"unit": "R1", "kind": "TRANSFERRED"}),
            (AUDITOR, {"kind": "TRANSFERRED", "first": 1}),
            (AUDITOR, {"kind": "MOVED", "unit": "ML"}),
            (AUDITOR, {"unit": "R1", "by": "nobody"}),
            (AUDITOR, {"kind": "DEFINED"}),
        ],
    )
    assert transfers_r1 == [at["awa to F4"], at["bina to F2"], at["bina back-dated to F1"]]
    assert transfers == transfers_r1
    assert moves == [at["D2 to R2"]]
    assert nobody == []
    # Cadres' events lie in no unit, but the whole trail has them.
    ml = ask(database_url, ledger, [(AUDITOR, {"unit": "ML"})])[0]
    assert len(cadres) == 3  # NURSE, MIDWIFE, AIDE
    assert [e for e in everything if e not in ml] == cadres


def test_an_unknown_unit_or_kind_is_refused_and_only_auditors_and_admins_read_the_trail(
    database_url: str, story: tuple[Ledger, dict[str, int]]
) -> None:
    ledger, _ = story
    answers = ask(
        database_url,
        ledger,
        [
            (AUDITOR, {"unit": "NOWHERE"}),
            (AUDITOR, {"kind": "TELEPORTED"}),
            (AUDITOR, {"kind": "transferred"}),
            (User("admin", Role.ADMIN), {"unit": "D3", "kind": "ESTABLISHMENT_SET"}),
            (User("planner", Role.PLANNER), {"unit": "R1"}),
            (User("rh", Role.HR_MANAGER, "R1"), {"unit": "R1"}),
        ],
    )
    assert answers[:3] == ["NOT_FOUND", "BAD_USER_INPUT", "BAD_USER_INPUT"]
    assert len(answers[3]) == 1
    decree, hire = ask(
        database_url,
        ledger,
        [(AUDITOR, {"kind": "ESTABLISHMENT_SET"}), (AUDITOR, {"kind": "HIRED", "first": 1})],
        nodes=True,
    )
    assert [(e["aggregate"], e["subject"]) for e in decree] == [("OrgUnit", "F4")]
    assert {(e["aggregate"], e["subject"]) for e in hire} == {("Worker", None)}
    assert answers[4:] == ["FORBIDDEN", "FORBIDDEN"]
