"""Fixtures. Integration tests get a fresh database for the test session, on the server named by
DATABASE_URL or else on an embedded PostgreSQL in a temporary folder, and a schema of their own
per test, so they never touch a user's data."""

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from api.database import ledger_env, scratch_database, start_embedded
from domain.ledger import Ledger


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    # Unix socket paths are limited to ~100 bytes: keep the folder short.
    folder = Path(f"/tmp/hrh-test-{uuid.uuid4().hex[:8]}")
    return start_embedded(folder, delete_on_exit=True)


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, f"hrh_test_{uuid.uuid4().hex[:12]}") as url:
        yield url


LedgerFactory = Callable[[], Ledger]


@pytest.fixture
def ledger_factory(database_url: str) -> Iterator[LedgerFactory]:
    """Makes ledgers on PostgreSQL, each in a fresh schema of the test database."""
    made: list[tuple[Ledger, str]] = []

    def make() -> Ledger:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        ledger = Ledger(env=ledger_env(database_url, POSTGRES_SCHEMA=schema))
        made.append((ledger, schema))
        return ledger

    yield make
    for ledger, schema in made:
        ledger.close()
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def pg_ledger(ledger_factory: LedgerFactory) -> Ledger:
    return ledger_factory()


@pytest.fixture
def memory_ledger() -> Ledger:
    return Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
