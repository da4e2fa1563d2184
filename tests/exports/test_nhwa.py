"""``hrh export nhwa``: the NHWA figures of a small story whose every figure is counted by hand below.

Two regions, one facility each: R1's CS1 (a CSCOM) and R2's CS2 (a CSREF), under the country ML. On the
reference date 2020-12-31, nine workers are active (one more on leave). Ages sit on NHWA's boundaries
(24/25, 64/65, none); every sector maps to its ownership; a transfer crosses from R1 to R2; five departures
give every reason; a back-dated hire is recorded after the moment ``split``. Module 1's totals must equal
GraphQL's staffing ``active`` for the same unit, date and knownAt; the files are read back with csv and
openpyxl.
"""

import asyncio
import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import openpyxl
import pytest

from api.access import Role, User
from api.exports import nhwa_files
from api.exports.nhwa import NhwaExport, nhwa_figures
from api.exports.nhwa_session import export_nhwa
from api.exports.session import OPERATOR, export_services
from api.operations import execute
from domain import commands as c
from domain.ledger import Ledger
from domain.values import CadreGroup, DepartureReason, FundingSource, LeaveKind, OrgUnitLevel, Sector, Sex
from tests.integration.projection_support import catch_up, fresh_ledger, target_of
from tests.integration.test_projections import Recorder

pytestmark = pytest.mark.integration

PLANNER = User("planner", Role.PLANNER)
STAFFING = 'query($c: String!, $k: DateTime) { staffing(orgUnitCode: $c, asOf: "2020-12-31", knownAt: $k) { active } }'


class Story:
    def __init__(self, ledger: Ledger, record: Recorder) -> None:
        self.ledger, self.record = ledger, record
        self.split = record.now


def hire(record: Recorder, cadre: str, sex: Sex, born: date | None, sector: Sector, facility: str | None,
         day: date = date(2019, 6, 1), birth: str | None = None, trained: str | None = None) -> Any:  # fmt: skip
    assert record(
        c.HireWorker(
            family_name="Keita",
            given_names="Ami",
            sex=sex,
            birth_date=born,
            cadre_code=cadre,
            sector=sector,
            funding_source=FundingSource.STATE,
            effective_on=day,
            country_of_birth=birth,
            qualification_country=trained,
        )
    )
    worker = record.workers[-1]
    if facility is not None:
        assert record(c.PostWorker(worker_id=worker, facility_code=facility, effective_on=day))
    return worker


def depart(record: Recorder, worker: Any, reason: DepartureReason, day: date) -> None:
    assert record(c.RecordDeparture(worker_id=worker, reason=reason, effective_on=day))


