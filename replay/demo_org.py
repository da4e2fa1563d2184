"""The demo's org tree: Mali's regions, health districts and facilities, and the 2016 split of
Ménaka and Taoudénit off Gao and Tombouctou.

Facilities carry a staffing weight (a national hospital draws about 70 times the staff of a
community health centre) from which recruitment and transfers draw their destinations."""

import bisect
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from domain.commands import MoveOrgUnit, OpenOrgUnit
from domain.values import OrgUnitLevel, Sector
from replay import demo_data as data
from replay.demo_clerk import Clerk, Decisions, ministry

COUNTRY = "ML"
REGIONS_OPENED = date(1977, 1, 1)
STRUCTURE_RECORDED = datetime.fromisoformat("2009-06-01T08:30:00+00:00")
WEIGHTS = {"CSCOM": 1.0, "CSREF": 12.0, "HOPITAL_REGIONAL": 30.0, "HOPITAL_NATIONAL": 70.0, "CLINIQUE": 1.0}
"""How many staff a facility of each kind draws, relative to a community health centre."""
HARD_TO_REACH_WEIGHT = 0.5
NEW_CSCOM_SHARE = 0.12
NEW_CLINIC_SHARE = 0.3
ROMAN = ("I", "II", "III", "IV", "V", "VI")


def slug(name: str) -> str:
    """ "Ouélessébougou" -> "OUELESSEBOUGOU"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.upper() if ch.isalnum())


@dataclass(slots=True, eq=False)
class District:
    code: str
    name: str
    regions: tuple[str, str]
    """Its region before the 2016 split and from it (the same unless it moved)."""
    opened_on: date
    user: str
    live_on: date
    """From this day, the district's own HR staff record its events."""


@dataclass(slots=True, eq=False)
class Facility:
    code: str
    name: str
    kind: str
    sector: Sector
    regions: tuple[str, str]
    district: District | None
    opened_on: date
    hard_to_reach: bool
    weight: float
    user: str | None = None
    """Its own HR user (hospitals, Bamako's private clinics), if any."""

    def region_on(self, day: date) -> str:
        return self.regions[1] if day >= data.SPLIT_ON else self.regions[0]


@dataclass(slots=True)
class Pool:
    """Facilities to draw from, with cumulative weights."""

    facilities: list[Facility] = field(default_factory=list)
    cumulative: list[float] = field(default_factory=list)

    @property
    def total(self) -> float:
        return self.cumulative[-1] if self.cumulative else 0.0

    def draw(self, rng: random.Random) -> Facility | None:
        if not self.facilities:
            return None
        at = rng.random() * self.cumulative[-1]
        return self.facilities[min(bisect.bisect_right(self.cumulative, at), len(self.facilities) - 1)]


