"""A spreadsheet row as the command its sheet's mutation would send: its values checked against the mutation's
GraphQL input type as GraphQL coerces a variable, then the command built by the same function as the
mutation's resolver (``api.graphql.workforce.mutations``, ``api.graphql.establishment``).

A row names its worker by ``workerId`` or by ``civilServiceNumber``; a number is looked up in the ledger's
registry when the row is checked (``Staging.civil_service_number``), so that a worker hired by an earlier row
of the same file is found. On ``correctWorkerDetails`` a number beside a ``workerId`` is a correction.
"""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any
from uuid import UUID

import graphql
from graphql.utilities import validate_input_value
from strawberry.types.enum import StrawberryEnumDefinition
from strawberry.types.scalar import ScalarDefinition

from api.graphql.errors import ClientError
from api.graphql.establishment import SetEstablishmentInput, set_establishment_command
from api.graphql.schema import schema
from api.graphql.workforce import inputs as i
from api.graphql.workforce.mutations import hire_worker_command, worker_command
from api.imports.rows import Row, RowError
from api.refused_fields import refused_field
from domain import commands as c
from domain.errors import N_, InvalidInput, NotFound, Refusal
from domain.identity import civil_service_number_id, typed_civil_service_number_id
from domain.staging import Staging
from replay.bulk.rows import Completion

Builder = Callable[[Any], c.Command]


def worker_builder(kind: Callable[..., c.Command]) -> Builder:
    return lambda input_: worker_command(input_, kind)


SHEET_INPUTS: dict[str, tuple[type, Builder]] = {
    "hireWorker": (i.HireWorkerInput, hire_worker_command),
    "postWorker": (i.PostWorkerInput, worker_builder(c.PostWorker)),
    "transferWorker": (i.TransferWorkerInput, worker_builder(c.TransferWorker)),
    "recordTraining": (i.RecordTrainingInput, worker_builder(c.RecordTraining)),
    "startLeave": (i.StartLeaveInput, worker_builder(c.StartLeave)),
    "endLeave": (i.EndLeaveInput, worker_builder(c.EndLeave)),
    "requalifyWorker": (i.RequalifyWorkerInput, worker_builder(c.RequalifyWorker)),
    "recordDeparture": (i.RecordDepartureInput, worker_builder(c.RecordDeparture)),
    "rehireWorker": (i.RehireWorkerInput, worker_builder(c.RehireWorker)),
    "correctWorkerDetails": (i.CorrectWorkerDetailsInput, worker_builder(c.CorrectWorkerDetails)),
    "setEstablishment": (SetEstablishmentInput, set_establishment_command),
}
"""Each sheet's mutation input class and the function its resolver builds the command with."""

NOBODY = str(UUID(int=0))
"""The ``workerId`` a row naming its worker by number is checked with, until the number is looked up."""

UNNAMED_WORKER = N_("Name the worker: give workerId or civilServiceNumber.")
REQUIRED = N_("{column} is required on the sheet {sheet}.")
UNKNOWN_COLUMN = N_("{column} is not a column of the sheet {sheet}; see the template.")
INVALID_VALUE = N_("{value} is not a valid {type} for {column}.")
UNKNOWN_SHEET = N_("{sheet} is not a sheet of the template.")


@dataclass(frozen=True)
class RowCommand:
    """A row's command, and how to fill in its worker from the ledger (a worker named by number)."""

    command: c.Command
    complete: Completion | None = None
    expects: tuple[UUID, ...] = ()  # the registrations of the number it gives (``Submission.expects``)


@cache
def input_types() -> dict[str, graphql.GraphQLInputObjectType]:
    """The mutations' input types, from the schema of ``/graphql`` as its SDL (graphql-core's public API), with
    its scalars parsed and its enums valued as strawberry does: a date as a ``date``, an enum as the domain's."""
    built = graphql.build_schema(schema.as_str())
    for name, type_ in built.type_map.items():
        definition = schema.get_type_by_name(name)
        if isinstance(type_, graphql.GraphQLScalarType) and isinstance(definition, ScalarDefinition):
            if definition.parse_value is not None:
                type_.coerce_input_value = definition.parse_value
        elif isinstance(type_, graphql.GraphQLEnumType) and isinstance(definition, StrawberryEnumDefinition):
            for value in definition.values:
                type_.values[value.name].value = definition.wrapped_cls(value.value)
    found = {}
    for sheet, (input_class, _) in SHEET_INPUTS.items():
        type_ = built.type_map[input_class.__name__]
        if not isinstance(type_, graphql.GraphQLInputObjectType):
            raise TypeError(f"{input_class.__name__} is not an input type of the schema")
        found[sheet] = type_
    return found


