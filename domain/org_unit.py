"""The OrgUnit aggregate: a country, region, district or facility, with effective-dated parents.

A facility also holds its establishment: the budgeted posts per cadre, each set effective-dated by
a decree (DESIGN, "Definitions: Establishment").
"""

from bisect import insort
from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import clock
from domain.errors import DateOutOfOrder, InvalidInput, InvalidParent, NotAFacility, OrgUnitClosed
from domain.identity import org_unit_id
from domain.values import OrgUnitLevel, Provenance, Sector

MAX_POSTS = 10_000
"""The most posts one facility may budget for one cadre: more is a typing slip."""


def check_posts(posts: int) -> None:
    """Raises InvalidInput unless ``posts`` is a whole number from 0 to ``MAX_POSTS``."""
    if isinstance(posts, bool) or not isinstance(posts, int):
        raise InvalidInput(f"posts {posts!r} is not a whole number; give a count of budgeted posts.")
    if posts < 0:
        raise InvalidInput(f"posts {posts} is negative; give a count of budgeted posts, 0 or more.")
    if posts > MAX_POSTS:
        raise InvalidInput(f"posts {posts} is implausibly large for one facility and cadre (at most {MAX_POSTS}).")


class OrgUnit(Aggregate):
    """A node of the org tree. Its parent can change over time (boundary changes)."""

    TOPIC = "hrh:OrgUnit"

    class Event(Aggregate.Event):
        TOPIC = "hrh:OrgUnit.Event"
        create_timestamp = staticmethod(clock.now)

    @staticmethod
    def create_id(code: str, **_: Any) -> UUID:
        return org_unit_id(code)

    # The event classes that ``@event`` makes from the methods below, declared for type checkers.
    Opened: ClassVar[type[Event]]
    Moved: ClassVar[type[Event]]
    Renamed: ClassVar[type[Event]]
    Closed: ClassVar[type[Event]]
    PopulationEstimated: ClassVar[type[Event]]
    EstablishmentSet: ClassVar[type[Event]]

    @event("Opened", topic="hrh:OrgUnit.Opened.v1")
    def __init__(
        self,
        code: str,
        name: str,
        level: OrgUnitLevel,
        parent_code: str | None,
        sector: Sector | None,
        facility_kind: str | None,
        hard_to_reach: bool,
        effective_on: date,
        meta: Provenance,
    ) -> None:
        self.code = code
        self.name = name
        self.level = level
        self.sector = sector
        self.facility_kind = facility_kind
        self.hard_to_reach = hard_to_reach
        self.opened_on = effective_on
        self.closed_on: date | None = None
        self.parents: list[tuple[date, str | None]] = [(effective_on, parent_code)]
        self.populations: dict[int, int] = {}
        # Per cadre code, the posts set, as (effective date, posts) in the order recorded.
        self.establishment: dict[str, list[tuple[date, int]]] = {}

    # Queries.

    def is_open_on(self, day: date) -> bool:
        return self.opened_on <= day and (self.closed_on is None or day < self.closed_on)

    def parent_on(self, day: date) -> str | None:
        current: str | None = None
        for start, parent in self.parents:
            if start > day:
                break
            current = parent
        return current

    def check_open_on(self, day: date) -> None:
        if not self.is_open_on(day):
            raise OrgUnitClosed(f"{self.describe_period()}; it cannot be used on {day.isoformat()}.")

    def describe_period(self) -> str:
        closing = f" and closed on {self.closed_on.isoformat()}" if self.closed_on else ""
        return f"Org unit {self.code} opened on {self.opened_on.isoformat()}{closing}"

    def check_can_parent(self, child_code: str, child_level: OrgUnitLevel, day: date) -> None:
        """Raises InvalidParent unless this unit can hold ``child_code`` on ``day``."""
        if self.level.value >= child_level.value:
            raise InvalidParent(
                f"{self.code} is a {self.level.name}; it cannot be the parent of {child_code}, "
                f"a {child_level.name}. A parent must sit higher in the tree."
            )
        if not self.is_open_on(day):
            raise InvalidParent(f"{self.describe_period()}; it cannot be a parent on {day.isoformat()}.")

    def check_is_facility(self) -> None:
        """Raises NotAFacility unless this unit is a facility (only facilities budget posts)."""
        if self.level is not OrgUnitLevel.FACILITY:
            raise NotAFacility(f"{self.code} is a {self.level.name}; posts are budgeted at facilities only.")

    def check_posts_change(self, cadre_code: str, posts: int, effective_on: date) -> None:
        """Raises InvalidInput when ``posts`` for ``cadre_code`` are already in force from ``effective_on``."""
        same_day = [n for day, n in self.establishment.get(cadre_code, []) if day == effective_on]
        if same_day and same_day[-1] == posts:
            raise InvalidInput(
                f"{self.code} already has {posts} posts for {cadre_code} from {effective_on.isoformat()}; "
                "nothing would change."
            )

    # Commands.

    def move(self, new_parent: "OrgUnit", effective_on: date, meta: Provenance) -> None:
        self.check_open_on(effective_on)
        new_parent.check_can_parent(self.code, self.level, effective_on)
        if self.parent_on(effective_on) == new_parent.code:
            raise InvalidParent(f"{self.code} is already under {new_parent.code} on {effective_on.isoformat()}.")
        if effective_on == self.opened_on:
            raise DateOutOfOrder(
                f"{self.code} opened on {effective_on.isoformat()}; a move must take effect after the opening."
            )
        self._moved(new_parent_code=new_parent.code, effective_on=effective_on, meta=meta)

    def rename(self, name: str, effective_on: date, meta: Provenance) -> None:
        self.check_open_on(effective_on)
        if name == self.name:
            raise InvalidInput(f"{self.code} is already named {name!r}.")
        self._renamed(name=name, effective_on=effective_on, meta=meta)

    def close(self, effective_on: date, meta: Provenance) -> None:
        self.check_can_close(effective_on)
        self._closed(effective_on=effective_on, meta=meta)

    def check_can_close(self, effective_on: date) -> None:
        """Raises unless the unit may close on ``effective_on``; records nothing."""
        if self.closed_on is not None:
            raise OrgUnitClosed(f"{self.describe_period()}; it cannot be closed again.")
        if effective_on <= self.opened_on:
            raise DateOutOfOrder(
                f"{self.code} opened on {self.opened_on.isoformat()}; it can only close after that, "
                f"not on {effective_on.isoformat()}."
            )
        if self.parents[-1][0] >= effective_on:
            raise DateOutOfOrder(
                f"{self.code} moves on {self.parents[-1][0].isoformat()}; it cannot close before that move."
            )

    def estimate_population(self, year: int, population: int, source: str | None, meta: Provenance) -> None:
        if year < self.opened_on.year or (self.closed_on is not None and year > self.closed_on.year):
            raise InvalidInput(f"{self.describe_period()}; a population for {year} does not fit that period.")
        self._population_estimated(year=year, population=population, source=source, meta=meta)

    def set_establishment(self, cadre_code: str, posts: int, effective_on: date, meta: Provenance) -> None:
        self.check_is_facility()
        self.check_open_on(effective_on)
        check_posts(posts)
        self.check_posts_change(cadre_code, posts, effective_on)
        self._establishment_set(cadre_code=cadre_code, posts=posts, effective_on=effective_on, meta=meta)

    # Events.

    @event("Moved", topic="hrh:OrgUnit.Moved.v1")
    def _moved(self, new_parent_code: str, effective_on: date, meta: Provenance) -> None:
        insort(self.parents, (effective_on, new_parent_code), key=lambda p: p[0])

    @event("Renamed", topic="hrh:OrgUnit.Renamed.v1")
    def _renamed(self, name: str, effective_on: date, meta: Provenance) -> None:
        self.name = name

    @event("Closed", topic="hrh:OrgUnit.Closed.v1")
    def _closed(self, effective_on: date, meta: Provenance) -> None:
        self.closed_on = effective_on

    @event("PopulationEstimated", topic="hrh:OrgUnit.PopulationEstimated.v1")
    def _population_estimated(self, year: int, population: int, source: str | None, meta: Provenance) -> None:
        self.populations[year] = population

    @event("EstablishmentSet", topic="hrh:OrgUnit.EstablishmentSet.v1")
    def _establishment_set(self, cadre_code: str, posts: int, effective_on: date, meta: Provenance) -> None:
        self.establishment.setdefault(cadre_code, []).append((effective_on, posts))
