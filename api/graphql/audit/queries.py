"""The audit queries. The audit trail is for ADMINs and AUDITORs. Completeness, catching up and the chain
head are for any signed-in role: the chain head says nothing about the events, and the more people hold a
published head, the harder the ledger is to rewrite unnoticed (DESIGN, "Tamper evidence")."""

import asyncio
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import strawberry

from api.access import ANYONE, AUDITORS
from api.graphql.audit.types import AuditConnection, AuditEdge, AuditEntry, ChainHead, Completeness
from api.graphql.context import Info
from api.graphql.errors import ClientError
from api.graphql.org_units.types import known_unit
from api.graphql.paging import decode_cursor, encode_cursor, page_info, page_size
from api.graphql.permissions import field
from domain.errors import N_
from projections import audit, org_units, runner, staffing
from projections.audit import KINDS, AuditRecord, TrailFilter

MAX_POSITION = 2**63  # a ledger position is a bigint
MAX_TIMEOUT_MS = 60_000


def trail_filters(after: str | None, worker_id: strawberry.ID | None) -> tuple[int | None, UUID | None]:
    """The position an audit trail page starts after, and the worker it is about.

    Raises:
        ClientError: either is malformed (BAD_USER_INPUT).
    """
    cursor = decode_cursor(after)
    try:
        after_position = int(cursor) if cursor is not None else None
        if after_position is not None and not 0 <= after_position < MAX_POSITION:
            raise ValueError(after_position)
        return after_position, UUID(str(worker_id)) if worker_id is not None else None
    except ValueError:
        raise ClientError(N_("after or workerId is malformed."), "BAD_USER_INPUT") from None


def trail_kind(kind: str | None) -> str | None:
    """The kind of event an audit trail is narrowed to.

    Raises:
        ClientError: ``kind`` names no kind of event the trail holds (BAD_USER_INPUT).
    """
    if kind is not None and kind not in KINDS:
        raise ClientError(
            N_("kind: {kind!r} is not a kind of event; use one of {kinds}."),
            "BAD_USER_INPUT",
            kind=kind,
            kinds=", ".join(sorted(KINDS)),
        )
    return kind


def trail_page(page: list[AuditRecord], more: bool) -> AuditConnection:
    edges = [AuditEdge(cursor=encode_cursor(str(r.position)), node=AuditEntry.of(r)) for r in page]
    return AuditConnection(edges=edges, page_info=page_info([e.cursor for e in edges], more))


def timeout_seconds(timeout_ms: int | None) -> float:
    """How long ``caughtUp`` waits, in seconds, when the client asks for ``timeout_ms`` (5 s when null).

    Raises:
        ClientError: a timeout over a minute, or negative (BAD_USER_INPUT).
    """
    timeout = 5000 if timeout_ms is None else timeout_ms
    if not 0 <= timeout <= MAX_TIMEOUT_MS:
        raise ClientError(N_("timeoutMs must be between 0 and {most}."), "BAD_USER_INPUT", most=MAX_TIMEOUT_MS)
    return timeout / 1000


@strawberry.type
class AuditQueries:
    @field(*AUDITORS)
    async def audit_trail(
        self,
        info: Info,
        worker_id: strawberry.ID | None = None,
        recorded_by: str | None = None,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        first: int | None = 50,
        after: str | None = None,
        org_unit_code: Annotated[
            str | None,
            strawberry.argument(
                description="Only the events that lie in this unit or below it on their day: the unit's own and its "
                "descendants' events, and the events of workers whose facility on the day (or a facility the event "
                'names) lay there (docs/audit.md, "The trail of an org unit").'
            ),
        ] = None,
        kind: Annotated[
            str | None,
            strawberry.argument(
                description="Only the events of this kind, as `AuditEntry.kind` names them (TRANSFERRED, ...)."
            ),
        ] = None,
    ) -> AuditConnection:
        after_position, worker = trail_filters(after, worker_id)
        where = TrailFilter(worker, recorded_by, from_, to, org_unit_code, trail_kind(kind))
        size = page_size(first)
        if org_unit_code is not None:
            await known_unit(info, org_unit_code)
        page, more = await audit.audit_trail(
            info.context.pool, info.context.schema, where, first=size, after=after_position
        )
        return trail_page(page, more)

    @field(*ANYONE)
    async def completeness(self, info: Info, org_unit_code: str) -> Completeness:
        await known_unit(info, org_unit_code)
        found = await staffing.completeness(info.context.pool, info.context.schema, org_unit_code, date.today())
        return Completeness.of(found)

    @field(
        *ANYONE,
        description="Waits until every projection has processed the ledger up to position; false on timeout.",
    )
    async def caught_up(self, info: Info, position: int, timeout_ms: int | None = 5000) -> bool:
        seconds = timeout_seconds(timeout_ms)
        # With a replica: once it has replayed the position too, as the queries that follow may read it.
        return await info.context.services.including(position, seconds) is not None

    @field(
        *ANYONE,
        description="The chain head, as `hrh chain-head` prints it: publishing it makes the ledger so far "
        "tamper-evident.",
    )
    async def chain_head(self, info: Info) -> ChainHead:
        recorder = info.context.services.ledger.recorder
        position, chain = await asyncio.to_thread(recorder.chain_head)  # type: ignore[attr-defined]
        return ChainHead(position=position, hash=chain)

    @field(
        *ANYONE,
        description="The ledger position that answers as known at knownAt (now when null) reflect: the last "
        "event the read tables include and, with knownAt, recorded by then. Exports state it.",
    )
    async def ledger_position(self, info: Info, known_at: datetime | None = None) -> int:
        projected = await runner.position(info.context.pool, info.context.schema)
        if known_at is None:
            return projected
        return min(projected, await org_units.position_at(info.context.pool, info.context.schema, known_at))
