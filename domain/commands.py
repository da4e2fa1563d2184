"""Commands: what a clerk asks the ledger to record.

A command checks its own fields when it is built (lengths, ranges, date order) and raises
:class:`~domain.errors.InvalidInput` or :class:`~domain.errors.DateOutOfOrder`; the rules that
need the ledger's state are checked by the aggregates. Every command may carry a ``command_id``:
the same id sent twice records once.
"""

import re
from dataclasses import dataclass, fields
from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from domain.errors import DateOutOfOrder, InvalidInput
from domain.names import check_name, check_visible
from domain.values import (
    CadreGroup,
    DepartureReason,
    FundingSource,
    LeaveKind,
    OrgUnitLevel,
    Provenance,
    Sector,
    Sex,
)

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
ISCO08_PATTERN = re.compile(r"^[0-9]{4}$")
MAX_TEXT = 200
MAX_NOTE = 2000
MIN_YEAR = 1900


def check_code(field: str, value: str) -> None:
    if not CODE_PATTERN.match(value):
        raise InvalidInput(
            f"{field} {value[:80]!r} is not a valid code: use 1 to 64 letters, digits, '-', '_' or '.', "
            "starting with a letter or digit."
        )


def check_text(field: str, value: str | None, *, required: bool = False, limit: int = MAX_TEXT) -> None:
    if value is None:
        if required:
            raise InvalidInput(f"{field} is required.")
        return
    if required:
        check_visible(field, value)
    if len(value) > limit:
        raise InvalidInput(f"{field} is {len(value)} characters long; at most {limit} are allowed.")
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise InvalidInput(f"{field} contains a control character; remove it and send again.")


def camel(name: str) -> str:
    """A field's name as clients send it: ``family_name`` → ``familyName``."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def check_year(field: str, value: date) -> None:
    if value.year < MIN_YEAR:
        raise InvalidInput(f"{field} {value.isoformat()} is before {MIN_YEAR}; check the year.")


_date_fields: dict[type, tuple[str, ...]] = {}


def date_fields(command_type: type) -> tuple[str, ...]:
    """The names of a command's effective dates: its date fields, less the birth date."""
    if command_type not in _date_fields:
        _date_fields[command_type] = tuple(
            f.name for f in fields(command_type) if "date" in str(f.type) and f.name != "birth_date"
        )
    return _date_fields[command_type]


@dataclass(frozen=True, kw_only=True)
class Command:
    """Fields every command shares."""

    command_id: str | None = None
    later_fields: ClassVar[frozenset[str]] = frozenset()
    """Optional fields added after the command was first recorded (see ``ledger.fingerprint``)."""

    def __post_init__(self) -> None:
        self.normalise()
        check_text("commandId", self.command_id, limit=MAX_TEXT)
        if self.command_id is not None and not self.command_id.strip():
            raise InvalidInput("commandId must not be empty when given.")
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, date):
                check_year(camel(f.name), value)
            elif isinstance(value, str) and f.name not in ("command_id",):
                check_text(camel(f.name), value, limit=MAX_NOTE if f.name == "note" else MAX_TEXT)
        self.check()

    def normalise(self) -> None:
        """Puts fields in the form they are checked and stored in; subclasses add theirs."""

    def check(self) -> None:
        """Checks the command's own fields; subclasses add their rules."""

    def provenance(self, recorded_by: str) -> Provenance:
        """Who records this command, on what authority, and under which command id."""
        return Provenance(
            recorded_by=recorded_by,
            authority=getattr(self, "authority", None),
            note=getattr(self, "note", None),
            command_id=self.command_id,
        )

    def effective_dates(self) -> tuple[date, ...]:
        """The dates that must not lie in the future."""
        return tuple(d for name in date_fields(type(self)) if (d := getattr(self, name)) is not None)


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
            raise InvalidInput(f"population {self.population} is negative; give a count of people.")
        if self.population > 2_000_000_000:
            raise InvalidInput(f"population {self.population} is implausibly large.")
        if not MIN_YEAR <= self.year <= 2200:
            raise InvalidInput(f"year {self.year} is out of range ({MIN_YEAR} to 2200).")


@dataclass(frozen=True, kw_only=True)
class DefineCadre(Command):
    code: str
    name: str
    isco08: str | None = None
    group: CadreGroup
    qualified: bool

    def check(self) -> None:
        check_code("code", self.code)
        check_text("name", self.name, required=True)
        check_name("name", self.name)
        if self.isco08 is not None and not ISCO08_PATTERN.match(self.isco08):
            raise InvalidInput(f"isco08 {self.isco08!r} is not an ISCO-08 unit group: give four digits, e.g. 2221.")


