"""The round trip of issue 18: the template that ``hrh import-template`` writes, filled here with generated
people (accents, spaces, dates in each accepted form), imported with ``hrh import``, then exported with
``hrh export staffing``: the same people come back, each with the cadre, facility, sex, sector, funding and
birth date they were given."""

import csv
import io
import random
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from tests.imports.test_importing_cli import hrh, url  # noqa: F401  (the scratch database with the org tree)
from tests.integration.test_projections import CADRES, FACILITIES

pytestmark = pytest.mark.integration

NAMES = ["Keïta", "Sangaré ", "Touré", "Diarra", "Coulibaly", "Maïga", "Dembélé", "Sidibé"]
GIVEN = ["Awa", "Fatoumata", "Moussa", "Aïssata", "Boubacar", "Hawa"]


def people(count: int) -> list[dict[str, object]]:
    """Generated workers: what each row of the template says of them."""
    chosen = random.Random(18)
    made = []
    for n in range(count):
        born = date(1960 + chosen.randrange(40), 1 + chosen.randrange(12), 1 + chosen.randrange(28))
        made.append(
            {
                "civilServiceNumber": f"RT-{n:04d}",
                "familyName": chosen.choice(NAMES) + f"{n}",
                "givenNames": chosen.choice(GIVEN),
                "sex": chosen.choice(["FEMALE", "MALE"]),
                "birthDate": born,
                "cadreCode": chosen.choice(sorted(CADRES)),
                "sector": chosen.choice(["PUBLIC", "PRIVATE", "COMMUNITY"]),
                "fundingSource": chosen.choice(["STATE", "PARTNER"]),
                "facilityCode": chosen.choice(sorted(FACILITIES)),
                "hired": date(2018, 1, 1 + chosen.randrange(28)),
            }
        )
    return made


def fill(template: Path, workers: list[dict[str, object]]) -> None:
    """Each worker a hire and a posting, under the columns the template's row 1 names; dates as date cells,
    as dd/mm/yyyy text and as ISO text in turn."""
    book = openpyxl.load_workbook(template)
    hires, posts = book["hireWorker"], book["postWorker"]
    hire_columns = {cell.value: cell.column for cell in hires[1]}
    post_columns = {cell.value: cell.column for cell in posts[1]}
    for n, worker in enumerate(workers):
        hired = worker["hired"]
        assert isinstance(hired, date)
        written = [hired, hired.strftime("%d/%m/%Y"), hired.isoformat()][n % 3]
        values = {**worker, "effectiveOn": written}
        for name in ("civilServiceNumber", "familyName", "givenNames", "sex", "birthDate", "cadreCode", "sector",
                     "fundingSource", "effectiveOn"):  # fmt: skip
            hires.cell(3 + n, hire_columns[name], values[name])
        posting = {"civilServiceNumber": worker["civilServiceNumber"], "facilityCode": worker["facilityCode"]}
        for name, value in {**posting, "effectiveOn": hired}.items():
            posts.cell(3 + n, post_columns[name], value)
    book.save(template)


def test_the_template_filled_imported_and_exported_gives_the_same_people(url: str, tmp_path: Path) -> None:  # noqa: F811
    template = tmp_path / "gabarit.xlsx"
    made = hrh(url, "import-template", str(template))
    assert made.exit_code == 0, made.output
    workers = people(40)
    fill(template, workers)
    imported = hrh(url, "import", str(template), "--lang", "en")
    assert imported.exit_code == 0 and "80 rows read: 80 recorded" in imported.output, imported.output
    listing = tmp_path / "list.csv"
    exported = hrh(url, "export", "staffing", "--unit", "ML", "--as-of", "2018-12-31", "-o", str(listing))
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(listing.read_text(encoding="utf-8-sig"))))
    came_back = {
        r["civilServiceNumber"]: (r["familyName"], r["givenNames"], r["sex"], r["birthDate"], r["cadreCode"],
                                  r["facilityCode"], r["sector"], r["fundingSource"])
        for r in rows
    }  # fmt: skip
    sent = {
        str(w["civilServiceNumber"]): (str(w["familyName"]).strip(), w["givenNames"], w["sex"], str(w["birthDate"]),
                                       w["cadreCode"], w["facilityCode"], w["sector"], w["fundingSource"])
        for w in workers
    }  # fmt: skip
    assert came_back == sent
    again = hrh(url, "import", str(template), "--lang", "en")  # the same file again records nothing
    assert again.exit_code == 0 and "80 rows read: 0 recorded, 80 already recorded, 0 refused" in again.output


def test_the_template_is_an_xlsx_workbook_and_a_user_who_is_not_is_refused(url: str, tmp_path: Path) -> None:  # noqa: F811
    other = hrh(url, "import-template", str(tmp_path / "gabarit.csv"))
    assert other.exit_code != 0 and "FORMAT_UNSUPPORTED" in other.output
    nobody = hrh(url, "import-template", str(tmp_path / "gabarit.xlsx"), "--user", "nobody")
    assert nobody.exit_code != 0 and "UNKNOWN_USER" in nobody.output
    assert not (tmp_path / "gabarit.xlsx").exists()
