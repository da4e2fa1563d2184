"""A batch's input: a list of commands, each naming exactly one worker or org mutation and its input.

Each field is named like the mutation it runs and takes that mutation's own input type, so a command in a batch
reads as the mutation sent alone would.
"""

import strawberry

from api.graphql.establishment import SetEstablishmentInput
from api.graphql.org_units.inputs import (
    CloseOrgUnitInput,
    DefineCadreInput,
    MoveOrgUnitInput,
    OpenOrgUnitInput,
    RecordPopulationInput,
)
from api.graphql.workforce.inputs import (
    CorrectWorkerDetailsInput,
    EndLeaveInput,
    HireWorkerInput,
    PostWorkerInput,
    RecordDepartureInput,
    RecordTrainingInput,
    RehireWorkerInput,
    RequalifyWorkerInput,
    RetractEventInput,
    StartLeaveInput,
    TransferWorkerInput,
)

Unset = strawberry.UNSET


@strawberry.input(one_of=True, description="One command: exactly one field, named like the mutation it runs.")
class BatchCommandInput:
    hire_worker: HireWorkerInput | None = Unset
    post_worker: PostWorkerInput | None = Unset
    transfer_worker: TransferWorkerInput | None = Unset
    record_training: RecordTrainingInput | None = Unset
    requalify_worker: RequalifyWorkerInput | None = Unset
    start_leave: StartLeaveInput | None = Unset
    end_leave: EndLeaveInput | None = Unset
    record_departure: RecordDepartureInput | None = Unset
    rehire_worker: RehireWorkerInput | None = Unset
    correct_worker_details: CorrectWorkerDetailsInput | None = Unset
    retract_event: RetractEventInput | None = Unset
    open_org_unit: OpenOrgUnitInput | None = Unset
    move_org_unit: MoveOrgUnitInput | None = Unset
    close_org_unit: CloseOrgUnitInput | None = Unset
    record_population: RecordPopulationInput | None = Unset
    define_cadre: DefineCadreInput | None = Unset
    set_establishment: SetEstablishmentInput | None = Unset


@strawberry.input
class SubmitBatchInput:
    commands: list[BatchCommandInput] = strawberry.field(
        description="Run in this order; each must carry a commandId made by the client."
    )
