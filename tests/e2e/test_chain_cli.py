"""Tamper evidence through the command line (DESIGN, "Tamper evidence"; docs/audit.md): a ledger
recorded by the bulk path on two processes (the start of the demo), a batch in one process (more
of the demo) and single commands, then changed behind the recorder's back by a superuser, as an
attacker would, and checked by ``hrh verify``. (``test_cli.py`` round-trips the whole scale-0.1
demo through export-log and import-log, which checks its chain.)"""

import hashlib
import json
import re
import subprocess
import sys
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

import psycopg
import pytest

from api.database import open_ledger, scratch_database
from domain import commands as c
from domain.chain import GENESIS, KEPT
from projections import chain_runs
from projections.chain_runs import ChainRows
from replay.bulk import load as bulk_load
from replay.demo import generate
from tests.e2e.test_cli import hrh

pytestmark = pytest.mark.integration

AUDIT_DOC = Path(__file__).resolve().parents[2] / "docs" / "audit.md"
TRANSFER = "hrh:Worker.Transferred.v1"


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def url(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, f"hrh_chain_{uuid.uuid4().hex[:10]}") as url:
        submissions = list(islice(generate(seed=2017, scale=0.1), 4000))
        ledger = open_ledger(url)
        try:
            bulk = bulk_load(ledger, submissions[:3000], processes=2)
            batch = bulk_load(ledger, submissions[3000:], processes=1)
            assert not bulk.refusals and not batch.refusals
            worker = ledger.locate(first(url, "hrh:Worker.Hired.v1"))
            assert worker is not None
            for n in range(3):
                ledger.execute(
                    c.RecordTraining(worker_id=worker[0], course=f"Course {n}", started_on=date(2024, 1, 1)), "clerk"
                )
        finally:
            ledger.close()
        yield url


@pytest.fixture
def other_url(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, f"hrh_chain_{uuid.uuid4().hex[:10]}") as url:
        yield url


def first(url: str, topic: str, offset: int = 0) -> int:
    return int(
        value(
            url,
            "SELECT notification_id FROM ledger_events WHERE topic = %s ORDER BY 1 OFFSET %s LIMIT 1",
            topic,
            offset,
        )
    )


def value(url: str, query: str, *args: Any) -> Any:
    with psycopg.connect(url) as conn:
        row = conn.execute(query, args).fetchone()  # type: ignore[call-overload]
        return None if row is None else row[0]


@contextmanager
def superuser(url: str) -> Iterator[psycopg.Connection[Any]]:
    """A session whose writes skip ordinary triggers: the deliberate superuser work the chain exposes."""
    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")
        yield conn


def chain_rows(url: str, start: int = 1, stop: int | None = None) -> list[tuple[int, str, str]]:
    """The recorded chain's rows (position, digest, chain) from ``start`` to ``stop`` (the end), through the view."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT position, digest, chain FROM ledger_events_chain WHERE position >= %s AND position <= %s "
            "ORDER BY position",
            (start, stop if stop is not None else 2**62),
        ).fetchall()
    return [(row[0], row[1], row[2]) for row in rows]


def set_chain_from(url: str, position: int, rows: Iterable[tuple[int, str, str]]) -> None:
    """Replaces the recorded chain from ``position`` on with ``rows``, as a superuser can: the chain is
    kept as runs of positions, so every run is written again."""
    kept = ChainRows()
    for row in [*chain_rows(url, stop=position - 1), *rows]:
        kept.add(*row)
    with superuser(url) as conn:
        conn.execute("DELETE FROM ledger_events_chain_runs")
        with conn.cursor().copy(chain_runs.copy_statement("public", "ledger_events_chain_runs")) as copy:
            kept.write(copy)


def head(url: str) -> str:
    result = hrh("chain-head", url=url)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def verify(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return hrh("verify", "--no-tables", *args, url=url)


def assert_first_bad(result: subprocess.CompletedProcess[str], position: int, kind: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"The chain is broken: the first bad position is {position:,} ({kind})" in words(result.stdout)
    assert "Traceback" not in result.stdout + result.stderr


def assert_holds(url: str) -> None:
    result = verify(url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The chain holds" in result.stdout


def altered(state: bytes) -> bytes:
    """The state with one byte of the transfer's destination changed."""
    at = state.index(b'"to_facility_code":"') + len(b'"to_facility_code":"')
    return state[:at] + (b"X" if state[at : at + 1] != b"X" else b"Y") + state[at + 1 :]


def set_state(url: str, position: int, state: bytes) -> None:
    with superuser(url) as conn:
        conn.execute("UPDATE ledger_events SET state = %s WHERE notification_id = %s", (state, position))


