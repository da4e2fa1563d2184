"""The mutations' inputs, as the contract names them (and the user payload; the others are in payloads.py)."""

from datetime import date

import strawberry

from api.graphql.types import (
    CadreGroup,
    DepartureReason,
    FundingSource,
    LeaveKind,
    OrgUnitLevel,
    Sector,
    Sex,
)
from api.graphql.types import Role as RoleEnum


@strawberry.input
class OpenOrgUnitInput:
    code: str
    name: str
    level: OrgUnitLevel  # type: ignore[valid-type]
    parent_code: str | None = None
    sector: Sector | None = None  # type: ignore[valid-type]
    facility_kind: str | None = None
    hard_to_reach: bool | None = False
    opened_on: date
    command_id: str | None = None


@strawberry.input
class MoveOrgUnitInput:
    code: str
    new_parent_code: str
    effective_on: date
    authority: str | None = None
    command_id: str | None = None


@strawberry.input
class CloseOrgUnitInput:
    code: str
    effective_on: date
    authority: str | None = None
    command_id: str | None = None


@strawberry.input
class RecordPopulationInput:
    org_unit_code: str
    year: int
    population: int
    source: str | None = None
    command_id: str | None = None


@strawberry.input
class DefineCadreInput:
    code: str
    name: str
    isco08: str | None = None
    group: CadreGroup  # type: ignore[valid-type]
    qualified: bool
    command_id: str | None = None


@strawberry.input
class HireWorkerInput:
    civil_service_number: str | None = None
    family_name: str
    given_names: str
    sex: Sex  # type: ignore[valid-type]
    birth_date: date | None = None
    cadre_code: str
    sector: Sector  # type: ignore[valid-type]
    funding_source: FundingSource  # type: ignore[valid-type]
    effective_on: date
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
    kind: LeaveKind  # type: ignore[valid-type]
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
    reason: DepartureReason  # type: ignore[valid-type]
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


@strawberry.input
class CreateUserInput:
    name: str
    role: RoleEnum  # type: ignore[valid-type]
    scope_code: str | None = None


@strawberry.type
class UserPayload:
    name: str
    role: RoleEnum  # type: ignore[valid-type]
    scope_code: str | None
    token: str
