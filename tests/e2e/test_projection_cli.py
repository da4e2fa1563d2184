"""The projection commands (``hrh rebuild``, ``hrh project``, ``hrh verify``), run as a user would, against a real
PostgreSQL, including processes killed mid-run: the next run must resume and end with the tables a fresh replay gives.
"""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from api.database import scratch_database
from projections.shards import Shard

pytestmark = pytest.mark.integration
HRH = str(Path(sys.executable).with_name("hrh"))
STAFFING = "SELECT code, valid_from, valid_to, counts FROM read_model.staffing ORDER BY 1, 2"


def environment(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url}


def hrh(*args: str, url: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HRH, *args], env=environment(url), capture_output=True, text=True, timeout=timeout, check=False
    )


def start(*args: str, url: str) -> subprocess.Popen[str]:
    """``hrh`` in the background, in a process group of its own (so it can be killed whole)."""
    return subprocess.Popen(
        [HRH, *args],
        env=environment(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def words(text: str) -> str:
    return " ".join(text.split())


def fetch(url: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(query).fetchall()


def value(url: str, query: str) -> Any:
    return fetch(url, query)[0][0]


def head(url: str) -> int:
    return int(value(url, "SELECT max(notification_id) FROM public.ledger_events"))


def positions(conn: psycopg.Connection[Any], schema: str) -> dict[str, int]:
    """The tracking rows of ``schema``'s read tables (a split build's shards have their own); empty
    while they do not exist."""
    if conn.execute(f"SELECT to_regclass('{schema}.tracking')").fetchone() == (None,):
        return {}
    return dict(conn.execute(f"SELECT name, position FROM {schema}.tracking").fetchall())


def position(conn: psycopg.Connection[Any], schema: str) -> int | None:
    """The furthest position any of ``schema``'s tracking rows has reached; None while there are none."""
    return max(positions(conn, schema).values(), default=None)


def kill_once(
    process: subprocess.Popen[str], url: str, schema: str, *, also: Callable[[psycopg.Connection[Any]], None]
) -> tuple[str, str]:
    """Waits until ``schema``'s tracking row shows a committed batch, then SIGKILLs ``process``'s group.

    ``also`` runs on every poll (with a 5 s statement timeout). Returns the process's stdout and stderr.
    """
    deadline = time.monotonic() + 120
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET statement_timeout = '5s'")
        while True:
            assert process.poll() is None, f"hrh ended before a batch was seen:\n{process.communicate()}"
            assert time.monotonic() < deadline, "no batch was committed within 120 s"
            also(conn)
            reached = position(conn, schema)
            if reached:
                os.killpg(process.pid, signal.SIGKILL)
                break
            time.sleep(0.02)
    out, err = process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    wait_for_sessions_to_end(url)
    return out, err


def wait_for_sessions_to_end(url: str) -> None:
    """Waits until the killed client's sessions are gone (a batch it was committing is then settled)."""
    deadline = time.monotonic() + 60
    with psycopg.connect(url, autocommit=True) as conn:
        while conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone() != (0,):
            assert time.monotonic() < deadline, "the killed process's sessions are still open after 60 s"
            time.sleep(0.05)


def load_demo(url: str, scale: str) -> str:
    loaded = hrh("demo", "--no-serve", "--scale", scale, url=url)
    assert loaded.returncode == 0, loaded.stderr
    assert "0 refused" in loaded.stdout
    return loaded.stdout


def assert_verified(url: str) -> None:
    verified = hrh("verify", url=url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"No differences: the read tables match a fresh replay up to ledger position {head(url):,}." in words(
        verified.stdout
    )


@pytest.fixture
def fresh_url(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, f"hrh_proj_{uuid.uuid4().hex[:10]}") as url:
        yield url


def test_the_demo_prints_its_densities_and_its_read_tables_verify(fresh_url: str) -> None:
    output = load_demo(fresh_url, "0.2")
    assert "Qualified health workers per 10,000 inhabitants" in words(output)
    rows = {
        m["area"]: (m["old"], m["new"])
        for m in re.finditer(r"^│ (?P<area>\w+)\s+│\s+(?P<old>[\d.]+|-)\s+│\s+(?P<new>[\d.]+|-)\s+│$", output, re.M)
    }
    assert "ML" in rows and all(float(d) > 0 for d in rows["ML"]), output  # the country first, then its regions
    assert len(rows) >= 9
    assert sum(new != "-" for _, new in rows.values()) == len(rows)  # every region has a 2017 density
    assert value(fresh_url, "SELECT position FROM read_model.tracking") == head(fresh_url)
    assert_verified(fresh_url)


@pytest.mark.parametrize("processes", [1, 2])
def test_a_killed_rebuild_resumes_while_the_live_tables_stay_readable(fresh_url: str, processes: int) -> None:
    url = fresh_url
    load_demo(url, "0.3")
    end = head(url)
    assert end > 40_000  # so a rebuild takes several batches of 20,000 (--batch)
    clean = fetch(url, STAFFING)
    live_rows = value(url, "SELECT count(*) FROM read_model.staffing")
    assert clean and live_rows == len(clean)

    def live_tables_answer(conn: psycopg.Connection[Any]) -> None:
        # Readers of the live tables are neither blocked nor shown the half-built shadow.
        assert conn.execute("SELECT count(*) FROM read_model.staffing").fetchone() == (live_rows,)
        assert conn.execute("SELECT position FROM read_model.tracking").fetchone() == (end,)

    rebuilding = start("rebuild", "--processes", str(processes), "--batch", "20000", url=url)
    out, _ = kill_once(rebuilding, url, "read_model_shadow", also=live_tables_answer)
    assert "Rebuilt" not in out
    with psycopg.connect(url, autocommit=True) as conn:
        stopped = positions(conn, "read_model_shadow")
        live_tables_answer(conn)
    shadow = value(url, "SELECT generation FROM read_model_shadow.tracking WHERE name = 'workforce'")
    # Each stopped at a batch boundary: a whole number of batches of 20,000 events, or (a shard)
    # of spans of 20,000 positions per process; or at the end.
    if processes == 1:
        boundaries = {"workforce": stopped["workforce"]}
        assert boundaries["workforce"] % 20_000 == 0 or boundaries["workforce"] == end
    else:
        assert stopped.pop("workforce") == 0  # the build's own row waits for the end; each shard has its own
        boundaries = {Shard(i, processes).name: stopped[Shard(i, processes).name] for i in range(processes)}
        assert all(reached % (20_000 * processes) == 0 or reached == end for reached in boundaries.values())
    assert 0 < max(boundaries.values()) <= end

    resumed = hrh("rebuild", url=url)
    assert resumed.returncode == 0, resumed.stderr
    assert f"Rebuilt workforce up to ledger position {end:,}" in words(resumed.stdout)
    remaining = end - min(boundaries.values())
    assert f"{remaining}/{remaining}" in resumed.stdout  # it went on from where each process stopped
    assert value(url, "SELECT generation FROM read_model.tracking") == shadow  # from the killed build's tables
    assert value(url, "SELECT to_regclass('read_model_shadow.tracking')") is None  # swapped in
    assert value(url, "SELECT position FROM read_model.tracking") == end
    assert fetch(url, STAFFING) == clean  # the same as the clean build the demo made
    assert_verified(url)


def test_a_killed_live_runner_resumes_from_its_last_batch(fresh_url: str) -> None:
    url = fresh_url
    load_demo(url, "0.2")
    end = head(url)
    clean = fetch(url, STAFFING)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA read_model CASCADE")
    # No read tables: verify says so, in one line.
    missing = hrh("verify", url=url)
    assert missing.returncode == 1
    assert "There are no read tables in 'read_model' yet: run `hrh rebuild` first." in words(missing.stderr)
    assert "Traceback" not in missing.stderr + missing.stdout

    out, err = kill_once(start("project", url=url), url, "read_model", also=lambda _: None)
    assert "The read tables are at" not in out, err
    with psycopg.connect(url, autocommit=True) as conn:
        resume_from = position(conn, "read_model")
    assert resume_from is not None and 0 < resume_from < end
    # The runner creates its tables with the indexes.
    indexes = "SELECT count(*) FROM pg_indexes WHERE schemaname = 'read_model' AND indexname = 'periods_at_facility'"
    assert value(url, indexes)
    # What the killed runner committed is whole: it matches a replay up to the same position.
    partial = hrh("verify", url=url)
    assert partial.returncode == 0, partial.stdout + partial.stderr
    assert f"No differences: the read tables match a fresh replay up to ledger position {resume_from:,}." in words(
        partial.stdout
    )

    caught_up = hrh("project", "--once", url=url)
    assert caught_up.returncode == 0, caught_up.stderr
    assert f"The read tables are at ledger position {end:,}." in words(caught_up.stdout)
    assert fetch(url, STAFFING) == clean
    assert_verified(url)


def test_an_unknown_projection_is_refused_in_one_line(fresh_url: str) -> None:
    result = hrh("rebuild", "nosuch", url=fresh_url, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["error: no projection named nosuch; the projections are: workforce"]
    assert "Rebuilt" not in result.stdout


def test_verify_without_read_tables_says_to_rebuild_first(fresh_url: str) -> None:
    result = hrh("verify", url=fresh_url, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "There are no read tables in 'read_model' yet: run `hrh rebuild` first." in lines[0]
