"""A ledger recorded before the chain existed gets its chain when it is upgraded (DESIGN, "Tamper
evidence"; docs/audit.md, "A ledger recorded before the chain"; docs/operations.md, "Upgrading").

The "old" ledger is made by recording events with the current code and then deleting every chain
row as a superuser whose session skips the append-only trigger: a database from before the chain.
"""

import json
import threading
import uuid
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import pytest

from api.database import open_ledger, scratch_database
from domain import commands as c
from domain.chain import GENESIS, link
from domain.ledger import Ledger
from domain.values import CadreGroup
from projections.event_store import ChainNotStarted
from replay import bulk
from replay.chain_backfill import chain_older_events
from replay.demo import generate
from tests.e2e.api_support import DEFINE_CADRE, serving
from tests.e2e.test_chain_cli import (
    assert_first_bad,
    chain_rows,
    head,
    run_audit,
    set_chain_from,
    superuser,
    value,
    verify,
    words,
)
from tests.e2e.test_cli import hrh

pytestmark = pytest.mark.integration


@pytest.fixture
def url(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, f"hrh_upgrade_{uuid.uuid4().hex[:10]}") as url:
        yield url


def record_old_ledger(url: str, submissions: int = 600) -> int:
    """Records demo commands, then removes every chain row, as a database from before the chain; returns its end."""
    ledger = open_ledger(url)
    try:
        assert not bulk.load(ledger, list(islice(generate(seed=2017, scale=0.1), submissions)), processes=1).refusals
    finally:
        ledger.close()
    forget_chain(url)
    return int(value(url, "SELECT max(notification_id) FROM ledger_events"))


def forget_chain(url: str, after: int = 0) -> None:
    set_chain_from(url, after + 1, [])


