"""The staging area of one command, or of one chunk of a batch: aggregates loaded or created,
and which of them changed."""

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.cadre import Cadre
from domain.errors import N_, NotFound
from domain.identity import (
    cadre_id,
    civil_service_number_id,
    org_unit_id,
    roster_id,
    typed_civil_service_number_id,
)
from domain.org_unit import OrgUnit
from domain.registry import CivilServiceNumber, FacilityRoster
from domain.worker import Worker

A = TypeVar("A", bound=Aggregate)
Loader = Callable[[UUID], Any]
Locator = Callable[[int], tuple[UUID, int] | None]
"""Maps a ledger position to the (aggregate id, version) of the event there."""
Placer = Callable[[UUID, int], int | None]
"""Maps an aggregate's event (aggregate id, version) to its ledger position, None when unknown."""
MISSING: Any = object()


class AggregateCache(dict[UUID, Aggregate | None]):
    """Aggregates seen so far, a miss recorded as None.

    ``complete`` says the cache holds every aggregate the ledger has, so a miss needs no query:
    true for a batch that starts on an empty ledger, until anything is evicted.
    """

    def __init__(self, *, complete: bool = False) -> None:
        super().__init__()
        self.complete = complete

    def evict(self, aggregate_id: UUID) -> None:
        self.pop(aggregate_id, None)
        self.complete = False

    def clear(self) -> None:
        super().clear()
        self.complete = False


class Staging:
    """Aggregates in play. ``load`` is the repository's ``get``; ``cache`` may outlive the staging
    (the bulk path keeps what it wrote), but ``changed`` is this staging's own."""

    def __init__(
        self, load: Loader, locate: Locator, cache: AggregateCache | None = None, *, place: Placer | None = None
    ) -> None:
        self._load = load
        self._locate = locate
        self._place = place
        self.located: dict[tuple[UUID, int], int] = {}
        self.cache = AggregateCache() if cache is None else cache
        self.changed: dict[UUID, Aggregate] = {}

    def find(self, kind: type[A], aggregate_id: UUID) -> A | None:
        # A miss is cached too. That stays safe if another writer creates the aggregate
        # meanwhile: saving ours then collides on (id, version 1), and the command is re-checked.
        found = self.cache.get(aggregate_id, MISSING)
        if found is MISSING and self.cache.complete:
            found = None
        elif found is MISSING:
            try:
                found = self._load(aggregate_id)
            except AggregateNotFoundError:
                found = None
            self.cache[aggregate_id] = found
        return found if isinstance(found, kind) else None

    def add(self, aggregate: Aggregate) -> None:
        """Marks ``aggregate`` as changed, so it is saved with the staging."""
        self.cache[aggregate.id] = aggregate
        self.changed[aggregate.id] = aggregate

    def org_unit(self, code: str) -> OrgUnit:
        found = self.find(OrgUnit, org_unit_id(code))
        if found is None:
            raise NotFound(
                N_("There is no org unit with code {code!r}; check the code or open the unit first."), code=code
            )
        return found

    def cadre(self, code: str) -> Cadre:
        found = self.find(Cadre, cadre_id(code))
        if found is None:
            raise NotFound(
                N_("There is no cadre with code {code!r}; check the code or define the cadre first."), code=code
            )
        return found

    def worker(self, worker_id: UUID) -> Worker:
        found = self.find(Worker, worker_id)
        if found is None:
            raise NotFound(N_("There is no worker with id {worker_id}."), worker_id=str(worker_id))
        found.timeline.place = partial(self.position_of, worker_id)  # for refusals that name a recorded event
        return found

    def position_of(self, aggregate_id: UUID, version: int) -> int | None:
        """The ledger position of an aggregate's event, when known: one this staging located, or the
        ledger's answer (None for an event not recorded yet, or without a ledger to ask)."""
        known = self.located.get((aggregate_id, version))
        if known is not None or self._place is None:
            return known
        return self._place(aggregate_id, version)

    def civil_service_number(self, number: str) -> CivilServiceNumber | None:
        """The registration of ``number``, found by its key (``identity.civil_service_key``)."""
        return self.find(CivilServiceNumber, civil_service_number_id(number))

    def civil_service_numbers(self, number: str) -> list[CivilServiceNumber]:
        """The registrations of ``number``: the one found by its key, and one recorded before numbers
        were compared by key, under the number exactly as typed (a ledger may hold both)."""
        keyed = civil_service_number_id(number)
        ids = (keyed,) if (typed := typed_civil_service_number_id(number)) == keyed else (keyed, typed)
        return [found for i in ids if (found := self.find(CivilServiceNumber, i)) is not None]

    def roster(self, facility_code: str) -> FacilityRoster | None:
        return self.find(FacilityRoster, roster_id(facility_code))

    def version_at(self, worker_id: UUID, position: int) -> int:
        """The version of ``worker_id``'s event at ledger ``position``."""
        located = self._locate(position)
        if located is None or located[0] != worker_id:
            raise NotFound(
                N_("Ledger position {position} holds no event of worker {worker_id}."),
                position=position,
                worker_id=str(worker_id),
            )
        self.located[worker_id, located[1]] = position
        return located[1]

    def take_events(self) -> list[Any]:
        """The new events of the changed aggregates, in the order they changed."""
        events: list[Any] = []
        for aggregate in self.changed.values():
            events.extend(aggregate.collect_events())
        self.changed.clear()
        return events

    def discard(self) -> None:
        """Forgets the aggregates changed since the last ``take_events``: their state is not saved."""
        for aggregate_id in self.changed:
            self.cache.evict(aggregate_id)
        self.changed.clear()
