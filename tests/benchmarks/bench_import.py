"""Import benchmark: ``hrh import`` of a 25,000-row workbook, against the bulk path given the same commands.

    .venv/bin/python -m tests.benchmarks.bench_import [--hires 12500]

The demo's org tree and cadres (its structure: units, moves, populations, establishments, cadres; no worker)
are loaded into two fresh databases (on DATABASE_URL's server, or an embedded one). A workbook is generated
with openpyxl (timed apart): ``--hires`` hires on the ``hireWorker`` sheet, and as many postings by
civil-service number on ``postWorker``, to the demo's facilities. Then, in the same run and against the same
server:

1. the baseline: ``replay.bulk.load`` of the same commands (the hires with their worker ids, the postings by
   id), no spreadsheet, no guard, no command id, into the first database;
2. ``hrh import FILE.xlsx`` as a user runs it (the whole command, in a process of its own: the file read as a
   stream, every row checked against its GraphQL input type and with the operator's guard, a commandId for
   each row and its receipt) into the second database;
3. the same command again on the same file: every row already recorded, nothing written.

Where the time goes, timed apart in this process: the file read (``read_rows``, every row) and each row made
into its command (``row_command``: coerced as GraphQL coerces a variable, then built by the resolver's own
function), with no ledger.

Each is reported in seconds, and as a ratio against the baseline.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

from api.database import ledger_env, scratch_database, start_embedded
from api.imports.commands import row_command
from api.imports.reading import read_rows
from domain import commands as c
from domain.ledger import Ledger
from domain.values import FundingSource, OrgUnitLevel, Sector, Sex
from replay import bulk
from replay.bulk import Submission
from replay.demo import generate

HRH = str(Path(sys.executable).with_name("hrh"))
STRUCTURE = (c.OpenOrgUnit, c.MoveOrgUnit, c.CloseOrgUnit, c.RecordPopulation, c.SetEstablishment, c.DefineCadre)
FIRST_DAY = date(2021, 1, 4)
OPEN_BY = date(2020, 1, 1)
HIRES = ["civilServiceNumber", "familyName", "givenNames", "sex", "cadreCode", "sector", "fundingSource", "effectiveOn"]
POSTINGS = ["civilServiceNumber", "facilityCode", "effectiveOn"]


def server() -> str:
    return os.environ.get("DATABASE_URL") or start_embedded(
        Path(f"/tmp/hrh-bench-{uuid.uuid4().hex[:6]}"), delete_on_exit=True
    )


def structure() -> tuple[list[Submission], list[str], list[str]]:
    """The demo's org tree and cadres as submissions; the facilities open by ``OPEN_BY`` and never closed, and
    the cadres."""
    rows = [s for s in generate(seed=2017, scale=0.1) if isinstance(s.command, STRUCTURE)]
    closed = {s.command.code for s in rows if isinstance(s.command, c.CloseOrgUnit)}
    facilities = [
        s.command.code
        for s in rows
        if isinstance(s.command, c.OpenOrgUnit)
        and s.command.level is OrgUnitLevel.FACILITY
        and s.command.opened_on <= OPEN_BY
        and s.command.code not in closed
    ]
    cadres = [s.command.code for s in rows if isinstance(s.command, c.DefineCadre)]
    return rows, facilities, cadres


def person(n: int, facilities: list[str], cadres: list[str]) -> tuple[list[object], list[object]]:
    """The ``n``-th hire's row and its posting's row."""
    number = f"BENCH-{n:06d}"
    day = (FIRST_DAY + timedelta(days=n % 365)).isoformat()
    sex = "FEMALE" if n % 2 else "MALE"
    hire = [number, f"Famille {n}", "Awa", sex, cadres[n % len(cadres)], "PUBLIC", "STATE", day]
    return hire, [number, facilities[n % len(facilities)], day]


def workbook(path: Path, hires: int, facilities: list[str], cadres: list[str]) -> None:
    book = Workbook(write_only=True)
    people = [person(n, facilities, cadres) for n in range(hires)]
    for title, names, index in (("hireWorker", HIRES, 0), ("postWorker", POSTINGS, 1)):
        sheet = book.create_sheet(title)
        sheet.append(names)
        sheet.append(names)  # row 2: the labels
        for row in people:
            sheet.append(row[index])
    book.save(path)


def baseline_commands(hires: int, facilities: list[str], cadres: list[str]) -> list[Submission]:
    """The workbook's commands as the bulk path takes them: workers named by id, no guard, no command id."""
    rows: list[Submission] = []
    posts: list[Submission] = []
    for n in range(hires):
        hire, post = person(n, facilities, cadres)
        worker = uuid.uuid4()
        day = date.fromisoformat(str(hire[7]))
        rows.append(
            Submission(
                c.HireWorker(
                    worker_id=worker,
                    civil_service_number=str(hire[0]),
                    family_name=str(hire[1]),
                    given_names=str(hire[2]),
                    sex=Sex(hire[3]),
                    cadre_code=str(hire[4]),
                    sector=Sector.PUBLIC,
                    funding_source=FundingSource.STATE,
                    effective_on=day,
                ),
                "cli",
            )
        )
        posts.append(Submission(c.PostWorker(worker_id=worker, facility_code=str(post[1]), effective_on=day), "cli"))
    return rows + posts


