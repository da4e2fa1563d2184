"""The one registry of the read side's handlers, keyed by the domain's event classes.

A read model says which events it handles with ``@handles(Worker.Transferred)`` on a method of
its class; an event class that changes no read table is declared so, once, with
``changes_no_read_table(CommandReceipt.Recorded, ...)``. The projector binds the handlers to its
collaborators when it is built, and refuses an event that has neither (``UnhandledEvent``);
``tests/unit/test_event_handlers.py`` checks every event class the domain defines.
"""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from domain.registry import CivilServiceNumber, CommandReceipt, FacilityRoster

EventClass = type[Any]  # a domain event class, such as ``Worker.Transferred``
Handler = Callable[..., None]
H = TypeVar("H", bound=Handler)


class HandlerConflict(LookupError):
    """Raised when an event class is given a second handler, or both a handler and a
    declaration that it changes no read table."""


class UnboundHandler(LookupError):
    """Raised when a handler's class is not among the collaborators the projector binds."""


class UnhandledEvent(LookupError):
    """Raised when the projector meets an event whose class has no handler and is not declared
    as changing no read table."""


def event_key(event_class: EventClass) -> tuple[str, str]:
    """``Worker.Transferred`` → ``("Worker", "Transferred")``: the aggregate and event names the
    ledger's topics and the ``events`` table carry."""
    aggregate, _, name = event_class.__qualname__.partition(".")
    return aggregate, name


class Handlers:
    """Event classes and the handlers of the read tables they change."""

    def __init__(self) -> None:
        self.functions: dict[EventClass, Handler] = {}
        self.unprojected: set[EventClass] = set()

    def handles(self, *event_classes: EventClass) -> Callable[[H], H]:
        """Registers the decorated method as the handler of ``event_classes``."""

        def register(function: H) -> H:
            for event_class in event_classes:
                self._check_free(event_class)
                self.functions[event_class] = function
            return function

        return register

    def changes_no_read_table(self, *event_classes: EventClass) -> None:
        """Declares that ``event_classes`` change no read table: the projector passes them by."""
        for event_class in event_classes:
            self._check_free(event_class)
            self.unprojected.add(event_class)

    def _check_free(self, event_class: EventClass) -> None:
        if event_class in self.functions or event_class in self.unprojected:
            raise HandlerConflict(f"{event_class.__qualname__} is already handled or declared")

    def is_projected(self, event_class: EventClass) -> bool:
        return event_class not in self.unprojected

    def unaccounted(self, event_classes: Iterable[EventClass]) -> list[EventClass]:
        """The classes among ``event_classes`` with neither a handler nor a declaration."""
        return [c for c in event_classes if c not in self.functions and c not in self.unprojected]

    def bind(self, *collaborators: object) -> dict[tuple[str, str], Callable[[Any], None]]:
        """Each handled class's handler, bound to the collaborator whose class defines it, keyed
        by the class's aggregate and event names (``event_key``): what the projector dispatches on.

        Raises:
            UnboundHandler: no collaborator defines a handler.
        """
        bound: dict[tuple[str, str], Callable[[Any], None]] = {}
        for event_class, function in self.functions.items():
            owner = next((c for c in collaborators if getattr(type(c), function.__name__, None) is function), None)
            if owner is None:
                raise UnboundHandler(f"no collaborator defines {function.__qualname__}")
            bound[event_key(event_class)] = function.__get__(owner)
        return bound


REGISTRY = Handlers()
handles = REGISTRY.handles
changes_no_read_table = REGISTRY.changes_no_read_table

# The ledger's own bookkeeping: who holds a civil service number, which commands were recorded,
# which workers a facility holds. The read tables show none of it.
changes_no_read_table(
    CivilServiceNumber.Claimed,
    CivilServiceNumber.Reclaimed,
    CivilServiceNumber.Released,
    CommandReceipt.Recorded,
    FacilityRoster.Started,
    FacilityRoster.StintsChanged,
    FacilityRoster.ClosureChecked,
)


def event_classes_of(aggregate: type[Any]) -> list[EventClass]:
    """The event classes ``aggregate`` defines: those that declare a topic of their own (the
    library's ``Created`` stand-in inherits its base's, and is never recorded)."""
    base = aggregate.Event
    return [
        value
        for value in vars(aggregate).values()
        if isinstance(value, type) and issubclass(value, base) and value is not base and "TOPIC" in vars(value)
    ]
