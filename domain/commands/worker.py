"""Commands about a health worker's career: hire, post, transfer, train, requalify, leave, depart,
rehire, correct and retract."""

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from domain.commands.command import Command, check_code, check_country, check_text
from domain.errors import N_, DateOutOfOrder, InvalidInput
from domain.names import check_name
from domain.values import DepartureReason, FundingSource, LeaveKind, Sector, Sex

# What ``domain.commands`` re-exports.
__all__ = [
    "CorrectWorkerDetails",
    "EndLeave",
    "HireWorker",
    "PostWorker",
    "RecordDeparture",
    "RecordTraining",
    "RehireWorker",
    "RequalifyWorker",
    "RetractEvent",
    "StartLeave",
    "TransferWorker",
    "WorkerCommand",
]


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
    country_of_birth: str | None = None
    qualification_country: str | None = None
    """Where the worker was born and first qualified (ISO 3166-1 alpha-2), None when unknown."""
    later_fields: ClassVar[frozenset[str]] = frozenset({"country_of_birth", "qualification_country"})

    def normalise(self) -> None:
        trim_civil_service_number(self)

    def check(self) -> None:
        check_text("familyName", self.family_name, required=True)
        check_text("givenNames", self.given_names, required=True)
        check_name("familyName", self.family_name)
        check_name("givenNames", self.given_names)
        if self.civil_service_number is not None:
            check_code("civilServiceNumber", self.civil_service_number)
        check_country("countryOfBirth", self.country_of_birth)
        check_country("qualificationCountry", self.qualification_country)
        if self.birth_date is not None and self.birth_date >= self.effective_on:
            raise DateOutOfOrder(
                N_("birthDate {birth_date} is not before the hire on {hired_on}; check both dates."),
                birth_date=self.birth_date,
                hired_on=self.effective_on,
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
                N_("endedOn {ended_on} is before startedOn {started_on}."),
                ended_on=self.ended_on,
                started_on=self.started_on,
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


CORRECTABLE = (
    "civil_service_number",
    "family_name",
    "given_names",
    "sex",
    "birth_date",
    "funding_source",
    "sector",
    "country_of_birth",
    "qualification_country",
)
"""The identity fields a correction may change, under their ``Worker.Hired`` names."""


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
    country_of_birth: str | None = None
    qualification_country: str | None = None
    authority: str | None = None
    note: str | None = None
    later_fields: ClassVar[frozenset[str]] = frozenset({"country_of_birth", "qualification_country"})

    def normalise(self) -> None:
        trim_civil_service_number(self)

    def check(self) -> None:
        if self.civil_service_number is not None:
            check_code("civilServiceNumber", self.civil_service_number)
        check_country("countryOfBirth", self.country_of_birth)
        check_country("qualificationCountry", self.qualification_country)
        for field, value in (("familyName", self.family_name), ("givenNames", self.given_names)):
            if value is not None:
                check_text(field, value, required=True)
                check_name(field, value)
        if not self.corrections():
            raise InvalidInput(N_("Name at least one field to correct."))

    def corrections(self) -> dict[str, Any]:
        return {n: getattr(self, n) for n in CORRECTABLE if getattr(self, n) is not None}


@dataclass(frozen=True, kw_only=True)
class RetractEvent(WorkerCommand):
    """Retracts the worker event at ledger ``position``."""

    position: int
    reason: str

    def check(self) -> None:
        check_text("reason", self.reason, required=True)
        if self.position < 1:
            raise InvalidInput(
                N_("position {position} is not a ledger position (they start at 1)."), position=self.position
            )


def trim_civil_service_number(command: HireWorker | CorrectWorkerDetails) -> None:
    """Drops the spaces around a civil-service number: ``" MLI-1 "`` is stored as ``"MLI-1"``."""
    number = command.civil_service_number
    if number is not None and number != number.strip():
        object.__setattr__(command, "civil_service_number", number.strip())  # a frozen dataclass, still being built
