"""Planners: the staffing of the country with its regions, a ten-year monthly density series of a
region, and a page of a district's workers, in turn, as fast as they are answered.

The workers page names workers, which a PLANNER may not read (DESIGN, "Who may do what"), so the
planner reads it with an AUDITOR's token, as a planning unit's auditor colleague would.
"""

import asyncio
import random

import httpx

from tests.load.calls import Journal, Kind
from tests.load.commands import RETRY_PAUSE_SECONDS

COUNTS = "key count"
STAFFING = f"""
query Staffing($asOf: Date!) {{
  staffing(orgUnitCode: "ML", asOf: $asOf) {{
    headcount onLeave active qualifiedActive population density qualifiedDensity
    byCadreGroup {{ {COUNTS} }} bySex {{ {COUNTS} }}
    children {{ orgUnit {{ code }} headcount onLeave active qualifiedActive population density }}
  }}
}}"""
DENSITY = """
query Density($unit: String!) {
  densitySeries(orgUnitCode: $unit, from: "2015-01-01", to: "2024-12-31", interval: MONTH) {
    period endOn active qualifiedActive population density qualifiedDensity entries exits
  }
}"""
WORKERS = """
query Workers($unit: String!) {
  workers(orgUnitCode: $unit, first: 50) { totalCount edges { node { id status facility { code } } } }
}"""
REGIONS = ["ML-R1", "ML-R2"]
DISTRICTS = ["ML-D11", "ML-D12", "ML-D21"]


class Planner:
    def __init__(self, name: str, journal: Journal, seed: int) -> None:
        self.name, self.journal = name, journal
        self.random = random.Random(seed)

    async def run(
        self, planner: httpx.AsyncClient, auditor: httpx.AsyncClient, stop: asyncio.Event, think: float
    ) -> None:
        while not stop.is_set():
            as_of = f"{self.random.randrange(2016, 2025)}-{self.random.randrange(1, 13):02d}-15"
            calls = [
                await self.journal.call(planner, "staffing", self.name, STAFFING, {"asOf": as_of}),
                await self.journal.call(
                    planner, "densitySeries", self.name, DENSITY, {"unit": self.random.choice(REGIONS)}
                ),
                await self.journal.call(
                    auditor, "workers", self.name, WORKERS, {"unit": self.random.choice(DISTRICTS)}
                ),
            ]
            failed = any(call.kind is not Kind.OK for call, _ in calls)
            if think or failed:
                await asyncio.sleep(max(think, RETRY_PAUSE_SECONDS if failed else 0))
