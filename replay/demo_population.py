"""The demo's populations: each region's projection from the 2009 census, and the qualified
density each region must show on 31 December (the calibration of the workforce).

Populations grow continuously from the RGPH 2009 counts. From 2016, Ménaka (its cercle's 2009
count, grown at Gao's rate) and Taoudénit (a share of Tombouctou) have their own, taken off Gao's
and Tombouctou's. No country figure is recorded: the Definitions sum the regions'.
"""

import itertools
import math
import random
from datetime import date, timedelta

from domain.commands import RecordPopulation
from replay import demo_data as data
from replay.demo_clerk import Clerk

POPULATION_SOURCE = "INSTAT RGPH 2009, projection"
FIRST_YEAR, LAST_YEAR = 2009, 2025


def record_populations(clerk: Clerk, rng: random.Random) -> None:
    """Plans every region's population of every year, from INSTAT's projections, early in the year."""
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        day = date(2009, 6, 3) if year == FIRST_YEAR else date(year, 2, rng.randint(1, 27))
        moment = clerk.office_time(day)
        for region in regions_in(year):
            command = RecordPopulation(
                org_unit_code=region, year=year, population=population(region, year), source=POPULATION_SOURCE
            )
            clerk.plan(moment, command, data.NATIONAL_USER)
            moment += timedelta(seconds=30)


def regions_in(year: int) -> list[str]:
    """The region codes open in ``year`` (Ménaka and Taoudénit from 2016)."""
    split = [code for code, _, _, _ in data.SPLIT_REGIONS] if year >= data.SPLIT_ON.year else []
    return [r.code for r in data.REGIONS] + split


def population(region: str, year: int) -> int:
    """The projected population of ``region`` in ``year``, after the 2016 split."""
    specs = {r.code: r for r in data.REGIONS}
    parents = {parent: code for code, _, parent, _ in data.SPLIT_REGIONS}
    if region == "MEN":
        return round(data.MENAKA_2009 * math.exp(specs["GAO"].growth * (year - 2009)))
    if region == "TAO":
        return round(data.TAOUDENIT_SHARE * population_before_split("TOM", year))
    whole = population_before_split(region, year)
    if region in parents and year >= data.SPLIT_ON.year:
        return whole - population(parents[region], year)
    return whole


def population_before_split(region: str, year: int) -> int:
    """The projection of ``region`` within its 2009 boundaries."""
    spec = next(r for r in data.REGIONS if r.code == region)
    return round(spec.census_2009 * math.exp(spec.growth * (year - 2009)))


def interpolate(anchors: dict[int, float], year: int) -> float:
    """The value for ``year``, linear between the anchor years and flat beyond them."""
    years = sorted(anchors)
    if year <= years[0]:
        return anchors[years[0]]
    for before, after in itertools.pairwise(years):
        if year <= after:
            return anchors[before] + (anchors[after] - anchors[before]) * (year - before) / (after - before)
    return anchors[years[-1]]


def density_targets(year: int) -> dict[str, float]:
    """Qualified health workers per 10,000 on 31 December of ``year`` (at scale 1), per region."""
    regions = regions_in(year)
    people = {r: population(r, year) for r in regions}
    targets = {r: interpolate(anchors, year) for r, anchors in data.PINNED_DENSITY.items()}
    national = interpolate(data.NATIONAL_DENSITY, year) * sum(people.values())
    rest = national - sum(targets[r] * people[r] for r in targets)
    flexible = [r for r in regions if r not in targets]
    factor = rest / sum(data.REGION_WEIGHTS[r] * people[r] for r in flexible)
    targets.update({r: data.REGION_WEIGHTS[r] * factor for r in flexible})
    return targets


def qualified_targets(year: int, scale: float) -> dict[str, int]:
    """How many qualified workers each region must have active on 31 December of ``year``."""
    targets = density_targets(year)
    return {r: round(scale * density * population(r, year) / 10_000) for r, density in targets.items()}
