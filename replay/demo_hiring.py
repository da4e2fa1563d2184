"""Recruitment in the demo: who is hired where, with what identity, employer and paperwork.

A recruitment fills a region's gap in qualified workers: each recruit goes to a facility drawn
by size, in a cadre drawn from that kind of facility's mix, often with a non-qualified colleague.
The workforce of 2009 is hired from 2005 on and captured from the paper files in 2009-2010.
"""

import random
import unicodedata
from dataclasses import replace
from datetime import date, datetime, timedelta
from uuid import UUID

from domain.commands import CorrectWorkerDetails, HireWorker, PostWorker
from domain.values import FundingSource, Sector, Sex
from replay import demo_data as data
from replay.demo_careers import Career, Last
from replay.demo_clerk import Clerk, Decisions, ministry
from replay.demo_org import Facility, OrgTree

CAPTURE_STARTS = date(2009, 7, 1)
"""The ledger went live: earlier hires are captured from the paper files within a year."""
INITIAL_HIRES = (date(2005, 1, 1), date(2009, 11, 30))
COMPANIONS = {"CSCOM": 0.22, "CSREF": 0.12, "HOPITAL_REGIONAL": 0.12, "HOPITAL_NATIONAL": 0.12, "CLINIQUE": 0.15}
"""How often a qualified recruit comes with a non-qualified colleague."""
NUMBERED = {Sector.PUBLIC: 0.97, Sector.PARAPUBLIC: 0.95, Sector.COMMUNITY: 0.88, Sector.PRIVATE: 0.75}
"""How often a recruit of each sector has a civil-service number."""
CORRECTED = 0.006
"""How often a hire is recorded with a mistake that a later correction fixes."""
COUNTRY_KNOWN = 0.93
"""How often the file gives a recruit's country of birth, and (apart) of first qualification."""
BORN = {"ML": 0.955, "BF": 0.015, "SN": 0.01, "CI": 0.01, "GN": 0.01}
QUALIFIED = {"ML": 0.93, "SN": 0.025, "MA": 0.015, "CU": 0.01, "DZ": 0.01, "CI": 0.01}
"""Where recruits were born and first qualified: mostly Mali; a few from its neighbours, or trained
in Senegal, Morocco, Cuba or Algeria."""
FAMILY_NAMES = {"MOP": data.FAMILY_NAMES_CENTRE} | {
    region: data.FAMILY_NAMES_NORTH for region in ("TOM", "GAO", "KID", "MEN", "TAO")
}