class OrgTree:
    """Mali's health org tree, built once from the seed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.districts: list[District] = []
        self.facilities: list[Facility] = []
        self._pools: dict[tuple[str, int], Pool] = {}
        moved = {d: (old, new) for new, _, old, names in data.SPLIT_REGIONS for d in names}
        for region in data.REGIONS:
            self._build_region(region, moved)
        for code, _, _, _ in data.SPLIT_REGIONS:
            if code in data.REGIONAL_HOSPITALS:
                self._regional_hospital(code)

    # Building.

    def _build_region(self, region: data.RegionSpec, moved: dict[str, tuple[str, str]]) -> None:
        districts = [
            self._district(region, name, moved.get(name, (region.code, region.code))) for name in region.districts
        ]
        self.districts.extend(districts)
        if region.code in data.REGIONAL_HOSPITALS:
            self._regional_hospital(region.code)
        sizes = [data.DISTRICT_SIZES.get(d.name, 1.0) for d in districts]
        for district, size in zip(districts, sizes, strict=True):
            name = f"CSRef de {district.name}"
            self._facility(district, f"{district.code}-CSREF", name, "CSREF", district.opened_on, size=size)
        for name, suffix, title, user, opened_on, weight in data.NATIONAL_HOSPITALS:
            for district in (d for d in districts if d.name == name):
                code, opened_on = f"{district.code}-HN-{suffix}", max(opened_on, district.opened_on)
                self._facility(district, code, title, "HOPITAL_NATIONAL", opened_on, user=user, size=weight / 70.0)
        shares = [size * self.rng.uniform(0.6, 1.4) for size in sizes]
        for number in range(region.cscoms):
            district = self.rng.choices(districts, weights=shares)[0]
            self._cscom(district, number + 1, region)
        for number in range(region.clinics):
            district = self.rng.choice(districts)
            self._clinic(district, number + 1, region.code)

    def _district(self, region: data.RegionSpec, name: str, regions: tuple[str, str]) -> District:
        if region.code == "BKO":
            number = ROMAN.index(name.split()[-1]) + 1
            code, user = f"BKO-C{number}", f"commune{number}.csref"
        else:
            code = f"{region.code}-{slug(name)}"
            user = f"{slug(name).lower()}.csref"
        opened_on = date(self.rng.randint(1985, 1999), self.rng.randint(1, 12), 1)
        live_on = date(self.rng.randint(2014, 2018), self.rng.randint(1, 12), 1)
        return District(code, name, regions, opened_on, user, live_on)

    def _regional_hospital(self, region: str) -> None:
        name, opened_on = data.REGIONAL_HOSPITALS[region]
        user = f"hopital.{slug(name.split(' de ')[-1]).lower()}"
        self._facility(None, f"{region}-HR", name, "HOPITAL_REGIONAL", opened_on, user=user, regions=(region, region))

    def _cscom(self, district: District, number: int, region: data.RegionSpec) -> None:
        if self.rng.random() < NEW_CSCOM_SHARE:
            opened_on = date(self.rng.randint(2010, 2022), self.rng.randint(1, 10), 1)
        else:
            opened_on = date(self.rng.randint(max(1989, district.opened_on.year + 1), 2004), self.rng.randint(1, 12), 1)
        code = f"{district.code}-CSCOM-{number:03d}"
        hard = self.rng.random() < region.hard_to_reach
        self._facility(district, code, f"CSCom de {self._place(region.north)}", "CSCOM", opened_on, hard=hard)

    def _clinic(self, district: District, number: int, region: str) -> None:
        if self.rng.random() < NEW_CLINIC_SHARE:
            opened_on = date(self.rng.randint(2010, 2022), self.rng.randint(1, 10), 1)
        else:
            opened_on = max(date(self.rng.randint(1995, 2004), self.rng.randint(1, 12), 1), district.opened_on)
        user = data.BAMAKO_PRIVATE_USER if region == "BKO" else None
        name = f"{self.rng.choice(('Clinique', 'Clinique médicale', 'Polyclinique'))} {self._place(False)}"
        self._facility(district, f"{district.code}-CLIN-{number:03d}", name, "CLINIQUE", opened_on, user=user)

    def _place(self, north: bool) -> str:
        first, middle, last = data.PLACE_PARTS_NORTH if north else data.PLACE_PARTS_SOUTH
        word = self.rng.choice(first) + self.rng.choice(middle) + self.rng.choice(last)
        return word[0].upper() + word[1:]

    def _facility(
        self,
        district: District | None,
        code: str,
        name: str,
        kind: str,
        opened_on: date,
        *,
        user: str | None = None,
        hard: bool = False,
        regions: tuple[str, str] | None = None,
        size: float = 1.0,
    ) -> None:
        sector = {"CSCOM": Sector.COMMUNITY, "CLINIQUE": Sector.PRIVATE}.get(kind, Sector.PUBLIC)
        weight = WEIGHTS[kind] * size * (HARD_TO_REACH_WEIGHT if hard else 1.0)
        where = regions or (district.regions if district else ("", ""))
        self.facilities.append(Facility(code, name, kind, sector, where, district, opened_on, hard, weight, user))

    # Recording.

    def record(self, clerk: Clerk, decisions: Decisions) -> None:
        """Plans the opening of every unit and the 2016 split. A facility opened after the structure
        was first recorded is recorded ahead of its opening, as its decree is: the demo draws it for
        postings from its first day (``Clerk.before``)."""
        moment = STRUCTURE_RECORDED
        later: list[Facility] = []

        def structure(command: OpenOrgUnit) -> None:
            nonlocal moment
            clerk.plan(moment, command, data.NATIONAL_USER)
            moment += timedelta(seconds=20)

        structure(OpenOrgUnit(code=COUNTRY, name="Mali", level=OrgUnitLevel.COUNTRY, opened_on=date(1960, 9, 22)))
        for region in data.REGIONS:
            name = "District de Bamako" if region.code == "BKO" else f"Région de {region.name}"
            structure(self._open_region(region.code, name, REGIONS_OPENED))
        for district in self.districts:
            structure(
                OpenOrgUnit(
                    code=district.code,
                    name=f"District sanitaire de {district.name}" if district.regions[0] != "BKO" else district.name,
                    level=OrgUnitLevel.DISTRICT,
                    parent_code=district.regions[0],
                    opened_on=district.opened_on,
                )
            )
        for facility in self.facilities:
            if facility.opened_on < STRUCTURE_RECORDED.date():
                structure(self._open_facility(facility, None))
            else:
                later.append(facility)
        for facility in later:
            authority = decisions.arrete(facility.opened_on.year, ministry(facility.opened_on.year))
            when = clerk.before(facility.opened_on)
            clerk.plan(when, self._open_facility(facility, authority), data.NATIONAL_USER)
        self._record_split(clerk)

    @staticmethod
    def _open_region(code: str, name: str, opened_on: date, authority: str | None = None) -> OpenOrgUnit:
        return OpenOrgUnit(
            code=code,
            name=name,
            level=OrgUnitLevel.REGION,
            parent_code=COUNTRY,
            opened_on=opened_on,
            authority=authority,
        )

    @staticmethod
    def _open_facility(facility: Facility, authority: str | None) -> OpenOrgUnit:
        return OpenOrgUnit(
            code=facility.code,
            name=facility.name,
            level=OrgUnitLevel.FACILITY,
            parent_code=facility.district.code if facility.district else facility.regions[0],
            sector=facility.sector,
            facility_kind=facility.kind,
            hard_to_reach=facility.hard_to_reach,
            opened_on=facility.opened_on,
            authority=authority,
        )

    def _record_split(self, clerk: Clerk) -> None:
        moment = datetime.fromisoformat(f"{data.SPLIT_ON.isoformat()}T09:00:00+00:00")
        for code, name, _, districts in data.SPLIT_REGIONS:
            command = self._open_region(code, f"Région de {name}", data.SPLIT_ON, data.SPLIT_AUTHORITY)
            clerk.plan(moment, command, data.NATIONAL_USER)
            for district in (d for d in self.districts if d.name in districts):
                moment += timedelta(minutes=3)
                move = MoveOrgUnit(
                    code=district.code, new_parent_code=code, effective_on=data.SPLIT_ON, authority=data.SPLIT_AUTHORITY
                )
                clerk.plan(moment, move, data.NATIONAL_USER)
            moment += timedelta(minutes=5)

    # Queries.

    def pool(self, key: str, year: int) -> Pool:
        """The facilities of a region or district code (or the whole country) open on 1 January of
        ``year``, with regions as of 31 December."""
        if (COUNTRY, year) not in self._pools:
            first, last = date(year, 1, 1), date(year, 12, 31)
            for facility in self.facilities:
                if facility.opened_on > first:
                    continue
                district = facility.district.code if facility.district else None
                for where in {COUNTRY, district, facility.region_on(last)} - {None}:
                    pool = self._pools.setdefault((str(where), year), Pool())
                    pool.facilities.append(facility)
                    pool.cumulative.append((pool.cumulative[-1] if pool.cumulative else 0.0) + facility.weight)
        return self._pools.get((key, year)) or Pool()

    def user(self, facility: Facility, day: date) -> str:
        """Who records an event of ``facility`` on ``day``."""
        if facility.user is not None:
            return facility.user
        if facility.district is not None and day >= facility.district.live_on:
            return facility.district.user
        return data.REGION_USERS[facility.region_on(day)]
