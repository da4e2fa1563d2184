"""The growth benchmark's steps at one scale: the ``hrh`` commands a user runs, each timed and watched.

Every command runs as ``hrh`` in a subprocess against the scale's own embedded PostgreSQL
(``DATABASE_URL``), with its process tree's and PostgreSQL's memory sampled meanwhile
(``growth_memory``). The baselines are the ones ``docs/performance.md`` tracks, from the other
benchmarks' own functions: raw asyncpg ``executemany`` of the stored rows (``bench_write.
raw_in_child``) for the first load, raw asyncpg reading and decoding the events table
(``bench_projections.raw_in_child``) for the rebuild, a raw binary COPY of the stored rows
(``bench_restore.raw_copy``) for ``import-log``.
"""

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import psycopg
from psycopg import sql

from tests.benchmarks.bench_projections import raw_in_child, settle
from tests.benchmarks.bench_restore import raw_copy
from tests.benchmarks.bench_write import raw_in_child as raw_inserts
from tests.benchmarks.growth_memory import watched

HRH = str(Path(sys.executable).with_name("hrh"))
TIMEOUT = 4 * 60 * 60
# The demo's summary line: "N commands, N events, N workers, N facilities; N refused; S s (...)".
SUMMARY = re.compile(
    r"([\d,]+) commands, ([\d,]+) events, ([\d,]+) workers, ([\d,]+) facilities; (\d+) refused; ([\d.]+) s"
)
REBUILT = re.compile(r"Rebuilt \S+ up to ledger position [\d,]+ in ([\d.]+) s")
# What the DHIS2 export sends (docs/exports.md, the mapping file): the country and a region, a
# total, a figure by sex and one by cadre group. JSON is YAML.
DHIS2_MAPPING = {
    "idScheme": "CODE",
    "orgUnits": {"ML": "MLI", "MOP": "MLI_MOPTI"},
    "dataValues": [
        {"figure": "qualifiedActive", "dataElement": "HRH_QUALIFIED"},
        {
            "figure": "active",
            "dataElement": "HRH_ACTIVE_SEX",
            "disaggregate": ["sex"],
            "categoryOptionCombos": {"FEMALE": "HRH_F", "MALE": "HRH_M"},
        },
        {
            "figure": "vacant",
            "dataElement": "HRH_VACANT",
            "disaggregate": ["cadreGroup"],
            "categoryOptionCombos": {
                "DOCTOR": "DOC",
                "NURSE": "NUR",
                "MIDWIFE": "MID",
                "PHARMACIST": "PHA",
                "OTHER": "OTH",
            },
        },
    ],
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def hrh(url: str, pg_pid: int, *args: str, stdin: str | None = None) -> dict[str, Any]:
    """Runs ``hrh ARGS`` against ``url``: its seconds, memory peaks (``growth_memory``) and output.

    Raises:
        SystemExit: the command failed.
    """
    env = {**os.environ, "DATABASE_URL": url, "COLUMNS": "400"}  # rich wraps nothing at 400 columns
    started = time.perf_counter()
    process = subprocess.Popen(
        [HRH, *args],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    with watched(process.pid, pg_pid) as peaks:
        out, _ = process.communicate(stdin, timeout=TIMEOUT)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"hrh {' '.join(args)} failed (exit {process.returncode}):\n{out[-3000:]}")
    return {"seconds": round(seconds, 2), "memory": peaks.figures(), "output": out}


def step(name: str, done: dict[str, Any], events: int | None = None) -> dict[str, Any]:
    """A step's figures, without its output; with ``events``, its time per event in µs."""
    figures = {k: v for k, v in done.items() if k != "output"}
    if events:
        figures["us_per_event"] = round(done["seconds"] / events * 1e6, 2)
    m = figures["memory"]
    log(
        f"  {name}: {done['seconds']:.1f} s; largest process {m['largest_mb']:,} MB, tree {m['tree_mb']:,} MB "
        f"({m['processes']} processes), PostgreSQL {m['pg_mb']:,} MB"
    )
    return figures


def create_database(server: str, name: str) -> str:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def drop_database(server: str, name: str) -> None:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


async def database_bytes(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT pg_database_size(current_database())"))
    finally:
        await conn.close()


async def drop_scratch(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DROP TABLE scratch_events")
    finally:
        await conn.close()


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def load_and_rebuild(url: str, pg_pid: int, pgdata: Path, scale: float) -> dict[str, Any]:
    """``hrh demo --no-serve``, the disk it takes, then ``hrh rebuild`` between two raw reads."""
    out: dict[str, Any] = {}
    log(f"scale {scale:g}: hrh demo --no-serve --scale {scale:g}")
    demo = hrh(url, pg_pid, "demo", "--no-serve", "--scale", f"{scale:g}")
    found = SUMMARY.search(demo["output"])
    if found is None:
        raise SystemExit(f"no summary line in hrh demo's output:\n{demo['output'][-2000:]}")
    commands, events, workers, facilities, refused = (int(g.replace(",", "")) for g in found.groups()[:5])
    out.update(commands=commands, events=events, workers=workers, facilities=facilities, refused=refused)
    out["demo"] = step("hrh demo", demo, events)
    out["load"] = {"seconds": float(found.group(6)), "us_per_event": round(float(found.group(6)) / events * 1e6, 2)}
    out["database_bytes"] = asyncio.run(database_bytes(url))
    out["data_folder_bytes"] = folder_bytes(pgdata)
    rows, seconds = raw_inserts(url)  # into a table of its own, dropped after
    asyncio.run(drop_scratch(url))
    out["load"]["raw_rows_per_s"] = round(rows / seconds)
    out["load"]["ratio"] = round(events / out["load"]["seconds"] / (rows / seconds), 4)
    log(f"scale {scale:g}: {events:,} events; database {out['database_bytes'] / 2**30:.2f} GB; settling")
    asyncio.run(settle(url))
    before = raw_in_child(url)
    log(f"scale {scale:g}: raw read {before:,.0f} rows/s; hrh rebuild")
    rebuilt = hrh(url, pg_pid, "rebuild")
    rebuild = step("hrh rebuild", rebuilt, events)
    asyncio.run(settle(url))
    after = raw_in_child(url)
    # The ratio is the rebuild's own time, as it prints it (the one bench_projections tracks),
    # without the interpreter's start-up and imports (a second or two), which ``seconds`` includes.
    own = REBUILT.search(rebuilt["output"])
    rebuild["own_seconds"] = float(own.group(1)) if own else rebuild["seconds"]
    rebuild["raw_rows_per_s"] = round((before + after) / 2)
    rebuild["ratio"] = round(events / rebuild["own_seconds"] / rebuild["raw_rows_per_s"], 4)
    out["rebuild"] = rebuild
    log(f"scale {scale:g}: rebuild {rebuild['ratio']:.1%} of raw read + json.loads ({after:,.0f} rows/s after)")
    return out


def verify_and_restore(url: str, server: str, pg_pid: int, folder: Path, events: int) -> dict[str, Any]:
    """``hrh verify``, ``hrh export-log``, ``hrh import-log`` into a fresh database (and the raw COPY baseline)."""
    out: dict[str, Any] = {"verify": step("hrh verify", hrh(url, pg_pid, "verify"), events)}
    log_file = folder / "ledger.jsonl"
    out["export_log"] = step("hrh export-log", hrh(url, pg_pid, "export-log", str(log_file)), events)
    out["log_bytes"] = log_file.stat().st_size
    restored = create_database(server, "hrh_import")
    try:
        out["import_log"] = step("hrh import-log", hrh(restored, pg_pid, "import-log", str(log_file)), events)
    finally:
        drop_database(server, "hrh_import")
    log_file.unlink()
    raw = create_database(server, "hrh_raw_copy")
    try:
        rows, seconds = asyncio.run(raw_copy(url, raw))
    finally:
        drop_database(server, "hrh_raw_copy")
    out["import_log"]["raw_copy_rows_per_s"] = round(rows / seconds)
    out["import_log"]["ratio"] = round(events / out["import_log"]["seconds"] / (rows / seconds), 4)
    log(f"  import-log: {out['import_log']['ratio']:.1%} of a raw binary COPY ({rows / seconds:,.0f} rows/s)")
    return out


EXPORTS = ("nhwa", "fhir", "dhis2", "staffing")


def exports(url: str, pg_pid: int, folder: Path, events: int, chosen: tuple[str, ...] = EXPORTS) -> dict[str, Any]:
    """The ``chosen`` exports, each to a file: NHWA 2017, the FHIR Bundle, DHIS2 2017Q4, ML's staffing list."""
    mapping = folder / "dhis2-mapping.yaml"
    mapping.write_text(json.dumps(DHIS2_MAPPING))
    commands = {
        "export_nhwa": ["nhwa", "--year", "2017", "-o", str(folder / "nhwa.csv")],
        "export_fhir": ["fhir", "-o", str(folder / "fhir.json")],
        "export_dhis2": ["dhis2", "--period", "2017Q4", "--mapping", str(mapping), "-o", str(folder / "dhis2.json")],
        "export_staffing": ["staffing", "--unit", "ML", "--as-of", "2017-12-31", "-o", str(folder / "staffing.csv")],
    }
    out: dict[str, Any] = {}
    for name, args in commands.items():
        if args[0] not in chosen:
            continue
        out[name] = step(f"hrh export {args[0]}", hrh(url, pg_pid, "export", *args), events)
        written = Path(args[args.index("-o") + 1])
        out[name]["bytes"] = written.stat().st_size
        written.unlink()
    return out