def audit_script() -> str:
    found = re.search(r"```python\n(.*?)```", AUDIT_DOC.read_text(encoding="utf-8"), re.S)
    assert found is not None
    return found.group(1)


def run_audit(log: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-I", "-c", audit_script(), str(log), *args], capture_output=True, text=True, check=False
    )


def test_every_path_records_the_chain_and_verify_says_it_holds(url: str) -> None:
    end = value(url, "SELECT max(notification_id) FROM ledger_events")
    assert value(url, "SELECT count(*) FROM ledger_events_chain") == value(url, "SELECT count(*) FROM ledger_events")
    published = head(url)
    assert published.startswith(f"{end}:") and len(published) == len(f"{end}:") + 64
    result = verify(url)
    assert result.returncode == 0, result.stdout
    assert f"The chain holds: {end:,} events, head {published}." in words(result.stdout)


def test_an_export_carries_the_chain_that_the_documented_script_checks(
    url: str, other_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "ledger.jsonl"
    exported = hrh("export-log", str(log), url=url)
    assert exported.returncode == 0, exported.stderr
    published = head(url)
    assert f"Chain head (publish it): {published}" in words(exported.stderr)
    lines = log.read_text(encoding="utf-8").splitlines()
    assert all(len(json.loads(line)["chain"]) == 64 for line in lines)
    # The script of docs/audit.md, standard library only, agrees, with and without the published head.
    checked = run_audit(log)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == f"chain holds; head {published}"
    assert run_audit(log, published).returncode == 0
    # One byte changed in one line: the script and import-log both name that line.
    number = next(n for n, line in enumerate(lines, start=1) if '"event": "Transferred"' in line and n > 100)
    changed = lines[number - 1].replace('"to_facility_code": "', '"to_facility_code": "X', 1)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([*lines[: number - 1], changed, *lines[number : number + 50]]) + "\n", encoding="utf-8")
    refused = run_audit(bad)
    assert refused.returncode == 1 and refused.stderr.startswith(f"line {number} ")
    imported = hrh("import-log", str(bad), url=other_url)
    assert imported.returncode == 1
    assert f"line {number}: the chain breaks here" in words(imported.stderr)
    assert "nothing was imported" in words(imported.stderr)
    assert head(other_url) == f"0:{GENESIS}"
    # The file as exported imports, with its chain (here its first lines, a chain of their own):
    # the same head; import-log built the read tables, and verify finds both as they should be.
    prefix = tmp_path / "prefix.jsonl"
    prefix.write_text("\n".join(lines[: number + 50]) + "\n", encoding="utf-8")
    assert hrh("import-log", str(prefix), url=other_url).returncode == 0
    last = json.loads(lines[number + 49])
    assert head(other_url) == f"{last['position']}:{last['chain']}"
    verified = hrh("verify", url=other_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"No differences: the read tables match a fresh replay up to ledger position {last['position']:,}" in words(
        verified.stdout
    )


def test_one_byte_changed_in_one_stored_event_is_named(url: str) -> None:
    position = first(url, TRANSFER, 5)
    state = bytes(value(url, "SELECT state FROM ledger_events WHERE notification_id = %s", position))
    set_state(url, position, altered(state))
    try:
        assert_first_bad(verify(url), position, "altered")
    finally:
        set_state(url, position, state)
    assert_holds(url)


def test_a_deleted_event_is_named(url: str) -> None:
    position = first(url, "hrh:Worker.Posted.v1", 7)
    with superuser(url) as conn:
        row = conn.execute("SELECT * FROM ledger_events WHERE notification_id = %s", (position,)).fetchone()
        conn.execute("DELETE FROM ledger_events WHERE notification_id = %s", (position,))
    try:
        assert_first_bad(verify(url), position, "removed")
    finally:
        with superuser(url) as conn:
            conn.execute("INSERT INTO ledger_events VALUES (%s, %s, %s, %s, %s)", row)
    assert_holds(url)


def test_an_inserted_event_is_named(url: str) -> None:
    source = first(url, "hrh:Worker.TrainingRecorded.v1", 3)
    position = value(url, "SELECT max(notification_id) + 1 FROM ledger_events")
    with superuser(url) as conn:
        conn.execute(
            "INSERT INTO ledger_events SELECT originator_id, "
            "(SELECT max(originator_version) + 1 FROM ledger_events e WHERE e.originator_id = s.originator_id), "
            "topic, state, %s FROM ledger_events s WHERE notification_id = %s",
            (position, source),
        )
    try:
        assert_first_bad(verify(url), position, "inserted")
    finally:
        with superuser(url) as conn:
            conn.execute("DELETE FROM ledger_events WHERE notification_id = %s", (position,))
    assert_holds(url)


def swap(url: str, one: int, other: int) -> None:
    with superuser(url) as conn:
        for old, new in ((one, -1), (other, one), (-1, other)):
            conn.execute("UPDATE ledger_events SET notification_id = %s WHERE notification_id = %s", (new, old))


def test_two_swapped_events_are_named(url: str) -> None:
    one, other = first(url, "hrh:Worker.Hired.v1", 20), first(url, TRANSFER, 2)
    one, other = min(one, other), max(one, other)
    swap(url, one, other)
    try:
        result = verify(url)
        assert_first_bad(result, one, "reordered")
        assert f"the events at positions {one} and {other} were swapped" in words(result.stdout)
    finally:
        swap(url, one, other)
    assert_holds(url)


def test_a_rewritten_ledger_whose_chain_was_recomputed_is_caught_by_published_heads(url: str, tmp_path: Path) -> None:
    published = head(url)
    end = int(published.split(":")[0])
    position = first(url, TRANSFER, 9)
    early = f"{position - 1}:{value(url, 'SELECT chain FROM ledger_events_chain WHERE position = %s', position - 1)}"
    state = bytes(value(url, "SELECT state FROM ledger_events WHERE notification_id = %s", position))
    saved = chain_rows(url, start=position)
    set_state(url, position, altered(state))
    try:
        # The attacker recomputes the chain from the changed event on, as the definition says.
        log = tmp_path / "rewritten.jsonl"
        assert hrh("export-log", str(log), url=url).returncode == 0
        previous, rows = early.split(":")[1], []
        for text in log.read_text(encoding="utf-8").splitlines():
            line = json.loads(text)
            if line["position"] >= position:
                kept = {k: line[k] for k in KEPT}  # the keys the chain covers (a hire also has event_version)
                canonical = json.dumps(kept, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                digest = hashlib.sha256(canonical.encode()).hexdigest()
                previous = hashlib.sha256(f"{previous}\n{digest}".encode()).hexdigest()
                rows.append((line["position"], digest, previous))
        set_chain_from(url, position, rows)
        # The ledger agrees with itself now; only the heads published before tell.
        assert verify(url).returncode == 0
        assert_first_bad(verify(url, "--head", published), end, "head")
        heads = tmp_path / "heads.txt"
        heads.write_text(f"# published on each export\n{early}\n\n{published}\n", encoding="utf-8")
        # The head published before the change still matches: the first bad one is the later.
        assert_first_bad(verify(url, "--heads", str(heads)), end, "head")
        assert hrh("export-log", str(log), url=url).returncode == 0
        assert run_audit(log).returncode == 0
        assert "differs from the published head" in run_audit(log, published).stderr
    finally:
        set_state(url, position, state)
        set_chain_from(url, position, saved)
    assert verify(url, "--head", published).returncode == 0


def test_a_bad_published_head_is_refused_in_one_line(url: str, tmp_path: Path) -> None:
    result = verify(url, "--head", "12:nothex")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: '12:nothex' is not a published head: expected POSITION:HASH (64 hex digits)"
    ]
    heads = tmp_path / "heads.txt"
    heads.write_text(f"1:{GENESIS}\noops\n", encoding="utf-8")
    assert "heads.txt, line 2: 'oops' is not a published head" in words(verify(url, "--heads", str(heads)).stderr)


@pytest.mark.parametrize("table", ["ledger_events", "ledger_events_chain_runs"])
@pytest.mark.parametrize("statement", ["UPDATE {} SET state = state", "DELETE FROM {}", "TRUNCATE {}"])
def test_the_ledger_tables_refuse_update_delete_and_truncate(url: str, table: str, statement: str) -> None:
    statement = statement.replace("state = state", "digests = digests") if table.endswith("runs") else statement
    with psycopg.connect(url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        conn.execute(statement.format(table))  # type: ignore[arg-type]


def test_after_a_destination_is_changed_and_the_tables_rebuilt_verify_names_the_event(url: str) -> None:
    # The story: a transfer's destination edited in the database, then `hrh rebuild`.
    position = first(url, TRANSFER, 12)
    state = bytes(value(url, "SELECT state FROM ledger_events WHERE notification_id = %s", position))
    set_state(url, position, altered(state))
    try:
        assert hrh("rebuild", url=url).returncode == 0
        result = hrh("verify", url=url)
        assert_first_bad(result, position, "altered")
        assert "No differences" in words(result.stdout)  # the read tables agree with the changed ledger
    finally:
        set_state(url, position, state)
    assert hrh("rebuild", url=url).returncode == 0
