"""The audit trail: every event of the org units, cadres and workers, in ledger order.

The ledger's internal bookkeeping (command receipts, the civil-service-number and facility-roster
registries) is not part of the trail: it records nothing a person decided.
"""

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from projections.naming import quoted
from projections.org_units import Executor


@dataclass(frozen=True, slots=True)
class AuditRecord:
    position: int
    aggregate: str
    aggregate_id: UUID
    subject: str | None
    kind: str
    effective_on: date | None
    recorded_at: datetime
    recorded_by: str
    authority: str | None
    backdated: bool
    retracted: bool


async def audit_trail(
    db: Executor,
    schema: str,
    *,
    worker_id: UUID | None = None,
    recorded_by: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    first: int = 50,
    after: int | None = None,
) -> tuple[list[AuditRecord], bool]:
    """A page of the trail after position ``after``, filtered; (page, has next page)."""
    rows = await db.fetch(
        "SELECT position, aggregate, aggregate_id, subject, kind, effective_on, recorded_at, recorded_by, authority, "
        f"backdated, retracted FROM {quoted(schema)}.events "
        "WHERE ($1::uuid IS NULL OR aggregate_id = $1) AND ($2::text IS NULL OR recorded_by = $2) "
        "AND ($3::timestamptz IS NULL OR recorded_at >= $3) AND ($4::timestamptz IS NULL OR recorded_at <= $4) "
        "AND position > $5 ORDER BY position LIMIT $6",
        worker_id,
        recorded_by,
        start,
        end,
        after or 0,
        first + 1,
    )
    page = [
        AuditRecord(
            position=r["position"],
            aggregate=r["aggregate"],
            aggregate_id=r["aggregate_id"],
            subject=r["subject"],
            kind=r["kind"],
            effective_on=r["effective_on"],
            recorded_at=r["recorded_at"],
            recorded_by=r["recorded_by"] or "",
            authority=r["authority"],
            backdated=r["backdated"],
            retracted=r["retracted"],
        )
        for r in rows[:first]
    ]
    return page, len(rows) > first
