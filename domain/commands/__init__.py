"""Commands: what a clerk asks the ledger to record, one module per aggregate.

``from domain import commands as c; c.HireWorker`` reaches every command from here.
"""

from domain.commands.cadre import DefineCadre
from domain.commands.command import Command
from domain.commands.org_unit import CloseOrgUnit, MoveOrgUnit, OpenOrgUnit, RecordPopulation, RenameOrgUnit
from domain.commands.worker import (
    CorrectWorkerDetails,
    EndLeave,
    HireWorker,
    PostWorker,
    RecordDeparture,
    RecordTraining,
    RehireWorker,
    RequalifyWorker,
    RetractEvent,
    StartLeave,
    TransferWorker,
    WorkerCommand,
)

__all__ = [
    "CloseOrgUnit",
    "Command",
    "CorrectWorkerDetails",
    "DefineCadre",
    "EndLeave",
    "HireWorker",
    "MoveOrgUnit",
    "OpenOrgUnit",
    "PostWorker",
    "RecordDeparture",
    "RecordPopulation",
    "RecordTraining",
    "RehireWorker",
    "RenameOrgUnit",
    "RequalifyWorker",
    "RetractEvent",
    "StartLeave",
    "TransferWorker",
    "WorkerCommand",
]
