"""``hrh serve`` creates the ledger's tables once (``prepare``), before its worker processes start:
a worker's app runs no DDL, since the library replaces its insert function as it creates tables,
and two workers replacing it at once fail ("tuple concurrently updated", seen in CI)."""

import uuid

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.database import scratch_database
from api.serving import app_for, prepare
from api.settings import Settings

pytestmark = pytest.mark.integration


def tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {name for (name,) in rows}


def test_a_workers_app_creates_no_table_and_prepare_creates_them(server_url: str) -> None:
    settings = Settings(database_url=None)
    with scratch_database(server_url, f"hrh_prepare_{uuid.uuid4().hex[:10]}") as url:
        with TestClient(app_for(url, settings)):
            pass  # started and stopped
        assert tables(url) == set()

        prepare(url, settings)
        assert {"ledger_events", "ledger_events_chain_runs"} <= tables(url)
        with TestClient(app_for(url, settings)):
            pass  # and a worker's app starts on them
