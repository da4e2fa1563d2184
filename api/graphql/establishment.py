"""The establishment: budgeted posts against the workers in post (DESIGN, "Definitions: Establishment").

One feature module: its types, its input, the ``establishment`` query (an aggregate, open to every
signed-in role, planners included, like staffing) and the ``setEstablishment`` mutation (an
ADMIN's, like the org tree's other mutations).
"""

from datetime import date, datetime

import strawberry

from api.access import ADMINS, ANYONE
from api.graphql.context import Info
from api.graphql.org_units.payloads import OrgUnitPayload, unit_payload
from api.graphql.org_units.types import OrgUnit, figure_unit, no_unit
from api.graphql.permissions import field, mutation
from api.graphql.recording import fields, record
from domain import commands as c
from projections import establishment
from projections.establishment import EstablishmentRecord


@strawberry.type
class EstablishmentCount:
    key: str
    posts: int
    filled: int
    vacant: int
    surplus: int


@strawberry.type
class Establishment:
    as_of: date
    known_at: datetime | None
    posts: int
    filled: int
    vacant: int
    surplus: int
    vacancy_rate: float | None
    by_cadre_group: list[EstablishmentCount]
    children: list["Establishment"]
    code: strawberry.Private[str]

    @classmethod
    def of(cls, r: EstablishmentRecord) -> "Establishment":
        t = r.totals
        return cls(
            as_of=r.as_of,
            known_at=r.known_at,
            posts=t.posts,
            filled=t.filled,
            vacant=t.vacant,
            surplus=t.surplus,
            vacancy_rate=t.vacancy_rate,
            by_cadre_group=[
                EstablishmentCount(key=k, posts=g.posts, filled=g.filled, vacant=g.vacant, surplus=g.surplus)
                for k, g in r.by_cadre_group.items()
            ],
            children=[cls.of(child) for child in r.children],
            code=r.code,
        )

    @strawberry.field
    async def org_unit(self, info: Info) -> OrgUnit:
        return await figure_unit(info, self.code, self.as_of)


@strawberry.input
class SetEstablishmentInput:
    facility_code: str
    cadre_code: str
    posts: int
    effective_on: date
    authority: str | None = None
    command_id: str | None = None


def set_establishment_command(input_: SetEstablishmentInput) -> c.SetEstablishment:
    """The command ``setEstablishment`` sends for its input (the spreadsheet import builds its rows' here too)."""
    return c.SetEstablishment(**fields(input_))


@strawberry.type
class EstablishmentQueries:
    @field(*ANYONE)
    async def establishment(
        self, info: Info, org_unit_code: str, as_of: date | None = None, known_at: datetime | None = None
    ) -> Establishment:
        day = as_of or date.today()
        found = await establishment.establishment(info.context.pool, info.context.schema, org_unit_code, day, known_at)
        if found is None:
            raise no_unit(org_unit_code)
        return Establishment.of(found)


@strawberry.type
class EstablishmentMutations:
    @mutation(*ADMINS)
    async def set_establishment(self, info: Info, input: SetEstablishmentInput) -> OrgUnitPayload:
        outcome = await record(info, set_establishment_command(input))
        return await unit_payload(info, input.facility_code, outcome)
