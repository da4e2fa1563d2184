"""The one entry point from a command to the aggregates: ``handle``, dispatched on the command's class.

Every handler checks all its rules before it changes anything, so a refused command leaves the
staging as it found it (the bulk path relies on this). Each returns the id of the aggregate the
command is about. The handlers are registered by the modules beside this one, one per aggregate.
"""

from datetime import date
from functools import singledispatch
from uuid import UUID

from domain import commands as c
from domain.errors import N_, DateInFuture
from domain.staging import Staging
from domain.values import Provenance


@singledispatch
def handle(command: c.Command, staging: Staging, meta: Provenance) -> UUID:
    raise TypeError(f"No handler for {type(command).__name__}")


def check_dates(command: c.Command, latest: date) -> None:
    """Raises DateInFuture when a date of ``command`` lies after ``latest``."""
    for day in command.effective_dates():
        if day > latest:
            raise DateInFuture(
                N_(
                    "{day} is in the future (the latest date accepted today is {latest}); check the year and the month."
                ),
                day=day,
                latest=latest,
            )