def build(record: Recorder) -> None:
    opened = date(2015, 1, 1)
    assert record(c.OpenOrgUnit(code="ML", name="Mali", level=OrgUnitLevel.COUNTRY, opened_on=opened))
    for region, facility, kind in (("R1", "CS1", "CSCOM"), ("R2", "CS2", "CSREF")):
        assert record(
            c.OpenOrgUnit(code=region, name=region, level=OrgUnitLevel.REGION, parent_code="ML", opened_on=opened)
        )
        assert record(
            c.OpenOrgUnit(
                code=facility, name=facility, level=OrgUnitLevel.FACILITY, parent_code=region,
                sector=Sector.PUBLIC, facility_kind=kind, opened_on=opened,
            )
        )  # fmt: skip
    assert record(c.DefineCadre(code="MD", name="Médecin", isco08="2211", group=CadreGroup.DOCTOR, qualified=True))
    assert record(c.DefineCadre(code="SF", name="Sage-femme", isco08="2222", group=CadreGroup.MIDWIFE, qualified=True))
    assert record(c.DefineCadre(code="AIDE", name="Aide", group=CadreGroup.OTHER, qualified=False))  # no ISCO-08
    assert record(c.RecordPopulation(org_unit_code="ML", year=2020, population=1_000_000))
    assert record(c.SetEstablishment(facility_code="CS1", cadre_code="MD", posts=6, effective_on=date(2019, 1, 1)))
    # Active on 2020-12-31, with ages on the boundaries: 24, 25 (the birthday is the reference date), 64, 65.
    hire(record, "MD", Sex.FEMALE, date(1996, 1, 1), Sector.PUBLIC, "CS1", birth="ML", trained="ML")
    hire(record, "MD", Sex.MALE, date(1995, 12, 31), Sector.PARAPUBLIC, "CS1", birth="FR", trained="FR")
    hire(record, "SF", Sex.FEMALE, date(1956, 1, 1), Sector.COMMUNITY, "CS2", trained="SN")
    hire(record, "SF", Sex.FEMALE, date(1955, 12, 31), Sector.PRIVATE, "CS2", birth="ML")
    hire(record, "AIDE", Sex.MALE, None, Sector.PUBLIC, "CS1", birth="ML", trained="ML")
    moving = hire(record, "MD", Sex.MALE, date(1980, 5, 5), Sector.PUBLIC, "CS1")
    assert record(c.TransferWorker(worker_id=moving, to_facility_code="CS2", effective_on=date(2020, 7, 1)))
    resting = hire(record, "MD", Sex.FEMALE, date(1985, 1, 1), Sector.PUBLIC, "CS1")
    assert record(c.StartLeave(worker_id=resting, kind=LeaveKind.STUDY, effective_on=date(2020, 12, 1)))
    hire(record, "SF", Sex.FEMALE, date(1990, 2, 2), Sector.PUBLIC, "CS2", day=date(2020, 3, 1))  # an entry
    # Departures in 2020, one per kind of reason.
    depart(
        record, hire(record, "MD", Sex.MALE, None, Sector.PUBLIC, "CS1"), DepartureReason.RESIGNATION, date(2020, 2, 1)
    )
    depart(
        record, hire(record, "SF", Sex.FEMALE, None, Sector.PUBLIC, "CS2"), DepartureReason.EMIGRATION, date(2020, 4, 1)
    )
    depart(record, hire(record, "AIDE", Sex.MALE, None, Sector.PUBLIC, "CS1"), DepartureReason.DEATH, date(2020, 5, 1))
    retired = hire(record, "MD", Sex.FEMALE, date(1970, 1, 1), Sector.PUBLIC, "CS2")
    depart(record, retired, DepartureReason.RETIREMENT, date(2020, 6, 1))
    assert record(c.RehireWorker(worker_id=retired, effective_on=date(2020, 9, 1)))  # an entry, where posted
    assert record(c.PostWorker(worker_id=retired, facility_code="CS1", effective_on=date(2020, 9, 2)))
    depart(record, hire(record, "MD", Sex.MALE, None, Sector.PUBLIC, "CS1"), DepartureReason.OTHER, date(2020, 8, 1))
    hire(record, "MD", Sex.FEMALE, None, Sector.PUBLIC, None, day=date(2020, 11, 1))  # hired, never posted


@pytest.fixture(scope="module")
def story(database_url: str) -> Iterator[Story]:
    with fresh_ledger(database_url) as ledger:
        record = Recorder(ledger)
        build(record)
        made = Story(ledger, record)
        # Recorded after the split: a back-dated hire at CS1 (R1) on 2020-06-01.
        hire(record, "MD", Sex.FEMALE, date(1988, 1, 1), Sector.PUBLIC, "CS1", day=date(2020, 6, 1))
        catch_up(database_url, ledger)
        yield made


def exported(url: str, story: Story, user: User = OPERATOR, known_at: datetime | None = None) -> NhwaExport:
    async def run() -> NhwaExport:
        async with export_services(url, story.ledger, target_of(story.ledger)) as services:
            return await nhwa_figures(services, user, 2020, known_at=known_at)

    return asyncio.run(run())


