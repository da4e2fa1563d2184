"""A worker's postings: the intervals during which they held a post at one facility, from the timeline's
periods (``worker_periods``) in force.

A posting starts with a posting or a transfer in, and ends with a transfer out or a departure. A leave does
not end it (the worker still holds the post), nor does a requalification (``cadre`` is the one held at the
posting's end). The FHIR export gives one PractitionerRole per posting (docs/exports.md, "FHIR").
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from uuid import UUID

from projections.naming import quoted
from projections.org_units import Executor

IN_POST = ("POSTED", "ON_LEAVE")  # the statuses of a period in which the worker holds a post


@dataclass(frozen=True, slots=True)
class PostingRecord:
    """One posting: at ``facility`` from ``started_on`` until ``ended_on`` (the effective date of the transfer
    or departure that ended it, on which the worker is no longer there; None while it lasts)."""

    facility: str
    started_on: date
    ended_on: date | None
    cadre: str


def postings_of(periods: list[Any]) -> list[PostingRecord]:
    """The postings that a worker's periods (ordered by ``valid_from``) make: consecutive periods in post at
    one facility, with no gap between them, are one posting."""
    found: list[PostingRecord] = []
    for p in periods:
        if p["status"] not in IN_POST or p["facility"] is None:
            continue
        last = found[-1] if found else None
        if last is not None and last.facility == p["facility"] and last.ended_on == p["valid_from"]:
            found[-1] = replace(last, ended_on=p["valid_to"], cadre=p["cadre"])
        else:
            found.append(PostingRecord(p["facility"], p["valid_from"], p["valid_to"], p["cadre"]))
    return found


async def postings(
    db: Executor, schema: str, ids: list[UUID], position: int | None = None
) -> dict[UUID, list[PostingRecord]]:
    """Each worker's postings in effective order, as known at ledger ``position`` (None: now)."""
    known = "known_to IS NULL" if position is None else "known_from <= $2 AND (known_to IS NULL OR known_to > $2)"
    rows = await db.fetch(
        f"SELECT worker_id, valid_from, valid_to, status, facility, cadre FROM {quoted(schema)}.worker_periods "
        f"WHERE worker_id = ANY($1::uuid[]) AND {known} ORDER BY worker_id, valid_from",
        ids,
        *(() if position is None else (position,)),
    )
    periods: dict[UUID, list[Any]] = defaultdict(list)
    for r in rows:
        periods[r["worker_id"]].append(r)
    return {worker_id: postings_of(periods.get(worker_id, [])) for worker_id in ids}
