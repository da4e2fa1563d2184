"""Commands about the org tree: open, move, rename and close a unit, record its population, set a
facility's establishment."""

from dataclasses import dataclass
from datetime import date

from domain.commands.command import MIN_YEAR, Command, check_code, check_text
from domain.errors import N_, InvalidInput
from domain.names import check_name
from domain.org_unit import check_posts
from domain.values import OrgUnitLevel, Sector

# What ``domain.commands`` re-exports.
__all__ = [
    "CloseOrgUnit",
    "MoveOrgUnit",
    "OpenOrgUnit",
    "RecordPopulation",
    "RenameOrgUnit",
    "SetEstablishment",
]


@dataclass(frozen=True, kw_only=True)
class OpenOrgUnit(Command):
    code: str
    name: str
    level: OrgUnitLevel
    parent_code: str | None = None
    sector: Sector | None = None
    facility_kind: str | None = None
    hard_to_reach: bool = False
    opened_on: date
    authority: str | None = None

    def check(self) -> None:
        check_code("code", self.code)
        check_text("name", self.name, required=True)
        check_name("name", self.name)


@dataclass(frozen=True, kw_only=True)
class MoveOrgUnit(Command):
    code: str
    new_parent_code: str
    effective_on: date
    authority: str | None = None


@dataclass(frozen=True, kw_only=True)
class RenameOrgUnit(Command):
    code: str
    name: str
    effective_on: date
    authority: str | None = None

    def check(self) -> None:
        check_text("name", self.name, required=True)
        check_name("name", self.name)


@dataclass(frozen=True, kw_only=True)
class CloseOrgUnit(Command):
    code: str
    effective_on: date
    authority: str | None = None


@dataclass(frozen=True, kw_only=True)
class RecordPopulation(Command):
    org_unit_code: str
    year: int
    population: int
    source: str | None = None

    def check(self) -> None:
        if self.population < 0:
            raise InvalidInput(
                N_("population {population} is negative; give a count of people."), population=self.population
            )
        if self.population > 2_000_000_000:
            raise InvalidInput(N_("population {population} is implausibly large."), population=self.population)
        if not MIN_YEAR <= self.year <= 2200:
            raise InvalidInput(
                N_("year {year} is out of range ({earliest} to {latest})."),
                year=self.year,
                earliest=MIN_YEAR,
                latest=2200,
            )


@dataclass(frozen=True, kw_only=True)
class SetEstablishment(Command):
    """A facility's budgeted posts for one cadre from ``effective_on``, on the authority of a decree."""

    facility_code: str
    cadre_code: str
    posts: int
    effective_on: date
    authority: str | None = None
    note: str | None = None

    def check(self) -> None:
        check_posts(self.posts)
