"""The workforce's queries: a worker's record, and rosters (for those who may read personal data)."""

from datetime import date
from uuid import UUID

import strawberry

from api.access import PEOPLE, Role, check_unit_readable, check_worker_readable, readable_workers
from api.graphql.context import Info
from api.graphql.enums import CadreGroup
from api.graphql.errors import ClientError
from api.graphql.org_units.types import known_unit
from api.graphql.paging import decode_cursor, encode_cursor, page_info, page_size
from api.graphql.permissions import field
from api.graphql.workforce.types import Worker, WorkerConnection, WorkerEdge, WorkerStatus
from projections import mobility
from projections.mobility import WorkerRecord


def worker_id_of(id: strawberry.ID) -> UUID:
    """The worker ``id`` names.

    Raises:
        ClientError: ``id`` is not a worker id (BAD_USER_INPUT).
    """
    try:
        return UUID(str(id))
    except ValueError:
        raise ClientError(f"{id!r} is not a worker id.", "BAD_USER_INPUT") from None


def worker_after(after: str | None) -> UUID | None:
    """The worker a roster page starts after.

    Raises:
        ClientError: ``after`` is not a cursor this API gave out (BAD_USER_INPUT).
    """
    cursor = decode_cursor(after)
    try:
        return UUID(cursor) if cursor is not None else None
    except ValueError:
        raise ClientError(f"after: {after!r} is not a cursor this API gave out.", "BAD_USER_INPUT") from None


async def listed_unit(info: Info, code: str | None, day: date) -> str | None:
    """The unit whose roster is read: ``code``, or an HR manager's own scope; checked to exist and to be
    readable by the caller on ``day``."""
    user = info.context.signed_in
    if user.role is Role.HR_MANAGER:
        code = code or user.scope_code
    if code is not None:
        await known_unit(info, code)
        await check_unit_readable(user, info.context.pool, info.context.schema, code, day)
    return code


async def roster(info: Info, page: list[WorkerRecord], more: bool, total: int) -> WorkerConnection:
    """A page of a roster. A past roster lists everyone who was there (it adds up to the staffing figure),
    with personal data only for the workers the caller may read now."""
    context = info.context
    readable = await readable_workers(context.signed_in, context.pool, context.schema, [r.id for r in page])
    edges = [WorkerEdge(cursor=encode_cursor(str(r.id)), node=Worker.of(r, readable=r.id in readable)) for r in page]
    return WorkerConnection(edges=edges, page_info=page_info([e.cursor for e in edges], more), total_count=total)


@strawberry.type
class WorkforceQueries:
    @field(*PEOPLE)
    async def worker(self, info: Info, id: strawberry.ID) -> Worker | None:
        record = await info.context.loaders.workers.load(worker_id_of(id))
        if record is None:
            return None
        await check_worker_readable(info.context.signed_in, info.context.pool, info.context.schema, record.id)
        return Worker.of(record, readable=True)

    @field(*PEOPLE)
    async def workers(
        self,
        info: Info,
        org_unit_code: str | None = None,
        status: WorkerStatus | None = None,
        cadre_group: CadreGroup | None = None,
        as_of: date | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> WorkerConnection:
        day = as_of or date.today()
        code, after_id = await listed_unit(info, org_unit_code, day), worker_after(after)
        page, more, total = await mobility.workers(
            info.context.pool,
            info.context.schema,
            as_of=day,
            org_unit_code=code,
            status=status.value if status else None,
            cadre_group=cadre_group.name if cadre_group else None,
            first=page_size(first),
            after=after_id,
        )
        return await roster(info, page, more, total)
