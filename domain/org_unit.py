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
from domain.errors import N_, DateOutOfOrder, InvalidInput, InvalidParent, NotAFacility, OrgUnitClosed, Param
from domain.identity import org_unit_id
from domain.values import OrgUnitLevel, Provenance, Sector

MAX_POSTS = 10_000
"""The most posts one facility may budget for one cadre: more is a typing slip."""


def check_posts(posts: int) -> None:
    """Raises InvalidInput unless ``posts`` is a whole number from 0 to ``MAX_POSTS``."""
    if isinstance(posts, bool) or not isinstance(posts, int):
        raise InvalidInput(
            N_("posts {posts} is not a whole number; give a count of budgeted posts."), posts=repr(posts)
        )
    if posts < 0:
        raise InvalidInput(N_("posts {posts} is negative; give a count of budgeted posts, 0 or more."), posts=posts)
    if posts > MAX_POSTS:
        raise InvalidInput(
            N_("posts {posts} is implausibly large for one facility and cadre (at most {most})."),
            posts=posts,
            most=MAX_POSTS,
        )


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
            raise OrgUnitClosed(
                N_("Org unit {code} opened on {opened_on}; it cannot be used on {day}.")
                if self.closed_on is None
                else N_("Org unit {code} opened on {opened_on} and closed on {closed_on}; it cannot be used on {day}."),
                **self.period(),
                day=day,
            )

    def period(self) -> dict[str, Param]:
        """The parameters of a refusal that states when the unit opened (and closed, if it did)."""
        closing: dict[str, Param] = {} if self.closed_on is None else {"closed_on": self.closed_on}
        return {"code": self.code, "opened_on": self.opened_on, **closing}

    def check_can_parent(self, child_code: str, child_level: OrgUnitLevel, day: date) -> None:
        """Raises InvalidParent unless this unit can hold ``child_code`` on ``day``."""
        if self.level.value >= child_level.value:
            raise InvalidParent(
                N_(
                    "{code} is a {level}; it cannot be the parent of {child_code}, a {child_level}. "
                    "A parent must sit higher in the tree."
                ),
                code=self.code,
                level=self.level.name,
                child_code=child_code,
                child_level=child_level.name,
            )
        if not self.is_open_on(day):
            raise InvalidParent(
                N_("Org unit {code} opened on {opened_on}; it cannot be a parent on {day}.")
                if self.closed_on is None
                else N_(
                    "Org unit {code} opened on {opened_on} and closed on {closed_on}; it cannot be a parent on {day}."
                ),
                **self.period(),
                day=day,
            )

    def check_is_facility(self) -> None:
        """Raises NotAFacility unless this unit is a facility (only facilities budget posts)."""
        if self.level is not OrgUnitLevel.FACILITY:
            raise NotAFacility(
                N_("{code} is a {level}; posts are budgeted at facilities only."), code=self.code, level=self.level.name
            )

    def check_posts_change(self, cadre_code: str, posts: int, effective_on: date) -> None:
        """Raises InvalidInput when ``posts`` for ``cadre_code`` are already in force from ``effective_on``."""
        same_day = [n for day, n in self.establishment.get(cadre_code, []) if day == effective_on]
        if same_day and same_day[-1] == posts:
            raise InvalidInput(
                N_("{code} already has {posts} posts for {cadre_code} from {effective_on}; nothing would change."),
                code=self.code,
                posts=posts,
                cadre_code=cadre_code,
                effective_on=effective_on,
            )

    # Commands.

    def move(self, new_parent: "OrgUnit", effective_on: date, meta: Provenance) -> None:
        self.check_open_on(effective_on)
        new_parent.check_can_parent(self.code, self.level, effective_on)
        if self.parent_on(effective_on) == new_parent.code:
            raise InvalidParent(
                N_("{code} is already under {parent_code} on {effective_on}."),
                code=self.code,
                parent_code=new_parent.code,
                effective_on=effective_on,
            )
        if effective_on == self.opened_on:
            raise DateOutOfOrder(
                N_("{code} opened on {opened_on}; a move must take effect after the opening."),
                code=self.code,
                opened_on=effective_on,
            )
        self._moved(new_parent_code=new_parent.code, effective_on=effective_on, meta=meta)

    def rename(self, name: str, effective_on: date, meta: Provenance) -> None:
        self.check_open_on(effective_on)
        if name == self.name:
            raise InvalidInput(N_("{code} is already named {name!r}."), code=self.code, name=name)
        self._renamed(name=name, effective_on=effective_on, meta=meta)

    def close(self, effective_on: date, meta: Provenance) -> None:
        self.check_can_close(effective_on)
        self._closed(effective_on=effective_on, meta=meta)

    def check_can_close(self, effective_on: date) -> None:
        """Raises unless the unit may close on ``effective_on``; records nothing."""
        if self.closed_on is not None:
            raise OrgUnitClosed(
                N_("Org unit {code} opened on {opened_on} and closed on {closed_on}; it cannot be closed again."),
                **self.period(),
            )
        if effective_on <= self.opened_on:
            raise DateOutOfOrder(
                N_("{code} opened on {opened_on}; it can only close after that, not on {effective_on}."),
                code=self.code,
                opened_on=self.opened_on,
                effective_on=effective_on,
            )
        if self.parents[-1][0] >= effective_on:
            raise DateOutOfOrder(
                N_("{code} moves on {moves_on}; it cannot close before that move."),
                code=self.code,
                moves_on=self.parents[-1][0],
            )

    def estimate_population(self, year: int, population: int, source: str | None, meta: Provenance) -> None:
        if year < self.opened_on.year or (self.closed_on is not None and year > self.closed_on.year):
            raise InvalidInput(
                N_("Org unit {code} opened on {opened_on}; a population for {year} does not fit that period.")
                if self.closed_on is None
                else N_(
                    "Org unit {code} opened on {opened_on} and closed on {closed_on}; "
                    "a population for {year} does not fit that period."
                ),
                **self.period(),
                year=year,
            )
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
