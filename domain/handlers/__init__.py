"""How each command changes the aggregates in a staging (``handle``), and the check of its dates.

``handle`` is dispatched on the command's class; the handlers of each aggregate's commands are in
``org_units`` and ``workers``, which register them when imported here.
"""

from domain.handlers import org_units, workers
from domain.handlers.dispatch import check_dates, handle

__all__ = ["check_dates", "handle", "org_units", "workers"]
