"""The demo's establishment at any scale: Mali's tree stays the same size while the workforce grows, so a large
facility's norm is budgeted at the ledger's bound for one facility and cadre rather than refused."""

import random

import pytest

from domain.commands import SetEstablishment
from domain.org_unit import MAX_POSTS
from replay.demo_establishment import DECREES, norms
from replay.demo_org import OrgTree


@pytest.mark.parametrize("scale", [1, 30, 100])
def test_every_norm_is_a_command_the_ledger_takes(scale: float) -> None:
    tree = OrgTree(random.Random(7))
    for decree in DECREES:
        for facility, posts in norms(tree, decree, scale).items():
            for cadre, count in posts.items():
                assert 0 < count <= MAX_POSTS
                SetEstablishment(
                    facility_code=facility.code, cadre_code=cadre, posts=count, effective_on=decree.effective_on
                )


def test_only_the_largest_scales_reach_the_bound() -> None:
    tree = OrgTree(random.Random(7))
    largest = {
        scale: max(n for posts in norms(tree, DECREES[1], scale).values() for n in posts.values()) for scale in (1, 100)
    }
    assert largest[1] < MAX_POSTS and largest[100] == MAX_POSTS
