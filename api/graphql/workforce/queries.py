"""The workforce's queries: a worker's record, rosters and the search (for those who may read personal data)."""

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from uuid import UUID

import strawberry

from api.access import PEOPLE, Role, check_unit_readable, check_worker_readable, readable_workers
from api.graphql.context import Context, Info
from api.graphql.enums import CadreGroup
from api.graphql.errors import ClientError
from api.graphql.org_units.types import known_unit
from api.graphql.paging import decode_cursor, encode_cursor, page_info, page_size
from api.graphql.permissions import field
from api.graphql.workforce.types import Worker, WorkerConnection, WorkerEdge, WorkerStatus
from projections import mobility, search, staffing
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


async def roster(
    info: Info, page: list[WorkerRecord], more: bool, total: Callable[[], Awaitable[int]]
) -> WorkerConnection:
    """A page of a roster. A past roster lists everyone who was there (it adds up to the staffing figure),
    with personal data only for the workers the caller may read now."""
    context = info.context
    readable = await readable_workers(context.signed_in, context.pool, context.schema, [r.id for r in page])
    edges = [WorkerEdge(cursor=encode_cursor(str(r.id)), node=Worker.of(r, readable=r.id in readable)) for r in page]
    return WorkerConnection(edges=edges, page_info=page_info([e.cursor for e in edges], more), total=total)


SEARCH_PAGE = 20  # searchWorkers' default ``first``, as the contract gives it
GROWTH = 8  # how much more each round of a search reads, while the caller may read too few of what it found


def search_of(text: str) -> search.Search:
    """What a search ``text`` looks for.

    Raises:
        ClientError: ``text`` is empty, blank or too long (BAD_USER_INPUT).
    """
    try:
        return search.Search.of(text)
    except search.InvalidSearch as error:
        raise ClientError(str(error), "BAD_USER_INPUT") from None


async def readable_matches(context: Context, found: search.Search, first: int) -> list[UUID]:
    """The first ``first`` workers ``found`` matches, best first, among those the caller may read
    (``readable_workers``): every match for an ADMIN or an AUDITOR; for an HR manager, the matches
    are read in growing rounds, each filtered, until enough are readable or none are left."""
    user, day, wanted, offset = context.signed_in, date.today(), first, 0
    kept: dict[UUID, None] = {}  # in order, once each (a round may see a worker again if the tables moved)
    while True:
        ids = await search.search_workers(context.pool, context.schema, found, day=day, first=wanted, offset=offset)
        readable = await readable_workers(user, context.pool, context.schema, ids)
        kept.update((worker_id, None) for worker_id in ids if worker_id in readable)
        if len(kept) >= first or len(ids) < wanted:
            return list(kept)[:first]
        offset, wanted = offset + wanted, wanted * GROWTH


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
        known_at: datetime | None = None,
    ) -> WorkerConnection:
        day = as_of or date.today()
        code, after_id = await listed_unit(info, org_unit_code, day), worker_after(after)
        position = await staffing.known_position(info.context.pool, info.context.schema, known_at)
        listed = await mobility.roster(
            info.context.pool,
            info.context.schema,
            as_of=day,
            org_unit_code=code,
            status=status.value if status else None,
            cadre_group=cadre_group.name if cadre_group else None,
            position=position,
        )
        page, more = await mobility.workers(info.context.pool, listed, first=page_size(first), after=after_id)
        return await roster(info, page, more, lambda: mobility.workers_count(info.context.pool, listed))

    @field(*PEOPLE, description="Workers whose name or civil-service number matches, among those the caller may read.")
    async def search_workers(self, info: Info, text: str, first: int | None = SEARCH_PAGE) -> list[Worker]:
        found, size = search_of(text), page_size(SEARCH_PAGE if first is None else first)
        ids = await readable_matches(info.context, found, size)
        records = await info.context.loaders.workers.load_many(ids)
        return [Worker.of(record, readable=True) for record in records if record is not None]
