"""The chain hash (DESIGN, "Tamper evidence"), checked against computations written out here with
the standard library from DESIGN's own words, never against the program's output."""

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from itertools import islice
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import chain
from domain.ledger import Ledger
from domain.staging import AggregateCache, Staging
from domain.values import Provenance
from replay.bulk.rows import attempt
from replay.demo import generate
from tests.unit.test_golden_events import decoded

DESIGN_LINE: dict[str, Any] = {
    "position": 17,
    "aggregate": "Worker",
    "aggregate_id": "6f1c0000-0000-4000-8000-000000000017",
    "version": 3,
    "event": "Transferred",
    "recorded_at": "2017-03-02T09:14:07.123456+00:00",
    "recorded_by": "sikasso.rh",
    "authority": "Décision 2017-114",
    "note": None,
    "command_id": "c-88f1",
    "data": {
        "effective_on": "2017-03-01",
        "from_facility_code": "SIK-CSREF-01",
        "to_facility_code": "SIK-CSCOM-12",
        "reason": None,
    },
}


def by_hand() -> str:
    """digest(p) as DESIGN defines it, spelled out."""
    text = (
        '{"aggregate":"Worker","aggregate_id":"6f1c0000-0000-4000-8000-000000000017","authority":"Décision 2017-114",'
        '"command_id":"c-88f1","data":{"effective_on":"2017-03-01","from_facility_code":"SIK-CSREF-01",'
        '"reason":null,"to_facility_code":"SIK-CSCOM-12"},"event":"Transferred","note":null,"position":17,'
        '"recorded_at":"2017-03-02T09:14:07.123456+00:00","recorded_by":"sikasso.rh","version":3}'
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stdlib_digest(line: dict[str, Any]) -> str:
    keys = ("position", "aggregate", "aggregate_id", "version", "event", "recorded_at")
    keys += ("recorded_by", "authority", "note", "command_id", "data")
    kept = {key: line[key] for key in keys}
    return hashlib.sha256(
        json.dumps(kept, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()


def test_the_digest_of_design_s_example_line_is_the_sha256_of_its_canonical_form() -> None:
    assert chain.digest(DESIGN_LINE) == by_hand()
    # Keys outside the kept ones change nothing: ``chain`` itself, or keys added to the format later.
    assert chain.digest({**DESIGN_LINE, "chain": "x", "later": [1, 2]}) == by_hand()


def test_the_chain_starts_from_64_zeros_and_links_each_digest_to_the_one_before() -> None:
    first = hashlib.sha256(("0" * 64 + "\n" + "a" * 64).encode()).hexdigest()
    second = hashlib.sha256((first + "\n" + "b" * 64).encode()).hexdigest()
    assert chain.GENESIS == "0" * 64
    assert chain.link(chain.GENESIS, "a" * 64) == first
    assert chain.link(first, "b" * 64) == second


def test_every_golden_event_described_before_recording_gives_the_digest_of_its_export_line() -> None:
    events = decoded()
    assert len({type(e) for e in events}) >= 15  # every kind of stored event
    for position, event in enumerate(events, start=1):
        line = chain.line_fields(position * 7919, event)
        expected = stdlib_digest(line)
        assert chain.placed_digest(chain.unplaced(event), position * 7919, event.originator_version) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Décision n°2017-114 — Sikasso",
        'quotes " and \\ backslashes',
        "controls \n \r \t \b \f \x00 \x1f \x7f",
        "beyond the basic plane: 𝔐𝔞𝔩𝔦 🇲🇱",
        "separators \u2028 \u2029 and ß ŉ",
    ],
)
def test_text_is_written_as_the_json_module_writes_it(text: str) -> None:
    event = decoded()[0]
    meta: Provenance = vars(event)["meta"]
    altered = object.__new__(type(event))
    object.__setattr__(altered, "__dict__", {**vars(event), "meta": replace(meta, note=text, authority=text)})
    line = chain.line_fields(5, altered)
    assert line["note"] == text
    assert chain.placed_digest(chain.unplaced(altered), 5, altered.originator_version) == stdlib_digest(line)


def test_a_digest_changes_with_any_byte_of_the_line() -> None:
    event = decoded()[0]
    parts = chain.unplaced(event)
    assert chain.placed_digest(parts, 1, 1) != chain.placed_digest(parts, 2, 1)
    assert chain.placed_digest(parts, 1, 1) != chain.placed_digest(parts, 1, 2)


def test_the_demo_s_events_as_the_bulk_path_makes_them_give_the_digests_of_their_lines() -> None:
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    staging = Staging(missing, missing, AggregateCache(complete=True))
    events: list[Any] = []
    for row, submission in enumerate(islice(generate(seed=3, scale=0.1), 2500)):
        assert attempt(ledger, staging, row, submission) is None
        events.extend(staging.take_events())
    assert len({type(e) for e in events}) >= 12
    for position, event in enumerate(events, start=1):
        expected = stdlib_digest(chain.line_fields(position, event))
        assert chain.placed_digest(chain.unplaced(event), position, event.originator_version) == expected


def missing(_: Any) -> Any:
    raise AssertionError("an empty ledger is never read")


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(
        timezones=st.one_of(
            st.just(UTC), st.none(), st.timedeltas(timedelta(hours=-23), timedelta(hours=23)).map(timezone)
        )
    )
)
def test_any_recorded_time_is_written_as_isoformat_writes_it(at: datetime) -> None:
    event = decoded()[0]
    altered = object.__new__(type(event))
    object.__setattr__(altered, "__dict__", {**vars(event), "timestamp": at})
    line = chain.line_fields(5, altered)
    assert line["recorded_at"] == at.isoformat()
    assert chain.placed_digest(chain.unplaced(altered), 5, altered.originator_version) == stdlib_digest(line)
