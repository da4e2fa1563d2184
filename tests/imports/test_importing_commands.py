"""A row as the command its sheet's mutation would send: coerced against the mutation's input type as GraphQL
coerces a variable, and built by the resolver's own function."""

from dataclasses import fields
from datetime import date
from uuid import UUID

import strawberry

from api.imports.commands import SHEET_INPUTS, input_types, python_name, row_command
from api.imports.rows import SHEETS, Row
from domain import commands as c
from domain.values import LeaveKind


def test_every_sheet_has_its_mutations_input_and_every_input_field_its_attribute() -> None:
    assert tuple(SHEET_INPUTS) == SHEETS
    for sheet, (input_class, _) in SHEET_INPUTS.items():
        attributes = {
            f.python_name for f in strawberry.types.base.get_object_definition(input_class, strict=True).fields
        }
        assert {python_name(name) for name in input_types()[sheet].fields} == attributes, sheet


def test_a_rows_values_become_the_domains_types_as_graphql_would_make_them() -> None:
    worker = "6f1c2a1e-8a53-4b8e-9f0e-2d1c3b4a5e6f"
    made = row_command(Row("startLeave", 3, {"workerId": worker, "kind": "STUDY", "effectiveOn": "2021-03-01"}), "cli")

    assert not isinstance(made, list) and made.complete is None
    assert made.command == c.StartLeave(
        worker_id=UUID(worker),
        kind=LeaveKind.STUDY,
        effective_on=date(2021, 3, 1),
        command_id=made.command.command_id,
    )
    assert made.command.command_id is not None and made.command.command_id.startswith("import-")


def test_a_row_with_its_own_command_id_keeps_it_and_the_same_row_always_gets_the_same_one() -> None:
    values = {"workerId": "6f1c2a1e-8a53-4b8e-9f0e-2d1c3b4a5e6f", "effectiveOn": "2021-03-01"}
    given = row_command(Row("endLeave", 3, {**values, "commandId": "mine-1"}), "cli")
    first, second = (row_command(Row("endLeave", 3, values, fingerprint="f" * 64), "cli") for _ in range(2))

    assert not isinstance(given, list) and given.command.command_id == "mine-1"
    assert not isinstance(first, list) and not isinstance(second, list)
    assert first.command.command_id == second.command.command_id == "import-" + "f" * 32


def test_a_worker_named_by_number_is_filled_in_when_the_row_is_checked() -> None:
    made = row_command(Row("endLeave", 3, {"civilServiceNumber": "MLI-1", "effectiveOn": "2021-03-01"}), "cli")

    assert not isinstance(made, list) and made.complete is not None
    assert "civil_service_number" not in {f.name for f in fields(made.command)}


def test_on_correct_worker_details_a_number_beside_the_worker_id_is_a_correction() -> None:
    worker = "6f1c2a1e-8a53-4b8e-9f0e-2d1c3b4a5e6f"
    made = row_command(Row("correctWorkerDetails", 3, {"workerId": worker, "civilServiceNumber": "MLI-9"}), "cli")

    assert not isinstance(made, list) and made.complete is None
    assert isinstance(made.command, c.CorrectWorkerDetails) and made.command.civil_service_number == "MLI-9"
