"""The audit trail, the records' completeness and the chain head, as clients read them."""

from datetime import date, datetime

import strawberry

from api.graphql.context import Info
from api.graphql.org_units.types import OrgUnit, figure_unit
from api.graphql.paging import PageInfo
from api.graphql.staffing.types import Count, counts
from projections.audit import AuditRecord
from projections.staffing import CompletenessRecord


@strawberry.type
class AuditEntry:
    position: int
    aggregate: str = strawberry.field(description="Whose event it is: Worker, OrgUnit or Cadre.")
    aggregate_id: strawberry.ID
    subject: str | None = strawberry.field(
        description="The code of the org unit (for an establishment, the facility) or of the cadre the event is "
        "about; null for a worker's event (see aggregateId)."
    )
    kind: str
    effective_on: date | None
    recorded_at: datetime
    recorded_by: str
    authority: str | None
    backdated: bool
    retracted: bool

    @classmethod
    def of(cls, r: AuditRecord) -> "AuditEntry":
        return cls(
            position=r.position,
            aggregate=r.aggregate,
            aggregate_id=strawberry.ID(str(r.aggregate_id)),
            subject=r.subject,
            kind=r.kind,
            effective_on=r.effective_on,
            recorded_at=r.recorded_at,
            recorded_by=r.recorded_by,
            authority=r.authority,
            backdated=r.backdated,
            retracted=r.retracted,
        )


@strawberry.type
class AuditEdge:
    cursor: str
    node: AuditEntry


@strawberry.type
class AuditConnection:
    edges: list[AuditEdge]
    page_info: PageInfo


@strawberry.type
class Completeness:
    workers: int
    complete: int
    rate: float
    missing: list[Count]
    code: strawberry.Private[str]

    @classmethod
    def of(cls, r: CompletenessRecord) -> "Completeness":
        return cls(workers=r.workers, complete=r.complete, rate=r.rate, missing=counts(r.missing), code=r.code)

    @strawberry.field
    async def org_unit(self, info: Info) -> OrgUnit:
        return await figure_unit(info, self.code, date.today())


@strawberry.type(description="The chain hash of the ledger's last event, and its position.")
class ChainHead:
    position: int = strawberry.field(description="The ledger position of the last event; 0 for an empty ledger.")
    hash: str = strawberry.field(
        description="The chain hash at that position (64 hex digits; 64 zeros for an empty ledger)."
    )
