"""The embedded PostgreSQL: tuned when created, and stopped when its process exits."""

import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from api import database

pytestmark = pytest.mark.integration

SHOW = """
import sys
from pathlib import Path
import psycopg
from api.database import start_embedded
with psycopg.connect(start_embedded(Path(sys.argv[1]))) as conn:
    pages = conn.execute("SELECT setting::bigint FROM pg_settings WHERE name = 'shared_buffers'").fetchone()[0]
    wal = conn.execute("SELECT setting::bigint FROM pg_settings WHERE name = 'max_wal_size'").fetchone()[0]
print(pages * 8 // 1024, wal)
"""


def test_a_new_server_gets_its_shared_buffers_and_wal_size_once_and_stops_with_its_process() -> None:
    folder = Path(f"/tmp/hrh-embedded-{uuid.uuid4().hex[:8]}")
    try:
        for _ in range(2):  # created and tuned, then found and started as it was left
            shown = subprocess.run([sys.executable, "-c", SHOW, str(folder)], capture_output=True, text=True)
            assert shown.returncode == 0, shown.stderr
            assert [int(mb) for mb in shown.stdout.split()] == [
                database.shared_buffers_mb(),
                database.max_wal_size_mb(),
            ]
            # The restarted server was stopped at exit all the same (a running one keeps this file).
            assert not (folder / "pgdata" / "postmaster.pid").exists()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize(
    ("memory_gb", "expected_mb", "wal_mb"),
    [(0.5, 128, 1024), (4, 512, 2048), (8, 1024, 4096), (24, 2048, 8192), (256, 2048, 8192)],
)
def test_shared_buffers_are_an_eighth_of_memory_within_bounds_and_the_wal_four_times_that(
    monkeypatch: pytest.MonkeyPatch, memory_gb: float, expected_mb: int, wal_mb: int
) -> None:
    sizes = {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": int(memory_gb * 2**30 / 4096)}
    monkeypatch.setattr(database.os, "sysconf", sizes.__getitem__)
    assert database.shared_buffers_mb() == expected_mb
    assert database.max_wal_size_mb() == wal_mb