def load_structure(url: str, rows: list[Submission]) -> None:
    ledger = Ledger(env=ledger_env(url))
    try:
        report = bulk.load(ledger, rows, processes=1)
        if report.refusals:
            raise SystemExit(f"the demo's structure was refused: {report.refusals[:3]}")
    finally:
        ledger.close()


def timed_baseline(url: str, rows: list[Submission]) -> tuple[float, int]:
    ledger = Ledger(env=ledger_env(url))
    try:
        started = time.perf_counter()
        report = bulk.load(ledger, rows)
        return time.perf_counter() - started, report.accepted
    finally:
        ledger.close()


def timed_import(url: str, path: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [HRH, "import", str(path)], env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"hrh import failed ({done.returncode}): {done.stdout[-2000:]} {done.stderr[-2000:]}")
    summary = next(line for line in done.stdout.splitlines() if "rows read" in line)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest child's, in MB
    return seconds, f"{summary} (peak memory of a child so far: {peak:.0f} MB)"


def timed_phases(path: Path) -> tuple[float, float]:
    """Seconds to read every row of the file, then to make each row's command."""
    started = time.perf_counter()
    rows = list(read_rows(path))
    read = time.perf_counter() - started
    started = time.perf_counter()
    for row in rows:
        row_command(row, "cli")
    return read, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hires", type=int, default=12_500)
    args = parser.parse_args()
    base = server()
    rows, facilities, cadres = structure()
    with (
        tempfile.TemporaryDirectory() as folder,
        scratch_database(base, f"hrh_bench_import_{uuid.uuid4().hex[:8]}") as baseline_url,
        scratch_database(base, f"hrh_bench_import_{uuid.uuid4().hex[:8]}") as import_url,
    ):
        load_structure(baseline_url, rows)
        load_structure(import_url, rows)
        path = Path(folder) / "bench.xlsx"
        started = time.perf_counter()
        workbook(path, args.hires, facilities, cadres)
        print(
            f"workbook: {2 * args.hires:,} rows, {path.stat().st_size / 1e6:.1f} MB, "
            f"written in {time.perf_counter() - started:.1f} s (not counted)"
        )
        baseline, accepted = timed_baseline(baseline_url, baseline_commands(args.hires, facilities, cadres))
        print(f"baseline  bulk.load, same commands, no file/guard/ids: {baseline:6.1f} s ({accepted:,} accepted)")
        first, summary = timed_import(import_url, path)
        print(
            f"hrh import (whole command):                          {first:6.1f} s = {first / baseline:.2f}x  {summary}"
        )
        again, summary = timed_import(import_url, path)
        print(
            f"hrh import again (all already recorded):            {again:6.1f} s = {again / baseline:.2f}x  {summary}"
        )
        read, checks = timed_phases(path)
        print(f"of which, timed apart: the file read {read:.1f} s, the rows made into commands {checks:.1f} s")


if __name__ == "__main__":
    main()
