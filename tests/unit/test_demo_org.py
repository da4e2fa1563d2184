"""The demo's org tree in time: a facility is drawn for postings from 1 January of the first year it is
open on, so its opening must be in the ledger by then, whatever the scale.

At scale 30 the demo once refused three postings dated in the first days of January to facilities
opened on 1 January: their openings were recorded up to a month after they took effect."""

import random
from datetime import date, timedelta

import pytest

from domain.commands import OpenOrgUnit
from replay.demo_clerk import Clerk, Decisions
from replay.demo_org import STRUCTURE_RECORDED, OrgTree


@pytest.mark.parametrize("seed", [2017, 7, 11])
def test_a_facility_is_recorded_before_it_opens(seed: int) -> None:
    rng = random.Random(seed)
    clerk = Clerk(rng)
    tree = OrgTree(rng)
    tree.record(clerk, Decisions(rng))
    openings = {p.command.code: p.recorded_at for p in clerk.release() if isinstance(p.command, OpenOrgUnit)}
    later = [f for f in tree.facilities if f.opened_on >= STRUCTURE_RECORDED.date()]
    assert any(f.opened_on == date(f.opened_on.year, 1, 1) for f in later)  # the case that failed
    for facility in later:
        recorded_on = openings[facility.code].date()
        assert recorded_on < facility.opened_on, facility.code
        assert facility.opened_on - recorded_on <= timedelta(days=31), facility.code  # the ledger's margin
        assert recorded_on.weekday() < 5