class Hiring:
    """Recruits workers and plans their hire, first posting and any correction."""

    def __init__(self, tree: OrgTree, clerk: Clerk, decisions: Decisions, rng: random.Random) -> None:
        self.tree, self.clerk, self.decisions, self.rng = tree, clerk, decisions, rng
        self._numbers: set[int] = set()

    def recruit(self, region: str, year: int, count: int) -> list[Career]:
        """Hires ``count`` qualified workers in ``region`` during ``year`` (2009: from 2005 on)."""
        pool, rng = self.tree.pool(region, year), self.rng
        if not count or not pool.facilities:
            return []
        wave_day = date(year, rng.randint(3, 10), rng.randint(1, 28))
        wave = self.decisions.decision(year, ministry(year))
        careers: list[Career] = []
        for _ in range(count):
            facility = pool.draw(rng)
            assert facility is not None
            day = wave_day if year > INITIAL_HIRES[1].year and rng.random() < 0.55 else self._day(year)
            careers.append(self.hire(facility, day, qualified=True, wave=wave if day == wave_day else None))
            if rng.random() < COMPANIONS[facility.kind]:
                careers.append(self.hire(facility, self._day(year), qualified=False))
        return careers

    def _day(self, year: int) -> date:
        first, last = INITIAL_HIRES if year <= INITIAL_HIRES[1].year else (date(year, 1, 2), date(year, 12, 15))
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def hire(self, facility: Facility, day: date, *, qualified: bool, wave: str | None = None) -> Career:
        """Hires a worker at ``facility`` and posts them there; ``wave`` is the decision of a
        recruitment campaign of the state that the hire belongs to."""
        rng = self.rng
        mix = (data.QUALIFIED_MIX if qualified else data.OTHER_MIX)[facility.kind]
        cadre = rng.choices(list(mix), weights=list(mix.values()))[0]
        sex = Sex.MALE if rng.random() < data.CADRE_BY_CODE[cadre].male_share else Sex.FEMALE
        birth = self._birth(cadre, day)
        sector, funding = self._employer(facility, day.year)
        captured = day < CAPTURE_STARTS
        if captured:
            recorded_at = self.clerk.office_time(CAPTURE_STARTS + timedelta(days=rng.randint(0, 364)))
        else:
            recorded_at = self.clerk.recorded(day)
        career = Career(
            worker_id=UUID(int=rng.getrandbits(128), version=4),
            sex=sex,
            birth=birth,
            cadre=cadre,
            sector=sector,
            funding=funding,
            retire_on=retirement(birth, rng.choice((60, 60, 61, 62))),
            facility=facility,
            region=facility.region_on(day),
            last_recorded=recorded_at,
        )
        self._record(career, day, recorded_at, wave, captured)
        return career

    def _record(self, career: Career, day: date, recorded_at: datetime, wave: str | None, captured: bool) -> None:
        rng, facility = self.rng, career.facility
        assert facility is not None
        mistake = rng.choice(("name", "birth", "number", "sex")) if rng.random() < CORRECTED else None
        family, given = self._names(career)
        number = self._number() if rng.random() < NUMBERED[career.sector] and mistake != "number" else None
        known_birth = rng.random() < (0.75 if captured else 0.9) and mistake != "birth"
        user = self.tree.user(facility, day)
        countries, late_country = origins(career.worker_id)
        hire = HireWorker(
            civil_service_number=number,
            family_name=misspell(family) if mistake == "name" else family,
            given_names=given,
            sex=other_sex(career.sex) if mistake == "sex" else career.sex,
            birth_date=career.birth if known_birth else None,
            cadre_code=career.cadre,
            sector=career.sector,
            funding_source=career.funding,
            effective_on=day,
            authority=self._authority(career, day.year, wave),
            note="Saisie de rattrapage (dossier papier)" if captured and rng.random() < 0.2 else None,
            worker_id=career.worker_id,
            country_of_birth=countries[0],
            qualification_country=None if mistake is not None and late_country else countries[1],
        )
        self.clerk.plan(recorded_at, hire, user)
        posted_on = day
        if not captured and rng.random() < 0.3:
            posted_on = min(day + timedelta(days=rng.randint(1, 20)), date(day.year, 12, 31))
        posting = PostWorker(
            worker_id=career.worker_id,
            facility_code=facility.code,
            job_title=self._job_title(career.cadre, facility),
            effective_on=posted_on,
            authority=hire.authority,
        )
        posted_at = self.clerk.recorded(posted_on, after=recorded_at, max_delay=0 if posted_on == day else 30)
        career.last = Last(self.clerk.plan(posted_at, posting, user), posted_on, "posting")
        career.last_recorded = posted_at
        if mistake is not None:
            checked_on = posted_at.date() + timedelta(days=rng.randint(10, 90))
            corrected_at = self.clerk.following(self.clerk.office_time(checked_on), posted_at)
            correction = self._correction(career, mistake, family)
            if late_country and countries[1] is not None:  # the check also finds the diploma's country
                correction = replace(correction, qualification_country=countries[1])
            self.clerk.plan(corrected_at, correction, user)

    def _correction(self, career: Career, mistake: str, family: str) -> CorrectWorkerDetails:
        """Sets right what the hire got wrong: the family name, birth date, sex or a missing number."""
        worker, note = career.worker_id, "Correction après vérification du dossier"
        if mistake == "name":
            return CorrectWorkerDetails(worker_id=worker, family_name=family, note=note)
        if mistake == "birth":
            return CorrectWorkerDetails(worker_id=worker, birth_date=career.birth, note=note)
        if mistake == "sex":
            return CorrectWorkerDetails(worker_id=worker, sex=career.sex, note=note)
        return CorrectWorkerDetails(worker_id=worker, civil_service_number=self._number(), note=note)

    def _birth(self, cadre: str, day: date) -> date:
        rng = self.rng
        if day.year <= INITIAL_HIRES[1].year:
            youngest = {"MED-SPE": 33, "MED-GEN": 29}.get(cadre, 25)
            age = round(rng.triangular(youngest, 59, youngest + 6))
            return date(INITIAL_HIRES[1].year - age, rng.randint(1, 12), rng.randint(1, 28))
        low, high = {"MED-SPE": (30, 42), "MED-GEN": (26, 36), "MAT": (20, 40), "ASC": (20, 40)}.get(cadre, (21, 33))
        born = day - timedelta(days=rng.randint(low * 365, high * 365))
        return born.replace(day=min(born.day, 28))

    def _employer(self, facility: Facility, year: int) -> tuple[Sector, FundingSource]:
        rng, funding = self.rng, FundingSource
        if facility.kind == "CLINIQUE":
            return Sector.PRIVATE, funding.PRIVATE
        if facility.kind == "CSCOM":
            if rng.random() < 0.25:
                return Sector.PUBLIC, funding.STATE
            local = 0.3 if year >= 2012 else 0.1
            sources = (funding.COMMUNITY, funding.LOCAL_GOVERNMENT, funding.PARTNER)
            return Sector.COMMUNITY, rng.choices(sources, weights=(0.55, local, 0.15))[0]
        sector = Sector.PARAPUBLIC if facility.kind == "HOPITAL_NATIONAL" and rng.random() < 0.4 else Sector.PUBLIC
        draw = rng.random()
        return sector, funding.STATE if draw < 0.88 else funding.PARTNER if draw < 0.96 else funding.LOCAL_GOVERNMENT

    def _authority(self, career: Career, year: int, wave: str | None) -> str | None:
        """The decision of a state recruitment (``wave``, when hired with many others), or the
        contract with a community, commune or partner; none for the private sector."""
        if career.funding is FundingSource.STATE:
            return wave or self.decisions.decision(year, ministry(year))
        if career.funding is FundingSource.PARTNER:
            return self.decisions.contract(year, self.rng.choice(data.PARTNERS))
        if career.funding is FundingSource.PRIVATE:
            return None
        return self.decisions.contract(year, "ASACO" if career.funding is FundingSource.COMMUNITY else "Mairie")

    def _names(self, career: Career) -> tuple[str, str]:
        """A family name of the worker's region (mostly), and one or two given names."""
        rng = self.rng
        families: tuple[str, ...] = data.FAMILY_NAMES_SOUTH
        if rng.random() < 0.8:
            families = FAMILY_NAMES.get(career.region, families)
        given = rng.choice(data.GIVEN_NAMES[career.sex])
        if rng.random() < 0.1:
            given = f"{given} {rng.choice(data.GIVEN_NAMES[career.sex])}"
        return rng.choice(families), given

    def _number(self) -> str:
        while (number := self.rng.randrange(1_000_000, 10_000_000)) in self._numbers:
            pass
        self._numbers.add(number)
        return f"MLI-{number:07d}"

    def _job_title(self, cadre: str, facility: Facility) -> str | None:
        if cadre == "MED-GEN" and facility.kind == "CSCOM" and self.rng.random() < 0.6:
            return data.CSCOM_HEAD
        return data.JOB_TITLES[cadre] if self.rng.random() < 0.7 else None


