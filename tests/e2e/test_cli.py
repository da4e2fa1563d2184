"""The ``hrh`` command line, run as a user would, against a real PostgreSQL."""

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.database import scratch_database

pytestmark = pytest.mark.integration
HRH = str(Path(sys.executable).with_name("hrh"))


def hrh(*args: str, url: str | None = None, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if url is not None:
        env["DATABASE_URL"] = url
    return subprocess.run([HRH, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture
def fresh_url(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, f"hrh_cli_{uuid.uuid4().hex[:10]}") as url:
        yield url


@pytest.fixture
def other_url(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, f"hrh_cli_{uuid.uuid4().hex[:10]}") as url:
        yield url


def test_the_demo_loads_then_the_log_round_trips_through_the_cli(
    fresh_url: str, other_url: str, tmp_path: Path
) -> None:
    # Load a small demo.
    loaded = hrh("demo", "--no-serve", "--scale", "0.1", url=fresh_url)
    assert loaded.returncode == 0, loaded.stderr
    assert "HireWorker" in loaded.stdout and "0 refused" in loaded.stdout
    # Loading it again records nothing.
    again = hrh("demo", "--no-serve", "--scale", "0.1", url=fresh_url)
    assert again.returncode == 0 and "not loaded again" in " ".join(again.stdout.split())
    # Export, import into an empty database, export again: the same lines.
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    assert hrh("export-log", str(first), url=fresh_url).returncode == 0
    imported = hrh("import-log", str(first), url=other_url)
    assert imported.returncode == 0, imported.stderr
    assert hrh("export-log", str(second), url=other_url).returncode == 0
    assert first.read_bytes() == second.read_bytes()
    assert len(first.read_text(encoding="utf-8").splitlines()) > 10_000
    # Importing into a database that holds events is refused.
    refused = hrh("import-log", str(first), url=other_url)
    assert refused.returncode == 1
    reason = " ".join(refused.stderr.split())
    assert "already holds events" in reason and "nothing was imported" in reason


def test_a_malformed_line_is_refused_with_its_line_number(fresh_url: str, tmp_path: Path) -> None:
    log = tmp_path / "bad.jsonl"
    log.write_text('{"position": 1}\n', encoding="utf-8")
    result = hrh("import-log", str(log), url=fresh_url)
    assert result.returncode == 1
    assert "line 1: missing keys" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "url", "message"),
    [
        (("import-log", "/nonexistent/log.jsonl"), None, "no such file: /nonexistent/log.jsonl"),
        (("export-log", "-"), "postgresql://postgres@127.0.0.1:1/nowhere", "Cannot reach the database"),
        (("export-log", "-"), "mysql://localhost/x", "bad setting DATABASE_URL"),
        (("users", "add", "clerk", "--role", "HR_MANAGER"), None, "An HR_MANAGER needs a scope"),
    ],
)
def test_bad_input_exits_non_zero_with_a_one_line_reason(args: tuple[str, ...], url: str | None, message: str) -> None:
    result = hrh(*args, url=url, timeout=60)
    assert result.returncode == 1
    assert message in " ".join(result.stderr.split())


def test_serve_on_a_port_in_use_exits_with_a_one_line_reason(fresh_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = hrh("serve", "--port", str(port), "--no-projections", url=fresh_url, timeout=120)
    assert result.returncode == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in " ".join(result.stderr.split())
    assert len(result.stderr.strip().splitlines()) == 1
