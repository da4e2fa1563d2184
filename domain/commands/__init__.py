"""Commands: what a clerk asks the ledger to record, one module per aggregate.

``from domain import commands as c; c.HireWorker`` reaches every command from here: each module
names its public commands in its ``__all__``, re-exported here, so a new command needs no edit here.
"""

from domain.commands import cadre, command, org_unit, worker
from domain.commands.cadre import *  # noqa: F403
from domain.commands.command import *  # noqa: F403
from domain.commands.org_unit import *  # noqa: F403
from domain.commands.worker import *  # noqa: F403

__all__: list[str] = []
__all__ += command.__all__
__all__ += cadre.__all__
__all__ += org_unit.__all__
__all__ += worker.__all__