@dataclass(frozen=True, kw_only=True)
class HireWorker(Command):
    civil_service_number: str | None = None
    family_name: str
    given_names: str
    sex: Sex
    birth_date: date | None = None
    cadre_code: str
    sector: Sector
    funding_source: FundingSource
    effective_on: date
    authority: str | None = None
    note: str | None = None
    worker_id: UUID | None = None
    """Lets a bulk import or a log replay fix the new worker's id; otherwise a random one."""

    def normalise(self) -> None:
        trim_civil_service_number(self)

    def check(self) -> None:
        check_text("familyName", self.family_name, required=True)
        check_text("givenNames", self.given_names, required=True)
        check_name("familyName", self.family_name)
        check_name("givenNames", self.given_names)
        if self.civil_service_number is not None:
            check_code("civilServiceNumber", self.civil_service_number)
        if self.birth_date is not None and self.birth_date >= self.effective_on:
            raise DateOutOfOrder(
                f"birthDate {self.birth_date.isoformat()} is not before the hire on "
                f"{self.effective_on.isoformat()}; check both dates."
            )


@dataclass(frozen=True, kw_only=True)
class WorkerCommand(Command):
    worker_id: UUID


@dataclass(frozen=True, kw_only=True)
class PostWorker(WorkerCommand):
    facility_code: str
    job_title: str | None = None
    effective_on: date
    authority: str | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class TransferWorker(WorkerCommand):
    to_facility_code: str
    effective_on: date
    reason: str | None = None
    authority: str | None = None
    note: str | None = None
    expected_from_facility_code: str | None = None
    """The facility the recorder saw the worker at; when given, the transfer is refused with
    CONFLICT if the worker is at another one on ``effective_on``."""
    later_fields: ClassVar[frozenset[str]] = frozenset({"expected_from_facility_code"})

    def check(self) -> None:
        if self.expected_from_facility_code is not None:
            check_code("expectedFromFacilityCode", self.expected_from_facility_code)


@dataclass(frozen=True, kw_only=True)
class RecordTraining(WorkerCommand):
    course: str
    kind: str | None = None
    provider: str | None = None
    started_on: date
    ended_on: date | None = None
    outcome: str | None = None

    def check(self) -> None:
        check_text("course", self.course, required=True)
        if self.ended_on is not None and self.ended_on < self.started_on:
            raise DateOutOfOrder(
                f"endedOn {self.ended_on.isoformat()} is before startedOn {self.started_on.isoformat()}."
            )

    def effective_dates(self) -> tuple[date, ...]:
        return (self.started_on,)


@dataclass(frozen=True, kw_only=True)
class RequalifyWorker(WorkerCommand):
    cadre_code: str
    effective_on: date
    authority: str | None = None


@dataclass(frozen=True, kw_only=True)
class StartLeave(WorkerCommand):
    kind: LeaveKind
    effective_on: date
    authority: str | None = None


@dataclass(frozen=True, kw_only=True)
class EndLeave(WorkerCommand):
    effective_on: date


@dataclass(frozen=True, kw_only=True)
class RecordDeparture(WorkerCommand):
    reason: DepartureReason
    effective_on: date
    authority: str | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class RehireWorker(WorkerCommand):
    effective_on: date
    authority: str | None = None


@dataclass(frozen=True, kw_only=True)
class CorrectWorkerDetails(WorkerCommand):
    """Corrects identity fields; only the fields given (not None) change."""

    civil_service_number: str | None = None
    family_name: str | None = None
    given_names: str | None = None
    sex: Sex | None = None
    birth_date: date | None = None
    funding_source: FundingSource | None = None
    sector: Sector | None = None
    authority: str | None = None
    note: str | None = None

    def normalise(self) -> None:
        trim_civil_service_number(self)

    def check(self) -> None:
        if self.civil_service_number is not None:
            check_code("civilServiceNumber", self.civil_service_number)
        for field, value in (("familyName", self.family_name), ("givenNames", self.given_names)):
            if value is not None:
                check_text(field, value, required=True)
                check_name(field, value)
        if not self.corrections():
            raise InvalidInput("Name at least one field to correct.")

    def corrections(self) -> dict[str, Any]:
        names = ("civil_service_number", "family_name", "given_names", "sex", "birth_date", "funding_source", "sector")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}


@dataclass(frozen=True, kw_only=True)
class RetractEvent(WorkerCommand):
    """Retracts the worker event at ledger ``position``."""

    position: int
    reason: str

    def check(self) -> None:
        check_text("reason", self.reason, required=True)
        if self.position < 1:
            raise InvalidInput(f"position {self.position} is not a ledger position (they start at 1).")


def trim_civil_service_number(command: HireWorker | CorrectWorkerDetails) -> None:
    """Drops the spaces around a civil-service number: ``" MLI-1 "`` is stored as ``"MLI-1"``."""
    number = command.civil_service_number
    if number is not None and number != number.strip():
        object.__setattr__(command, "civil_service_number", number.strip())  # a frozen dataclass, still being built
