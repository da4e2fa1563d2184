"""The sheets' columns are their mutations' GraphQL input fields, with the worker named by id or by
civil-service number."""

from api.imports.catalogue import catalogue
from api.imports.rows import SHEETS


def test_each_sheet_is_a_mutation_with_its_input_fields_in_order() -> None:
    sheets = catalogue()
    assert tuple(sheets) == SHEETS
    post = sheets["postWorker"]
    assert post.input_type == "PostWorkerInput"
    assert post.names == (
        "workerId",
        "civilServiceNumber",
        "facilityCode",
        "jobTitle",
        "effectiveOn",
        "authority",
        "note",
        "commandId",
    )
    assert [c.name for c in post.columns if c.required] == ["facilityCode", "effectiveOn"]
    assert [(c.name, c.type) for c in sheets["setEstablishment"].columns][:4] == [
        ("facilityCode", "String"),
        ("cadreCode", "String"),
        ("posts", "Int"),
        ("effectiveOn", "Date"),
    ]


def test_a_worker_is_named_by_id_or_civil_service_number_outside_hires() -> None:
    sheets = catalogue()
    for name in SHEETS:
        named = [c.name for c in sheets[name].columns if c.names_worker]
        if name in ("hireWorker", "setEstablishment"):
            assert named == []
        else:
            assert named == ["workerId", "civilServiceNumber"], name
    added = sheets["endLeave"].column("civilServiceNumber")
    assert added is not None and not added.in_input and added.type == "String"
    corrected = sheets["correctWorkerDetails"].column("civilServiceNumber")
    assert corrected is not None and corrected.in_input  # also the corrected number itself
    worker_id = sheets["endLeave"].column("workerId")
    assert worker_id is not None and worker_id.in_input and worker_id.type == "ID" and not worker_id.required


def test_enum_columns_carry_their_values() -> None:
    leave = catalogue()["startLeave"].column("kind")
    assert leave is not None and leave.type == "LeaveKind" and leave.required
    assert set(leave.options) == {"STUDY", "MATERNITY", "SECONDMENT", "SICK", "OTHER"}
    training = catalogue()["recordTraining"].column("kind")
    assert training is not None and training.options == () and training.type == "String"
