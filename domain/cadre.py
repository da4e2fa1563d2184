"""The Cadre aggregate: a qualification, mapped to ISCO-08."""

from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import clock
from domain.identity import cadre_id
from domain.values import CadreGroup, Provenance


class Cadre(Aggregate):
    """A cadre such as 'Infirmier d'État'. ``qualified`` puts it in the density numerator."""

    TOPIC = "hrh:Cadre"

    class Event(Aggregate.Event):
        TOPIC = "hrh:Cadre.Event"
        create_timestamp = staticmethod(clock.now)

    @staticmethod
    def create_id(code: str, **_: Any) -> UUID:
        return cadre_id(code)

    # The event classes that ``@event`` makes from the methods below, declared for type checkers.
    Defined: ClassVar[type[Event]]

    @event("Defined", topic="hrh:Cadre.Defined.v1")
    def __init__(
        self,
        code: str,
        name: str,
        isco08: str | None,
        group: CadreGroup,
        qualified: bool,
        meta: Provenance,
    ) -> None:
        self.code = code
        self.name = name
        self.isco08 = isco08
        self.group = group
        self.qualified = qualified
