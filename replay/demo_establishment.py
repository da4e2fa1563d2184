"""The demo's establishment: each facility's budgeted posts per cadre, set by two decrees.

The ministry's norm for a facility follows its kind and size, not its remoteness: the posts it
budgets are the workers a facility of that kind and size would hold if recruitment reached every
facility alike (the region's qualified target of the decree's reference year, shared by size), in
the kind's cadre mix, with some room to grow. Recruitment draws hard-to-reach facilities half as
often and their workers leave sooner, so their vacancy rate comes out larger.

The first decree takes effect at the demo's start (1 January 2009) for the facilities open then;
the revision of 2017 covers every facility open on 1 January 2017.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from domain.commands import SetEstablishment
from domain.org_unit import MAX_POSTS
from replay import demo_data as data
from replay.demo_clerk import Clerk, Decisions, ministry
from replay.demo_hiring import COMPANIONS
from replay.demo_org import Facility, OrgTree
from replay.demo_population import qualified_targets


@dataclass(frozen=True)
class Decree:
    effective_on: date
    recorded_on: date
    reference_year: int
    """The year whose qualified targets the posts are planned for."""


DECREES = (
    Decree(date(2009, 1, 1), date(2009, 6, 8), 2009),
    Decree(date(2017, 1, 1), date(2017, 6, 12), 2018),
)
ROOM = 1.2
"""Posts budgeted per worker a facility is expected to hold: the norm leaves room to grow."""


def record_establishment(tree: OrgTree, clerk: Clerk, decisions: Decisions, scale: float) -> None:
    """Plans each decree's posts, facility by facility, on the day the decree is entered."""
    for decree in DECREES:
        year = decree.effective_on.year
        authority = decisions.arrete(year, ministry(year))
        moment = clerk.office_time(decree.recorded_on)
        for facility, posts in sorted(norms(tree, decree, scale).items(), key=lambda item: item[0].code):
            for cadre, count in posts.items():
                command = SetEstablishment(
                    facility_code=facility.code,
                    cadre_code=cadre,
                    posts=count,
                    effective_on=max(decree.effective_on, facility.opened_on),
                    authority=authority,
                )
                clerk.plan(moment, command, data.NATIONAL_USER)
                moment += timedelta(seconds=5)


def norms(tree: OrgTree, decree: Decree, scale: float) -> dict[Facility, dict[str, int]]:
    """The posts per cadre of every facility open on the decree's effective date."""
    targets = qualified_targets(decree.reference_year, scale)
    found: dict[Facility, dict[str, int]] = {}
    for region, target in targets.items():
        pool = tree.pool(region, decree.reference_year)
        open_then = [f for f in pool.facilities if f.opened_on <= decree.effective_on]
        if not pool.total or not open_then:
            continue
        for facility in open_then:
            qualified = target * facility.weight / pool.total
            mix = _shares(qualified, data.QUALIFIED_MIX[facility.kind])
            for cadre, n in _shares(qualified * COMPANIONS[facility.kind], data.OTHER_MIX[facility.kind]).items():
                mix[cadre] = mix.get(cadre, 0.0) + n
            # Mali's tree at every scale: past scale 20 a national hospital's norm would pass what the ledger takes
            # as plausible for one facility and cadre, so it is budgeted at that bound (and staffed beyond it).
            posts = _whole(mix, round(sum(mix.values()) * ROOM))
            found[facility] = {cadre: min(n, MAX_POSTS) for cadre, n in posts.items()}
    return found


def _shares(count: float, mix: dict[str, int]) -> dict[str, float]:
    total = sum(mix.values())
    return {cadre: count * share / total for cadre, share in mix.items()}


def _whole(mix: dict[str, float], total: int) -> dict[str, int]:
    """``total`` posts shared in proportion to ``mix``, by largest remainder (cadres with none left out)."""
    weight = sum(mix.values())
    exact = {cadre: total * n / weight for cadre, n in mix.items()} if weight else {}
    posts = {cadre: int(n) for cadre, n in exact.items()}
    for cadre in sorted(exact, key=lambda c: (posts[c] - exact[c], c))[: total - sum(posts.values())]:
        posts[cadre] += 1
    return {cadre: n for cadre, n in posts.items() if n}
