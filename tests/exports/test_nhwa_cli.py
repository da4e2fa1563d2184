"""``hrh export nhwa`` from the command line, on the demo data set, as a planner: the CSV has exactly DESIGN's
columns and its totals equal GraphQL's staffing, the workbook reads back with openpyxl, the position is
stated on standard error, and a bad format or year is refused with its code."""

import asyncio
import csv
import io
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from api.database import open_ledger, scratch_database
from api.exports.session import OPERATOR, export_services
from api.operations import execute
from api.settings import Settings
from tests.e2e.api_support import HRH

pytestmark = pytest.mark.integration

STAFFING = 'query($c: String!) { staffing(orgUnitCode: $c, asOf: "2025-12-31") { active } }'


@pytest.fixture(scope="module")
def demo(server_url: str) -> Iterator[dict[str, str]]:
    """The environment of a database holding the demo data set (scale 0.1) and a planner named Plan."""
    with scratch_database(server_url, f"hrh_nhwa_{uuid.uuid4().hex[:10]}") as url:
        env = {**os.environ, "DATABASE_URL": url}
        for command in (["demo", "--no-serve", "--scale", "0.1"], ["users", "add", "Plan", "--role", "PLANNER"]):
            done = subprocess.run([HRH, *command], env=env, capture_output=True, text=True, timeout=900)
            assert done.returncode == 0, done.stderr[-3000:]
        yield env


def nhwa(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([HRH, "export", "nhwa", *args], env=env, capture_output=True, timeout=600, check=False)


def test_a_planner_exports_the_csv_whose_totals_are_the_staffing_figures(demo: dict[str, str]) -> None:
    done = nhwa(demo, "--year", "2025", "--user", "Plan")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode("utf-8"))))
    assert list(rows[0]) == ["module", "org_unit", "occupation", "breakdown", "category", "value"]
    stderr = done.stderr.decode()
    assert "reflects ledger position" in stderr and "reference date 2025-12-31" in stderr
    units = list(dict.fromkeys(r["org_unit"] for r in rows))
    assert units[0] == "ML" and len(units) > 2
    totals = {
        r["org_unit"]: int(r["value"])
        for r in rows
        if (r["module"], r["occupation"], r["breakdown"]) == ("1", "all", "total")
    }
    assert totals == {unit: active(demo["DATABASE_URL"], unit) for unit in units}
    assert totals["ML"] > 0


def active(url: str, unit: str) -> int:
    """GraphQL's staffing ``active`` of ``unit`` on 2025-12-31, asked in-process."""

    async def ask() -> int:
        ledger = open_ledger(url, Settings())
        try:
            async with export_services(url, ledger) as services:
                return int((await execute(services, OPERATOR, STAFFING, {"c": unit}))["staffing"]["active"])
        finally:
            ledger.close()

    return asyncio.run(ask())


def test_the_workbook_reads_back_and_bad_options_are_refused(demo: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "nhwa.xlsx"
    done = nhwa(demo, "--year", "2025", "-o", str(path))
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Module 1 - stock", "Module 5 - flows", "About"]
    assert book["Module 1 - stock"].freeze_panes == "C3"
    assert book["Module 1 - stock"]["A3"].value == "ML"
    bad = nhwa(demo, "--year", "2025", "--format", "pdf")
    assert bad.returncode != 0 and b"FORMAT_UNSUPPORTED" in bad.stderr
    early = nhwa(demo, "--year", "1066")
    assert early.returncode != 0 and b"BAD_USER_INPUT" in early.stderr
