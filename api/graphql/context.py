"""The per-request context: who is asking, the pools, and a fresh set of DataLoaders."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from api.access import Unauthenticated, User
from api.projecting import Projected
from api.tokens import Caller
from domain.ledger import Ledger
from projections import mobility, org_units
from projections.mobility import MovementRecord, TrainingRecord, WorkerRecord
from projections.org_units import OrgUnitRecord
from projections.vectors import CadreInfo


@dataclass
class Services:
    """What the app holds for its whole life."""

    pool: asyncpg.Pool
    ledger: Ledger
    schema: str  # the read tables
    admin_token: str | None
    projected: Projected  # what the read tables include, as the runner announces it


def loaders(pool: asyncpg.Pool, schema: str) -> dict[str, DataLoader[Any, Any]]:
    async def units(codes: list[str]) -> list[OrgUnitRecord | None]:
        found = await org_units.org_units_by_code(pool, schema, codes)
        return [found.get(code) for code in codes]

    async def cadres(codes: list[str]) -> list[CadreInfo | None]:
        found = {c.code: c for c in await org_units.cadres(pool, schema)}
        return [found.get(code) for code in codes]

    async def parents(keys: list[tuple[str, date]]) -> list[str | None]:
        out = []
        by_day: dict[date, list[str]] = {}
        for code, day in keys:
            by_day.setdefault(day, []).append(code)
        found = {day: await org_units.parents_on(pool, schema, codes, day) for day, codes in by_day.items()}
        for code, day in keys:
            out.append(found[day].get(code))
        return out

    async def children(keys: list[tuple[str, date]]) -> list[list[str]]:
        by_day: dict[date, list[str]] = {}
        for code, day in keys:
            by_day.setdefault(day, []).append(code)
        found = {day: await org_units.children_codes(pool, schema, codes, day) for day, codes in by_day.items()}
        return [found[day].get(code, []) for code, day in keys]

    async def workers(keys: list[UUID]) -> list[WorkerRecord | None]:
        found = await mobility.workers_by_id(pool, schema, keys, date.today())
        return [found.get(key) for key in keys]

    async def histories(keys: list[UUID]) -> list[list[MovementRecord]]:
        found = await mobility.histories(pool, schema, keys)
        return [found[key] for key in keys]

    async def trainings(keys: list[UUID]) -> list[list[TrainingRecord]]:
        found = await mobility.trainings(pool, schema, keys)
        return [found[key] for key in keys]

    return {
        "units": DataLoader(units),
        "cadres": DataLoader(cadres),
        "parents": DataLoader(parents),
        "children": DataLoader(children),
        "workers": DataLoader(workers),
        "histories": DataLoader(histories),
        "trainings": DataLoader(trainings),
    }


@dataclass
class Context(BaseContext):
    services: Services
    caller: Caller
    loaders: dict[str, DataLoader[Any, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__()

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
    def pool(self) -> asyncpg.Pool:
        return self.services.pool

    @property
    def schema(self) -> str:
        return self.services.schema
