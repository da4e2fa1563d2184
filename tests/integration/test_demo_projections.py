"""The demo data set through the projections: the seed table's densities, from the read tables."""

from collections.abc import Iterator
from datetime import date

import pytest

from domain.ledger import Ledger
from replay.loading import load_demo
from tests.integration.projection_support import fresh_ledger, rebuilt, staffing_of

pytestmark = pytest.mark.integration

# Qualified health workers per 10,000 inhabitants, as the reference deployment saw them.
SEED_TABLE = {("ML", 2014): 4.0, ("ML", 2017): 6.0, ("MOP", 2017): 3.0, ("BKO", 2017): 23.0}


@pytest.fixture(scope="module")
def demo(database_url: str) -> Iterator[Ledger]:
    with fresh_ledger(database_url) as ledger:
        load_demo(ledger)
        rebuilt(database_url, ledger)
        yield ledger


@pytest.mark.parametrize(("code", "year"), sorted(SEED_TABLE))
def test_the_demo_meets_the_seed_table(database_url: str, demo: Ledger, code: str, year: int) -> None:
    figures = staffing_of(database_url, demo, code, date(year, 12, 31))
    assert figures["qualifiedDensity"] == pytest.approx(SEED_TABLE[(code, year)], abs=0.5)


def test_mopti_is_lowest_and_bamako_highest_in_2017(database_url: str, demo: Ledger) -> None:
    country = staffing_of(database_url, demo, "ML", date(2017, 12, 31))
    old_regions = {"KAY", "KOU", "SIK", "SEG", "MOP", "TOM", "GAO", "KID", "BKO"}
    found = {code: f["qualifiedDensity"] for code, f in country["children"].items() if code in old_regions}
    assert min(found, key=lambda code: found[code]) == "MOP"
    assert max(found, key=lambda code: found[code]) == "BKO"
    # The children add up to the country: every facility belongs to exactly one region.
    assert sum(f["headcount"] for f in country["children"].values()) == country["headcount"]
