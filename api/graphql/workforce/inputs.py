"""The inputs of the workforce's mutations, as the contract names them."""

from datetime import date

import strawberry

from api.graphql.enums import DepartureReason, FundingSource, LeaveKind, Sector, Sex


@strawberry.input
class HireWorkerInput:
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
    command_id: str | None = None
    country_of_birth: str | None = None
    qualification_country: str | None = None


@strawberry.input
class CorrectWorkerDetailsInput:
    """Only the fields given change; at least one must differ from what the ledger holds."""

    worker_id: strawberry.ID
    family_name: str | None = None
    given_names: str | None = None
    sex: Sex | None = None
    birth_date: date | None = None
    civil_service_number: str | None = None
    country_of_birth: str | None = None
    qualification_country: str | None = None
    authority: str | None = None
    note: str | None = None
    command_id: str | None = None


@strawberry.input
class PostWorkerInput:
    worker_id: strawberry.ID
    facility_code: str
    job_title: str | None = None
    effective_on: date
    authority: str | None = None
    note: str | None = None
    command_id: str | None = None


@strawberry.input
class TransferWorkerInput:
    worker_id: strawberry.ID
    to_facility_code: str
    effective_on: date
    reason: str | None = None
    authority: str | None = None
    note: str | None = None
    command_id: str | None = None
    expected_from_facility_code: str | None = strawberry.field(
        default=None,
        description="Refused with CONFLICT when the worker's facility on the effective date is another one.",
    )


@strawberry.input
class RecordTrainingInput:
    worker_id: strawberry.ID
    course: str
    kind: str | None = None
    provider: str | None = None
    started_on: date
    ended_on: date | None = None
    outcome: str | None = None
    command_id: str | None = None


@strawberry.input
class RequalifyWorkerInput:
    worker_id: strawberry.ID
    cadre_code: str
    effective_on: date
    authority: str | None = None
    command_id: str | None = None


@strawberry.input
class StartLeaveInput:
    worker_id: strawberry.ID
    kind: LeaveKind
    effective_on: date
    authority: str | None = None
    command_id: str | None = None


@strawberry.input
class EndLeaveInput:
    worker_id: strawberry.ID
    effective_on: date
    command_id: str | None = None


@strawberry.input
class RecordDepartureInput:
    worker_id: strawberry.ID
    reason: DepartureReason
    effective_on: date
    authority: str | None = None
    note: str | None = None
    command_id: str | None = None


@strawberry.input
class RehireWorkerInput:
    worker_id: strawberry.ID
    effective_on: date
    authority: str | None = None
    command_id: str | None = None


@strawberry.input
class RetractEventInput:
    worker_id: strawberry.ID
    position: int
    reason: str
    command_id: str | None = None
