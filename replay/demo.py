"""The demo data set: a synthetic Mali, 2009-2025, as a deterministic stream of submissions.

The stream opens the org tree (country, 9 regions of the 2009 census, 64 health districts and
about 1,500 facilities), defines the cadres, records each region's population every year, splits
Ménaka and Taoudénit off Gao and Tombouctou in 2016, and records about 25,000 health workers'
careers (at scale 1). Submissions come in recording order, which is the order they take in the
ledger, each at a moment when every command is valid.

The qualified density (doctors, nurses and midwives per 10,000 inhabitants, DESIGN "Definitions")
is calibrated on 31 December of every year: about 4 nationally in 2014 and 6 in 2017, Mopti about
3 and Bamako about 23 in 2017, all times ``scale``. Retractions are not part of the stream: they
need ledger positions, so the loader (``replay.loading``) records them after the stream.

The parts: ``demo_data`` (reference constants), ``demo_org`` (the org tree), ``demo_population``
(populations and density targets), ``demo_establishment`` (the budgeted posts), ``demo_clerk``
(recording times, decision numbers, recording order), ``demo_hiring`` (recruitment),
``demo_careers`` (a career's events) and ``demo_workforce`` (the yearly simulation and its
calibration).
"""

import random
from collections.abc import Iterator
from datetime import datetime

from domain.commands import DefineCadre
from replay import demo_data as data
from replay.bulk import Submission
from replay.demo_clerk import Clerk, Decisions
from replay.demo_establishment import record_establishment
from replay.demo_org import OrgTree
from replay.demo_population import record_populations
from replay.demo_workforce import Workforce

MIN_SCALE, MAX_SCALE = 0.1, 100.0
CADRES_RECORDED = datetime.fromisoformat("2009-06-02T09:00:00+00:00")


def generate(seed: int = 2017, scale: float = 1.0) -> Iterator[Submission]:
    """The demo data set as submissions in recording order, for ``replay.bulk.load``.

    Args:
        seed: the same seed (and scale) gives the same submissions, worker ids included.
        scale: multiplies the workforce, and so the densities, but not the org tree.

    Raises:
        ValueError: ``scale`` is outside [0.1, 100].
    """
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise ValueError(f"scale {scale} is out of range; give a number from {MIN_SCALE} to {MAX_SCALE:g}.")
    return _stream(seed, scale)


def _stream(seed: int, scale: float) -> Iterator[Submission]:
    rng = random.Random(seed)
    clerk, decisions = Clerk(rng), Decisions(rng)
    tree = OrgTree(rng)
    tree.record(clerk, decisions)
    record_populations(clerk, rng)
    define_cadres(clerk)
    record_establishment(tree, clerk, decisions, scale)
    yield from Workforce(tree, clerk, decisions, rng, scale).run()


def define_cadres(clerk: Clerk) -> None:
    """Plans the cadres' definitions, the day after the org tree."""
    for number, cadre in enumerate(data.CADRES):
        command = DefineCadre(
            code=cadre.code, name=cadre.name, isco08=cadre.isco08, group=cadre.group, qualified=cadre.qualified
        )
        clerk.plan(CADRES_RECORDED.replace(minute=number), command, data.NATIONAL_USER)