def figures(done: NhwaExport) -> dict[tuple[int, str, str, str, str], Any]:
    found: dict[tuple[int, str, str, str, str], Any] = {}
    for r in done.rows:
        key = (r.module, r.org_unit, r.occupation, r.breakdown, r.category)
        assert key not in found, key
        found[key] = r.value
    return found


def staffing_active(url: str, story: Story, code: str, known_at: datetime | None) -> int:
    async def ask() -> int:
        async with export_services(url, story.ledger, target_of(story.ledger)) as services:
            answer = await execute(services, OPERATOR, STAFFING, {"c": code, "k": known_at and known_at.isoformat()})
            return int(answer["staffing"]["active"])

    return asyncio.run(ask())


@pytest.mark.parametrize("then", [False, True])
def test_module_1_totals_equal_graphql_staffing_and_every_breakdown_sums_to_them(
    database_url: str, story: Story, then: bool
) -> None:
    known_at = story.split if then else None
    done = exported(database_url, story, PLANNER, known_at)  # a planner may run it: aggregates only
    found = figures(done)
    assert [u.code for u in done.units] == ["ML", "R1", "R2"]
    for unit, now, before in (("ML", 9, 8), ("R1", 5, 4), ("R2", 4, 4)):
        assert found[(1, unit, "all", "total", "")] == (before if then else now)
        assert found[(1, unit, "all", "total", "")] == staffing_active(database_url, story, unit, done.known_at)
    jobs = {(r.org_unit, r.occupation) for r in done.rows if r.module == 1}
    for unit, job in jobs:
        total = found[(1, unit, job, "total", "")]
        for breakdown in ("sex", "age_band", "ownership", "facility_type", "place_of_birth", "place_of_training"):
            parts = [v for k, v in found.items() if k[:4] == (1, unit, job, breakdown)]
            assert sum(parts) == total, (unit, job, breakdown)
    occupations = [found[(1, "ML", job, "total", "")] for job in ("2211", "2222", "unknown")]
    assert occupations == ([4, 3, 1] if then else [5, 3, 1])
    assert sum(occupations) == found[(1, "ML", "all", "total", "")]


def test_age_bands_ownership_facility_types_and_places(database_url: str, story: Story) -> None:
    found = figures(exported(database_url, story))
    ages = {band: found[(1, "ML", "all", "age_band", band)] for band in nhwa_age_bands()}
    assert ages == {"<25": 1, "25-34": 3, "35-44": 1, "45-54": 1, "55-64": 1, "65+": 1, "unknown": 1}
    assert found[(1, "ML", "2222", "age_band", "65+")] == 1 and found[(1, "ML", "unknown", "age_band", "unknown")] == 1
    owners = {k[4]: v for k, v in found.items() if k[:4] == (1, "ML", "all", "ownership")}
    assert owners == {"public": 7, "private not-for-profit": 1, "private for-profit": 1, "unknown": 0}
    kinds = {k[4]: v for k, v in found.items() if k[:4] == (1, "ML", "all", "facility_type")}
    assert kinds == {"CSCOM": 5, "CSREF": 4}
    # Every unit lists the country's facility types: R2 has no CSCOM worker, and says 0.
    assert {k[4]: v for k, v in found.items() if k[:4] == (1, "R2", "all", "facility_type")} == {"CSCOM": 0, "CSREF": 4}
    births = {k[4]: v for k, v in found.items() if k[:4] == (1, "ML", "all", "place_of_birth")}
    assert births == {"national": 3, "foreign": 1, "unknown": 5}
    training = {k[4]: v for k, v in found.items() if k[:4] == (1, "ML", "all", "place_of_training")}
    assert training == {"domestic": 2, "foreign": 2, "unknown": 5}
    assert (found[(1, "ML", "all", "sex", "female")], found[(1, "ML", "all", "sex", "male")]) == (6, 3)
    assert found[(1, "ML", "2211", "density", "")] == pytest.approx(5 / 1_000_000 * 10_000)
    assert found[(1, "R1", "all", "density", "")] is None  # no population for R1, nor its children