@cache
def python_name(field: str) -> str:
    """The input class's attribute for a GraphQL input field (strawberry names them in camelCase)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", field).lower()


def row_command(row: Row, recorded_by: str) -> RowCommand | list[RowError]:
    """The command ``row`` stands for, or its errors (each naming its column)."""
    if row.sheet not in SHEET_INPUTS:
        return [error(row, None, UNKNOWN_SHEET, "BAD_USER_INPUT", {"sheet": row.sheet})]
    type_ = input_types()[row.sheet]
    values = dict(row.values)
    values.setdefault("commandId", default_command_id(row, recorded_by))
    number = worker_number(row.sheet, values, type_)
    if "workerId" in type_.fields and "workerId" not in values:
        if number is None:
            return [error(row, "workerId", UNNAMED_WORKER, "BAD_USER_INPUT")]
        values["workerId"] = NOBODY
    errors = value_errors(row, values, type_)
    if errors:
        return errors
    input_class, build = SHEET_INPUTS[row.sheet]
    coerced = graphql.coerce_input_value(values, type_)
    try:
        command = build(input_class(**{python_name(k): v for k, v in coerced.items()}))
    except Refusal as refused:  # a workerId that is not one, a field the command refuses (a name too long)
        at = "workerId" if isinstance(refused, ClientError) else refused_column(row, refused)
        return [error(row, at, refused.template, refused.code, refused.params)]
    if number is None:
        hired = coerced.get("civilServiceNumber") if row.sheet == "hireWorker" else None
        return RowCommand(command, None, registrations(hired) if hired else ())
    named = None if values["workerId"] == NOBODY else getattr(command, "worker_id", None)
    return RowCommand(command, by_number(number, named), registrations(number))


def registrations(number: str) -> tuple[UUID, ...]:
    """The ids a civil-service number's registration may have (``Staging.civil_service_numbers``)."""
    return (civil_service_number_id(number), typed_civil_service_number_id(number))


def worker_number(sheet: str, values: dict[str, Any], type_: graphql.GraphQLInputObjectType) -> str | None:
    """The civil-service number that names the row's worker, taken out of ``values``; None when the row names
    its worker by id alone (or has no worker: a hire, an establishment)."""
    if sheet == "hireWorker" or "workerId" not in type_.fields or "civilServiceNumber" not in values:
        return None
    if "civilServiceNumber" in type_.fields and "workerId" in values:
        return None  # a correction of the number
    return str(values.pop("civilServiceNumber"))


def by_number(number: str, named: UUID | None) -> Completion:
    """Fills in the worker who holds ``number`` as the row is checked (``named``: the row's ``workerId``, which
    must be the same worker)."""

    def complete(command: c.Command, staging: Staging) -> c.Command:
        keyed = staging.civil_service_number(number)  # then, only when need be, as typed before keys (a query)
        found = [keyed] if keyed is not None and keyed.holder is not None else staging.civil_service_numbers(number)
        holders = [r.holder for r in found if r.holder is not None]
        if not holders:
            raise NotFound(N_("No worker holds the civil-service number {number}."), number=number)
        if named is not None and named != holders[0]:
            raise InvalidInput(
                N_("workerId {worker_id} and civil-service number {number} name two different workers."),
                worker_id=str(named),
                number=number,
            )
        return replace(command, worker_id=holders[0]) if isinstance(command, c.WorkerCommand) else command

    return complete


def value_errors(row: Row, values: dict[str, Any], type_: graphql.GraphQLInputObjectType) -> list[RowError]:
    """Each value that the input type refuses, as GraphQL refuses a variable: a column it lacks, a required field
    left empty, a value its field's type does not take."""
    errors = [
        error(row, name, UNKNOWN_COLUMN, "BAD_USER_INPUT", {"column": name, "sheet": row.sheet})
        for name in values
        if name not in type_.fields
    ]
    for name, field in type_.fields.items():
        if name not in values:
            if graphql.is_required_input_field(field):
                errors.append(error(row, name, REQUIRED, "BAD_USER_INPUT", {"column": name, "sheet": row.sheet}))
            continue
        if not accepts(field.type, values[name]):
            type_name = str(graphql.get_nullable_type(field.type))
            errors.append(
                error(
                    row,
                    name,
                    INVALID_VALUE,
                    "BAD_USER_INPUT",
                    {"value": values[name], "type": type_name, "column": name},
                )
            )
    return errors


def accepts(type_: graphql.GraphQLInputType, value: Any) -> bool:
    """Whether GraphQL takes ``value`` for a variable of ``type_``."""
    refused: list[str] = []
    validate_input_value(value, type_, lambda e, _: refused.append(e.message))
    return not refused


def error(row: Row, at: str | None, template: str, code: str, params: dict[str, Any] | None = None) -> RowError:
    """An error of ``row`` in its column ``at`` (None: the row as a whole)."""
    value = row.values.get(at) if at is not None else None
    return RowError(
        row.sheet,
        row.row,
        at,
        None if value is None else str(value),
        code,
        template.format(**params) if params else template,
        template,
        dict(params or {}),
    )


def default_command_id(row: Row, recorded_by: str) -> str:
    """The ``commandId`` of a row without one: from the file's content and the row (``Row.fingerprint``), so
    that the same file imported again records nothing new."""
    fingerprint = (
        row.fingerprint
        or hashlib.sha256(
            json.dumps([row.sheet, row.row, row.values], sort_keys=True, default=str).encode()
        ).hexdigest()
    )
    return "import-" + fingerprint[:32]


def refused_column(row: Row, refusal: Refusal) -> str | None:
    """The column a refusal of ``row`` concerns, when it is clear (``api.refused_fields``)."""
    type_ = input_types().get(row.sheet)
    dates = [
        name
        for name in row.values
        if type_ is not None
        and name in type_.fields
        and str(graphql.get_nullable_type(type_.fields[name].type)) == "Date"
    ]
    return refused_field({k: str(v) for k, v in row.values.items()}, refusal, dates)
