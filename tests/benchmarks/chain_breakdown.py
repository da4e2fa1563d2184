"""What the chain costs the bulk path per event, in Python: the demo's events as the bulk path
makes them, each step timed in one process (``time.process_time``), interleaved, best of five.

Run with ``.venv/bin/python -m tests.benchmarks.chain_breakdown``. The steps, per event:
checking the command and staging its events; the stored state alone (``to_stored_event``), as
the children made it before the chain; the stored state and the chain's description apart
(``to_stored_event`` and ``chain.unplaced``) and in one pass (``domain.event_bytes``); the
digest and chain in the parent, gathered as lists (what the recorder's ``_insert_chain`` packs
into runs) and as the lines of a text ``COPY`` (its way before runs). With ``--server``, the chain's
insert both ways too, in chunks of 2,000 events a transaction: a row an event, as a text ``COPY``
into a table of one row an event (before runs), and one run a chunk, as a binary ``COPY`` into a
table like the runs' (``projections/chain_runs.py``); the server's CPU (of its backend, read from
``/proc``: a local server) and the client's, per event.
"""

import argparse
import gc
import hashlib
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

from api.database import scratch_database, start_embedded
from domain import chain
from domain.event_bytes import EventBytes
from domain.ledger import Ledger
from domain.staging import AggregateCache, Staging
from projections import chain_runs
from projections.chain_runs import ChainRows
from replay.bulk.rows import attempt
from replay.demo import generate


def _never(_: Any) -> Any:
    raise AssertionError("an empty ledger is never read")


def server_cost(rows: int = 200_000, chunk: int = 2000, rounds: int = 3) -> None:
    """The chain's insert, a row an event and as runs, alternately: CPU µs an event."""
    digests = [hashlib.sha256(b"%d" % i).hexdigest() for i in range(rows)]
    server = os.environ.get("DATABASE_URL") or start_embedded(
        Path(f"/tmp/hrh-chain-{uuid.uuid4().hex[:6]}"), delete_on_exit=True
    )
    with scratch_database(server, f"hrh_chain_{uuid.uuid4().hex[:8]}") as url, psycopg.connect(url) as conn:
        (backend,) = conn.execute("SELECT pg_backend_pid()").fetchone() or (0,)
        for n in range(rounds):
            for way in ("rows", "runs"):
                table = f"chain_{way}_{n}"
                if way == "rows":
                    conn.execute(
                        f"CREATE TABLE {table} (position bigint PRIMARY KEY, digest text NOT NULL, chain text NOT NULL)"
                    )
                else:
                    for statement in chain_runs.statements("public", "", table, "")[:2]:  # the table, its storage
                        conn.execute(statement)
                conn.commit()
                server_cpu, client_cpu = cpu_of(backend), time.process_time()
                for start in range(0, rows, chunk):
                    positions = list(range(start + 1, min(start + chunk, rows) + 1))
                    some = digests[start : start + chunk]
                    with conn.transaction(), conn.cursor() as curs:
                        if way == "rows":
                            lines = (f"{p}\t{d}\t{d}\n" for p, d in zip(positions, some, strict=True))
                            with curs.copy(f"COPY {table} (position, digest, chain) FROM STDIN") as copy:
                                copy.write("".join(lines).encode())
                        else:
                            with curs.copy(chain_runs.copy_statement("public", table)) as copy:
                                ChainRows(positions, some, some).write(copy)
                server_us = (cpu_of(backend) - server_cpu) / rows * 1e6
                client_us = (time.process_time() - client_cpu) / rows * 1e6
                print(f"| the chain's insert, {way} | server {server_us:.2f} | client {client_us:.2f} |")


def cpu_of(pid: int) -> float:
    """The CPU seconds (user and system) of a local process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server", action="store_true", help="time the chain rows' insert in PostgreSQL too")
    if parser.parse_args().server:
        server_cost()
    submissions = list(generate(seed=3, scale=0.1))
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    events: list[Any] = []

    def checking() -> None:
        staging = Staging(_never, _never, AggregateCache(complete=True))
        events.clear()
        for row, submission in enumerate(submissions):
            if attempt(ledger, staging, row, submission) is None:
                events.extend(staging.take_events())

    checking()
    to_stored = ledger.mapper.to_stored_event
    lines = [chain.unplaced(event) for event in events]
    versions = [event.originator_version for event in events]
    positions = list(range(1, len(events) + 1))

    def stored_alone() -> None:
        made = []
        for event in events:
            stored = to_stored(event)
            made.append((stored.topic, stored.state))

    def stored_and_described_apart() -> None:
        describe, made = chain.Describer(), []
        for event in events:
            stored = to_stored(event)
            made.append((stored.topic, stored.state, describe(event)))

    def one_pass() -> None:
        event_bytes = EventBytes(ledger.mapper)
        made = [event_bytes(event) for event in events]
        del made

    def digests_as_lists() -> None:
        sha256, previous = hashlib.sha256, chain.GENESIS
        digests, chains = [], []
        for position, version, (head, middle) in zip(positions, versions, lines, strict=True):
            digest = sha256(b"%s%d%s%d}" % (head, position, middle, version)).hexdigest()
            previous = sha256(f"{previous}\n{digest}".encode()).hexdigest()
            digests.append(digest)
            chains.append(previous)

    def digests_as_copy_lines() -> None:
        sha256, previous = hashlib.sha256, chain.GENESIS
        rows = []
        for position, version, (head, middle) in zip(positions, versions, lines, strict=True):
            digest = sha256(b"%s%d%s%d}" % (head, position, middle, version)).hexdigest()
            previous = sha256(f"{previous}\n{digest}".encode()).hexdigest()
            rows.append(f"{position}\t{digest}\t{previous}\n")
        "".join(rows).encode()

    steps: dict[str, Callable[[], None]] = {
        "checking and staging": checking,
        "stored state alone": stored_alone,
        "stored state and description apart": stored_and_described_apart,
        "stored state and description in one pass": one_pass,
        "digest and chain, as lists (runs)": digests_as_lists,
        "digest and chain, as COPY lines": digests_as_copy_lines,
    }
    best = dict.fromkeys(steps, float("inf"))
    for _ in range(5):
        for name, step in steps.items():
            gc.collect()
            started = time.process_time()
            step()
            best[name] = min(best[name], time.process_time() - started)
    print(f"{len(events):,} events")
    for name, seconds in best.items():
        print(f"| {name} | {seconds / len(events) * 1e6:.2f} |")


if __name__ == "__main__":
    main()
