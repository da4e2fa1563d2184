"""The ``submitBatch`` mutation: an ADMIN's or an HR manager's; each command is then checked as its own mutation."""

import strawberry

from api.access import WRITERS
from api.graphql.batch.inputs import SubmitBatchInput
from api.graphql.batch.running import run_batch
from api.graphql.batch.types import BatchPayload
from api.graphql.context import Info
from api.graphql.permissions import mutation


@strawberry.type
class BatchMutations:
    @mutation(*WRITERS)
    async def submit_batch(self, info: Info, input: SubmitBatchInput) -> BatchPayload:
        """Runs the commands in order, each as its own mutation would; a refused one does not stop the rest."""
        return await run_batch(info, input.commands)
