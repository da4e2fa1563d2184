"""Where queries read (``api.read_routing``): the replica while it answers and keeps up, else the primary."""

import asyncio
from typing import Any

import asyncpg
import pytest
from pydantic import ValidationError

from api.graphql.errors import unavailable
from api.read_routing import Lag, ReadRouting
from api.settings import Settings

MAX_LAG = 5.0


class Tables:
    """Stands for a pool: its read tables' tracking position, or the error reading it raises."""

    def __init__(self, position: int = 0) -> None:
        self.position = position
        self.error: Exception | None = None

    async def fetchval(self, *_args: Any) -> int:
        if self.error is not None:
            raise self.error
        return self.position


def routing() -> tuple[ReadRouting, Tables, Tables]:
    primary, replica = Tables(), Tables()
    reads = ReadRouting(primary, "postgresql://replica/db", "hrh", MAX_LAG)  # type: ignore[arg-type]
    reads.replica = replica  # type: ignore[assignment]
    return reads, primary, replica


def test_an_idle_replica_that_holds_all_the_primary_holds_never_lags() -> None:
    lag = Lag()
    assert [lag.seconds(now, primary=40, replica=40) for now in (0.0, 60.0, 3600.0)] == [0.0, 0.0, 0.0]


def test_the_lag_runs_from_when_the_primary_was_first_seen_holding_what_the_replica_lacks() -> None:
    lag = Lag()
    assert lag.seconds(0.0, primary=10, replica=10) == 0.0
    assert lag.seconds(1.0, primary=12, replica=10) == 0.0  # first seen ahead now
    assert lag.seconds(2.0, primary=15, replica=11) == 1.0  # lacks 12, seen at 1.0
    assert lag.seconds(4.0, primary=15, replica=12) == 2.0  # has 12 now, lacks 15, seen at 2.0
    assert lag.seconds(5.0, primary=16, replica=15) == 0.0  # holds all seen before this check
    assert lag.seconds(6.0, primary=16, replica=16) == 0.0


def test_reads_go_to_a_replica_only_once_it_has_all_the_primary_had() -> None:
    reads, primary, replica = routing()
    assert reads.pool is primary  # not checked yet
    reads.observe(primary=10, replica=9, now=0.0)
    assert reads.pool is primary and reads.report()["replica"] == "catching up: at position 9, the primary at 10"
    reads.observe(primary=10, replica=10, now=1.0)
    assert reads.pool is replica
    assert reads.report() == {"from": "replica", "replica": "ok", "replica_position": 10, "replica_lag_seconds": 0.0}


def test_a_replica_lagging_past_the_limit_is_left_until_it_has_caught_up() -> None:
    reads, primary, replica = routing()
    reads.observe(primary=10, replica=10, now=0.0)
    reads.observe(primary=20, replica=10, now=1.0)
    reads.observe(primary=30, replica=11, now=1.0 + MAX_LAG)
    assert reads.pool is replica  # behind, but not by more than the limit
    reads.observe(primary=30, replica=12, now=2.0 + MAX_LAG)
    assert reads.pool is primary
    assert reads.report()["replica"] == "lagging: 6.0 s behind the primary (HRH_READ_MAX_LAG_SECONDS is 5)"
    reads.observe(primary=35, replica=30, now=3.0 + MAX_LAG)  # within the limit again, but still behind
    assert reads.pool is primary and reads.report()["replica"].startswith("catching up: ")
    reads.observe(primary=35, replica=35, now=4.0 + MAX_LAG)
    assert reads.pool is replica


def test_an_unreachable_replica_is_left_and_used_again_once_it_answers() -> None:
    reads, primary, replica = routing()
    reads.observe(primary=10, replica=10, now=0.0)
    reads.observe(primary=10, replica=ConnectionRefusedError("Connection refused"), now=1.0)
    assert reads.pool is primary
    assert reads.report() == {
        "from": "primary",
        "replica": "unreachable: Connection refused",
        "replica_position": None,
        "replica_lag_seconds": None,
    }
    reads.observe(primary=11, replica=11, now=2.0)
    assert reads.pool is replica


def test_a_replica_down_when_the_server_starts_leaves_reads_on_the_primary() -> None:
    primary = Tables(10)
    reads = ReadRouting(primary, "postgresql://postgres@127.0.0.1:1/hrh", "hrh", MAX_LAG)  # type: ignore[arg-type]

    async def started() -> dict[str, Any]:
        await reads.start()  # connects to no replica until it is used: no failure
        try:
            assert reads.pool is primary
            return reads.report()
        finally:
            await reads.close()

    report = asyncio.run(started())
    assert report["from"] == "primary" and report["replica"].startswith("unreachable: ")


def test_read_your_writes_waits_for_the_replica_to_replay_the_position() -> None:
    reads, primary, replica = routing()
    primary.position = replica.position = 10
    reads.observe(primary=10, replica=10, now=0.0)

    async def replays_later() -> Any:
        waiting = asyncio.create_task(reads.including(12, timeout=5))
        await asyncio.sleep(0.1)
        assert not waiting.done()
        replica.position = 12
        return await waiting

    assert asyncio.run(replays_later()) is replica
    assert asyncio.run(reads.including(13, timeout=0.1)) is None  # not replayed in time


def test_read_your_writes_falls_back_to_the_primary_when_the_replica_stops_answering() -> None:
    reads, primary, replica = routing()
    reads.observe(primary=10, replica=10, now=0.0)
    replica.error = ConnectionResetError("Connection reset by peer")
    assert asyncio.run(reads.including(12, timeout=5)) is primary
    assert reads.pool is primary and reads.report()["replica"] == "unreachable: Connection reset by peer"


def test_the_replica_and_its_lag_limit_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HRH_READ_DATABASE_URL", raising=False)
    monkeypatch.delenv("HRH_READ_MAX_LAG_SECONDS", raising=False)
    assert Settings().read_database_url is None and Settings().read_max_lag_seconds == 5.0
    monkeypatch.setenv("HRH_READ_DATABASE_URL", "postgresql://replica.example/hrh")
    monkeypatch.setenv("HRH_READ_MAX_LAG_SECONDS", "2.5")
    assert (Settings().read_database_url, Settings().read_max_lag_seconds) == ("postgresql://replica.example/hrh", 2.5)
    monkeypatch.setenv("HRH_READ_DATABASE_URL", "mysql://replica.example/hrh")
    with pytest.raises(ValidationError, match="HRH_READ_DATABASE_URL must be a postgresql:// URL"):
        Settings()


def test_a_query_the_replica_cancels_to_replay_the_primary_may_be_sent_again() -> None:
    conflict = asyncpg.SerializationError("canceling statement due to conflict with recovery")
    assert unavailable(conflict)  # SERVICE_UNAVAILABLE (HTTP 503): send the request again