def test_serve_chains_a_ledger_recorded_before_the_chain_and_later_commands_extend_it(url: str, tmp_path: Path) -> None:
    # A database from before the chain: verify names its first event as not covered.
    end = record_old_ledger(url)
    events = int(value(url, "SELECT count(*) FROM ledger_events"))
    before = verify(url)
    assert_first_bad(before, 1, "inserted")
    assert "this ledger was recorded before the chain existed. Start hrh serve once" in words(before.stdout)
    assert head(url) == f"0:{GENESIS}"
    # hrh serve chains it before it opens, and says so in one line, with the head.
    log = tmp_path / "serve.log"
    with serving(url, log) as api:
        upgraded = head(url)
        # A command recorded after the upgrade, through the API.
        cadre = {"code": "UPGRADE-1", "name": "Upgrade", "isco08": None, "group": "OTHER", "qualified": False}
        assert api.data(DEFINE_CADRE, {"input": cadre})["defineCadre"]["cadre"]["qualified"] is False
    said = [line for line in log.read_text().splitlines() if "before the chain existed" in line]
    assert said == [
        f"Chained {events:,} events recorded before the chain existed; chain head {upgraded} "
        "(publish it now: it dates from this upgrade)."
    ]
    assert upgraded.startswith(f"{end}:")
    # The whole ledger holds now, the head published at the upgrade too, and new events extend that chain.
    result = verify(url, "--head", upgraded)
    assert result.returncode == 0, result.stdout + result.stderr
    total = int(value(url, "SELECT count(*) FROM ledger_events"))
    assert total > events
    assert f"The chain holds: {total:,} events" in words(result.stdout)
    assert value(url, "SELECT count(*) FROM ledger_events_chain") == total
    # The export carries the chain on every line, and the documented script agrees with the published head.
    exported = tmp_path / "ledger.jsonl"
    assert hrh_ok("export-log", str(exported), url=url)
    lines = [json.loads(text) for text in exported.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == total and all(line["chain"] is not None for line in lines)
    first_new = next(line for line in lines if line["position"] > end)
    previous = next(line for line in reversed(lines) if line["position"] <= end)
    assert f"{previous['position']}:{previous['chain']}" == upgraded
    assert first_new["chain"] == link(previous["chain"], str(value(url, DIGEST, first_new["position"])))
    checked = run_audit(exported, upgraded)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == f"chain holds; head {head(url)}"
    # A second start finds the chain there and says nothing about it.
    with serving(url, log):
        pass
    assert "before the chain existed" not in log.read_text()


DIGEST = "SELECT digest FROM ledger_events_chain WHERE position = %s"


def hrh_ok(*args: str, url: str) -> bool:
    result = hrh(*args, url=url)
    assert result.returncode == 0, result.stdout + result.stderr
    return True


def test_a_chain_missing_only_its_last_rows_is_not_blessed(url: str, tmp_path: Path) -> None:
    end = record_old_ledger(url, submissions=200)
    with open_ledger(url) as ledger:
        chained = chain_older_events(ledger)
    assert chained is not None and chained.head[0] == end
    # The chain rows of the last events go: the chain table is not empty, so nothing fills them in.
    missing = end - 4
    forget_chain(url, after=missing - 1)
    log = tmp_path / "serve.log"
    with serving(url, log):
        pass
    assert "before the chain existed" not in log.read_text()
    assert value(url, "SELECT max(position) FROM ledger_events_chain") == missing - 1
    after = verify(url)
    assert_first_bad(after, missing, "inserted")
    assert "before the chain existed" not in after.stdout


def test_recording_into_a_ledger_not_chained_yet_is_refused_and_writes_nothing(url: str) -> None:
    end = record_old_ledger(url, submissions=50)
    cadre = c.DefineCadre(code="X-1", name="Other", isco08=None, group=CadreGroup.OTHER, qualified=False)
    with open_ledger(url) as ledger, pytest.raises(ChainNotStarted, match="recorded before the chain existed"):
        ledger.execute(cadre, "clerk")
    assert value(url, "SELECT max(notification_id) FROM ledger_events") == end
    assert value(url, "SELECT count(*) FROM ledger_events_chain") == 0


def test_two_processes_upgrading_at_once_chain_the_ledger_once(url: str) -> None:
    end = record_old_ledger(url, submissions=300)
    results: list[object] = []
    # Each process has its ledger open before the two upgrades race. (Opening two at the very same
    # moment can fail on its own: the library replaces a function of its own as it opens a ledger.)
    ledgers = [open_ledger(url) for _ in range(2)]

    def upgrade(ledger: Ledger) -> None:
        results.append(chain_older_events(ledger))

    threads = [threading.Thread(target=upgrade, args=(ledger,)) for ledger in ledgers]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for ledger in ledgers:
            ledger.close()
    assert sorted(result is None for result in results) == [False, True]
    assert value(url, "SELECT count(*) FROM ledger_events_chain") == value(url, "SELECT count(*) FROM ledger_events")
    assert head(url).startswith(f"{end}:")
    assert verify(url).returncode == 0


def test_an_older_event_that_no_longer_decodes_stops_the_upgrade_and_chains_nothing(url: str) -> None:
    record_old_ledger(url, submissions=50)
    position = 7
    with superuser(url) as conn:
        conn.execute("UPDATE ledger_events SET state = %s WHERE notification_id = %s", (b"\xff garbled", position))
    result = hrh("serve", "--port", "1", url=url)
    assert result.returncode == 1
    assert f"error: the event at position {position} no longer decodes" in words(result.stderr)
    assert "nothing was chained" in words(result.stderr) and "Traceback" not in result.stderr
    assert value(url, "SELECT count(*) FROM ledger_events_chain") == 0


def test_a_chain_kept_a_row_an_event_moves_into_runs_when_the_ledger_is_opened(url: str) -> None:
    # A ledger from before runs: its chain a table of one row an event, with a gap in the positions.
    ledger = open_ledger(url)
    try:
        commands = list(islice(generate(seed=2017, scale=0.1), 300))
        assert not bulk.load(ledger, commands[:200], processes=1).refusals
        gap = int(value(url, "SELECT max(notification_id) FROM ledger_events")) + 1
        with superuser(url) as conn:
            conn.execute("SELECT setval(pg_get_serial_sequence('ledger_events', 'notification_id'), %s)", (gap + 9,))
        assert not bulk.load(ledger, commands[200:], processes=1).refusals
    finally:
        ledger.close()
    published = head(url)
    rows = chain_rows(url)
    assert [row[0] for row in rows] == [*range(1, gap), *range(gap + 10, rows[-1][0] + 1)]  # the gap
    with superuser(url) as conn:
        conn.execute("CREATE TABLE old_chain (position bigint PRIMARY KEY, digest text NOT NULL, chain text NOT NULL)")
        conn.cursor().executemany("INSERT INTO old_chain VALUES (%s, %s, %s)", rows)
        conn.execute("DELETE FROM ledger_events_chain_runs")
        conn.execute("DROP VIEW ledger_events_chain")
        conn.execute("ALTER TABLE old_chain RENAME TO ledger_events_chain")
    # Opening the ledger (as every hrh command does) moves the rows into runs, split at the gap.
    open_ledger(url).close()
    assert value(url, "SELECT relkind FROM pg_class WHERE relname = 'ledger_events_chain'") == "v"
    runs = value(url, "SELECT array_agg(ARRAY[first, last] ORDER BY first) FROM ledger_events_chain_runs")
    assert runs == [[1, gap - 1], [gap + 10, rows[-1][0]]]
    assert value(url, "SELECT count(*) FROM ledger_events_chain") == len(rows)
    assert head(url) == published
    result = verify(url, "--head", published)
    assert result.returncode == 0, result.stdout + result.stderr
    # The ledger records on, its chain extended in runs.
    cadre = c.DefineCadre(code="X-RUNS", name="Runs", isco08=None, group=CadreGroup.OTHER, qualified=False)
    with open_ledger(url) as ledger:
        ledger.execute(cadre, "clerk")
    assert verify(url).returncode == 0
