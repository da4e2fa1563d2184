"""NHWA Module 5's flows (``workforceFlows``) over random histories, against a recomputation from the events.

The histories are those of the projection tests (back-dated events, retractions, a boundary change). For
any area, year and knownAt, each kind of flow read through GraphQL equals the count recomputed from the
exported log with ``tests/reference.py``'s view of the ledger: entries are hires and rehires in the year,
where the posting that follows them on the timeline places the worker; exits are departures from the area by
reason; transfers across the area's boundary are apart, both ends as of the transfer's date.
"""

import asyncio
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.access import Role, User
from api.exports.session import export_services
from api.operations import execute
from tests.integration.projection_support import catch_up, fresh_ledger, reference, target_of
from tests.integration.test_projections import AREAS, START, actions, pick, record_history, when
from tests.reference import View

pytestmark = pytest.mark.integration

PLANNER = User("planner", Role.PLANNER)
FLOWS = """query($code: String!, $from: Date!, $to: Date!, $knownAt: DateTime) {
  workforceFlows(orgUnitCode: $code, from: $from, to: $to, knownAt: $knownAt) { flow keys count }
  bySex: workforceFlows(orgUnitCode: $code, from: $from, to: $to, knownAt: $knownAt, by: [SEX]) {
    flow keys count
  }
}"""
VOLUNTARY = {"RESIGNATION", "EMIGRATION"}
INVOLUNTARY = {"DEATH", "DISMISSAL", "RETIREMENT", "END_OF_CONTRACT"}


def reason_kind(reason: str | None) -> str:
    if reason in VOLUNTARY:
        return "EXIT_VOLUNTARY"
    return "EXIT_INVOLUNTARY" if reason in INVOLUNTARY else "EXIT_OTHER"


def expected_flows(view: View, code: str, first: date, last: date) -> dict[str, int]:
    """Each kind of flow of ``code`` effective in [first, last], replayed from the timelines."""
    counts: Counter[str] = Counter()
    for worker in view.worker_ids():
        timeline = view.timeline(worker)
        for i, e in enumerate(timeline):
            day = e.timeline_key[0]
            if not first <= day <= last:
                continue
            if e.name in ("Hired", "Rehired"):
                for later in timeline[i + 1 :]:
                    if later.name in ("Hired", "Rehired"):
                        break
                    if later.name == "Posted":
                        counts["ENTRY"] += view.belongs(later.data["facility_code"], code, later.timeline_key[0])
                        break
            elif e.name == "Departed":
                origin = view.state_before(e).facility
                if origin is not None and view.belongs(origin, code, day):
                    counts[reason_kind(e.data.get("reason"))] += 1
            elif e.name == "Transferred":
                origin = view.state_before(e).facility
                inside = origin is not None and view.belongs(origin, code, day)
                arriving = view.belongs(e.data["to_facility_code"], code, day)
                if arriving and not inside:
                    counts["TRANSFER_IN"] += 1
                elif inside and not arriving:
                    counts["TRANSFER_OUT"] += 1
    return {kind: n for kind, n in counts.items() if n}


# The projection tests' actions, with more departures and rehires (the flows Module 5 splits).
moving = st.one_of(actions, st.tuples(st.sampled_from(["depart", "rehire"]), pick, when))
checked: list[int] = []  # the flows each random history's probes counted


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    steps=st.lists(moving, min_size=30, max_size=80),
    probes=st.lists(
        st.tuples(st.sampled_from(["ML", *AREAS]), st.sampled_from([2020, 2021, 2022, 2023]), st.integers(0, 200)),
        min_size=3,
        max_size=5,
    ),
)
def test_flows_equal_the_reference_by_kind_and_by_sex(database_url: str, steps: list[Any], probes: list[Any]) -> None:
    with fresh_ledger(database_url) as ledger:
        record_history(ledger, steps)
        catch_up(database_url, ledger)
        ref = reference(ledger)

        async def answers() -> list[tuple[Any, Any]]:
            async with export_services(database_url, ledger, target_of(ledger)) as services:
                found = []
                for code, year, hours in probes:
                    known_at = None if hours == 0 else START + timedelta(hours=hours)
                    asked = {
                        "code": code,
                        "from": f"{year}-01-01",
                        "to": f"{year}-12-31",
                        "knownAt": known_at and known_at.isoformat(),
                    }
                    found.append((known_at, await execute(services, PLANNER, FLOWS, asked)))
                return found

        for (code, year, _), (known_at, answer) in zip(probes, asyncio.run(answers()), strict=True):
            got = {f["flow"]: f["count"] for f in answer["workforceFlows"]}
            want = expected_flows(ref.view(known_at), code, date(year, 1, 1), date(year, 12, 31))
            assert got == want, (code, year, known_at)
            by_sex: Counter[str] = Counter()
            for f in answer["bySex"]:
                by_sex[f["flow"]] += f["count"]
            assert dict(by_sex) == got
            checked.append(sum(got.values()))


def test_the_random_histories_had_flows() -> None:
    """Guards the property test above against probing only years or areas without flows."""
    if checked:
        assert sum(checked) > 20, sum(checked)