def nhwa_age_bands() -> list[str]:
    return ["<25", "25-34", "35-44", "45-54", "55-64", "65+", "unknown"]


def test_exits_by_reason_and_a_regions_boundary_transfers_apart(database_url: str, story: Story) -> None:
    done = exported(database_url, story)
    found = figures(done)

    def flows(unit: str, breakdown: str) -> dict[str, int]:
        return {k[4]: v for k, v in found.items() if k[:4] == (5, unit, "all", breakdown)}

    # The country: three entries (a hire posted at CS2, a rehire posted at CS1, the back-dated hire; the
    # hire never posted lies in no unit), five departures by reason, and no transfer.
    assert flows("ML", "entries") == {"": 3, "transfer": 0, "female": 3, "male": 0, "unknown": 0}
    assert flows("ML", "exits") == {
        "": 5, "voluntary": 2, "involuntary": 2, "other": 1, "transfer": 0, "female": 2, "male": 3, "unknown": 0
    }  # fmt: skip
    # R1: the rehire and the back-dated hire in; a resignation, a death, an OTHER and the transfer to R2 out.
    assert flows("R1", "entries")[""] == 2 and flows("R1", "entries")["transfer"] == 0
    assert flows("R1", "exits") == {
        "": 4, "voluntary": 1, "involuntary": 1, "other": 1, "transfer": 1, "female": 0, "male": 4, "unknown": 0
    }  # fmt: skip
    # R2: the 2020 hire and the transfer from R1 in; an emigration and a retirement out.
    assert flows("R2", "entries") == {"": 2, "transfer": 1, "female": 1, "male": 1, "unknown": 0}
    assert flows("R2", "exits")[""] == 2 and flows("R2", "exits")["voluntary"] == 1
    assert (
        found[(5, "ML", "2222", "exits", "voluntary")] == 1 and found[(5, "ML", "unknown", "exits", "involuntary")] == 1
    )
    rates = {u.code: u.vacancy_rate for u in done.units}
    assert rates == {"ML": pytest.approx(1 / 6), "R1": pytest.approx(1 / 6), "R2": None}  # 6 MD posts, 5 held


def test_the_csv_and_the_workbook_read_back(database_url: str, story: Story, tmp_path: Any) -> None:
    done = asyncio.run(export_nhwa(database_url, story.ledger, 2020, target=target_of(story.ledger)))
    rows = list(csv.reader(io.StringIO(nhwa_files.file_bytes(done, "csv").decode("utf-8"))))
    assert rows[0] == ["module", "org_unit", "occupation", "breakdown", "category", "value"]
    assert ["1", "ML", "all", "total", "", "9"] in rows and ["5", "R1", "all", "exits", "transfer", "1"] in rows
    assert len(rows) == len(done.rows) + 1
    path = tmp_path / "nhwa.xlsx"
    path.write_bytes(nhwa_files.file_bytes(done, "xlsx"))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Module 1 - stock", "Module 5 - flows", "About"]
    stock = book["Module 1 - stock"]
    assert stock.freeze_panes == "C3"
    header = [c.value for c in stock[2]]
    lines = {
        (r[0], r[1]): dict(zip(range(len(r)), r, strict=True)) for r in stock.iter_rows(min_row=3, values_only=True)
    }
    ml = lines[("ML", "All occupations")]
    assert ml[2] == 9  # the first column after the unit and the occupation: the total
    assert [ml[i] for i, h in enumerate(header) if h in ("female", "male")] == [6, 3]
    assert ("R2", "2222") in lines and ("R1", "unknown") in lines
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True)}
    assert about["Ledger position"] == str(done.position)
    assert about["Reference date"] == "2020-12-31" and about["As known at"] == done.known_at.isoformat()
    assert f"position {done.position}" in done.statement()
