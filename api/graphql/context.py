"""The per-request context: who is asking, the pool its reads go to, and a fresh set of typed DataLoaders."""

import time
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import TypeAlias
from uuid import UUID

import asyncpg
import strawberry
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from api.access import Unauthenticated, User, signed_in
from api.projecting import Projected
from api.read_routing import ReadRouting
from api.tokens import Caller
from domain.ledger import Ledger
from projections import mobility, org_units, postings, staffing
from projections.mobility import MovementRecord, TrainingRecord, WorkerRecord
from projections.org_units import OrgUnitRecord
from projections.postings import PostingRecord
from projections.vectors import CadreInfo


@dataclass
class Services:
    """What the app holds for its whole life."""

    pool: asyncpg.Pool  # the primary's: accounts, web sessions, and queries when no replica is usable
    ledger: Ledger
    schema: str  # the read tables
    admin_token: str | None
    projected: Projected  # what the read tables include, as the runner announces it
    reads: ReadRouting | None = None  # with a replica (HRH_READ_DATABASE_URL): where queries read

    def read_pool(self) -> asyncpg.Pool:
        """The pool a query starting now reads from: the replica's while it is usable, else the primary's."""
        return self.reads.pool if self.reads is not None else self.pool

    async def including(self, position: int, timeout: float) -> asyncpg.Pool | None:
        """Read-your-writes: the pool queries read from, once its read tables include ``position`` (the replica's
        once it has replayed it, else the primary's); None when they do not within ``timeout``."""
        deadline = time.monotonic() + timeout
        if not await self.projected.wait_for(self.pool, position, timeout):
            return None
        if self.reads is None:
            return self.pool
        return await self.reads.including(position, deadline - time.monotonic())


@dataclass(frozen=True)
class Loaders:
    """One request's DataLoaders: each batches the loads of one kind that a request makes, and caches them."""

    units: DataLoader[str, OrgUnitRecord | None]
    cadres: DataLoader[str, CadreInfo | None]
    parents: DataLoader[tuple[str, date], str | None]  # (code, day): the parent's code that day
    children: DataLoader[tuple[str, date], list[str]]  # (code, day): the children's codes that day
    workers: DataLoader[UUID, WorkerRecord | None]  # as they are today
    histories: DataLoader[UUID, list[MovementRecord]]
    trainings: DataLoader[UUID, list[TrainingRecord]]
    postings: DataLoader[tuple[UUID, datetime | None], list[PostingRecord]]  # (worker, as known then, or now)


def by_day(keys: list[tuple[str, date]]) -> dict[date, list[str]]:
    """The codes among ``keys``, grouped by their day."""
    found: dict[date, list[str]] = {}
    for code, day in keys:
        found.setdefault(day, []).append(code)
    return found


# The batch functions: each answers a batch of keys, in their order, from the read tables in ``schema``.


async def units(pool: asyncpg.Pool, schema: str, codes: list[str]) -> list[OrgUnitRecord | None]:
    found = await org_units.org_units_by_code(pool, schema, codes)
    return [found.get(code) for code in codes]


async def cadres(pool: asyncpg.Pool, schema: str, codes: list[str]) -> list[CadreInfo | None]:
    found = {c.code: c for c in await org_units.cadres(pool, schema)}
    return [found.get(code) for code in codes]


async def parents(pool: asyncpg.Pool, schema: str, keys: list[tuple[str, date]]) -> list[str | None]:
    found = {day: await org_units.parents_on(pool, schema, codes, day) for day, codes in by_day(keys).items()}
    return [found[day].get(code) for code, day in keys]


async def children(pool: asyncpg.Pool, schema: str, keys: list[tuple[str, date]]) -> list[list[str]]:
    found = {day: await org_units.children_codes(pool, schema, codes, day) for day, codes in by_day(keys).items()}
    return [found[day].get(code, []) for code, day in keys]


async def workers(pool: asyncpg.Pool, schema: str, keys: list[UUID]) -> list[WorkerRecord | None]:
    found = await mobility.workers_by_id(pool, schema, keys, date.today())
    return [found.get(key) for key in keys]


async def histories(pool: asyncpg.Pool, schema: str, keys: list[UUID]) -> list[list[MovementRecord]]:
    found = await mobility.histories(pool, schema, keys)
    return [found[key] for key in keys]


async def trainings(pool: asyncpg.Pool, schema: str, keys: list[UUID]) -> list[list[TrainingRecord]]:
    found = await mobility.trainings(pool, schema, keys)
    return [found[key] for key in keys]


async def worker_postings(
    pool: asyncpg.Pool, schema: str, keys: list[tuple[UUID, datetime | None]]
) -> list[list[PostingRecord]]:
    """Each (worker, knownAt)'s postings: one position lookup and one read per distinct knownAt."""
    wanted: dict[datetime | None, list[UUID]] = {}
    for worker_id, known_at in keys:
        wanted.setdefault(known_at, []).append(worker_id)
    found = {}
    for known_at, ids in wanted.items():
        position = await staffing.known_position(pool, schema, known_at)
        found[known_at] = await postings.postings(pool, schema, ids, position)
    return [found[known_at][worker_id] for worker_id, known_at in keys]


def loaders(pool: asyncpg.Pool, schema: str) -> Loaders:
    """A fresh set of loaders over the read tables in ``schema``: build one for each request."""
    return Loaders(
        units=DataLoader(partial(units, pool, schema)),
        cadres=DataLoader(partial(cadres, pool, schema)),
        parents=DataLoader(partial(parents, pool, schema)),
        children=DataLoader(partial(children, pool, schema)),
        workers=DataLoader(partial(workers, pool, schema)),
        histories=DataLoader(partial(histories, pool, schema)),
        trainings=DataLoader(partial(trainings, pool, schema)),
        postings=DataLoader(partial(worker_postings, pool, schema)),
    )


@dataclass
class Context(BaseContext):
    services: Services
    caller: Caller
    loaders: Loaders
    reads: asyncpg.Pool | None = None  # the pool this request reads from; None: the primary's

    def __post_init__(self) -> None:
        super().__init__()

    @classmethod
    def reading(cls, services: Services, caller: Caller) -> "Context":
        """A request's context, reading from the pool ``services`` send queries to now (a replica's, if usable)."""
        pool = services.read_pool()
        return cls(services=services, caller=caller, loaders=loaders(pool, services.schema), reads=pool)

    def read_from(self, pool: asyncpg.Pool) -> None:
        """Sends the rest of this request's reads to ``pool``, with fresh loaders (a mutation's answer, when
        the replica has not replayed its command in time, is read from the primary)."""
        self.reads = pool
        self.loaders = loaders(pool, self.schema)

    @property
    def user(self) -> User | None:
        """The user who sent the request; None when no token was sent.

        Raises:
            Unauthenticated: the request's token names no one (malformed, unknown, revoked, expired).
        """
        if self.caller.refusal is not None:
            raise Unauthenticated(self.caller.refusal)
        return self.caller.user

    @property
    def signed_in(self) -> User:
        """The user who sent the request, for resolvers a permission has already let through.

        Raises:
            Unauthenticated: no token, or one that names no one.
        """
        return signed_in(self.user)

    @property
    def pool(self) -> asyncpg.Pool:
        """The pool this request's queries read from (the replica's or the primary's). Writes use the
        primary's, ``services.pool``: a replica refuses them."""
        return self.reads if self.reads is not None else self.services.pool

    @property
    def schema(self) -> str:
        return self.services.schema


Info: TypeAlias = strawberry.Info[Context, None]
"""What a resolver receives, with the context typed."""