def retirement(birth: date, age: int) -> date:
    """The first day of the month after the worker turns ``age``."""
    if birth.month == 12:
        return date(birth.year + age + 1, 1, 1)
    return date(birth.year + age, birth.month + 1, 1)


def misspell(name: str) -> str:
    """How a clerk might have typed ``name``: without accents, or with a letter doubled or dropped."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    if plain != name:
        return plain
    for at in range(len(name) - 1):
        if name[at] == name[at + 1]:
            return name[:at] + name[at + 1 :]
    return name + name[-1]


def other_sex(sex: Sex) -> Sex:
    return Sex.FEMALE if sex is Sex.MALE else Sex.MALE


def origins(worker_id: UUID) -> tuple[tuple[str | None, str | None], bool]:
    """A recruit's countries of birth and first qualification (None when the file does not say), and
    whether a correction of the hire, if any, also adds the country of qualification. Drawn from the
    worker's id, so the demo's other draws stay as they were."""
    rng = random.Random(worker_id.int)
    born = rng.choices(list(BORN), weights=list(BORN.values()))[0] if rng.random() < COUNTRY_KNOWN else None
    trained = (
        rng.choices(list(QUALIFIED), weights=list(QUALIFIED.values()))[0] if rng.random() < COUNTRY_KNOWN else None
    )
    return (born, trained), rng.random() < 0.1
