"""Joint counts of a staffing figure (``Staffing.breakdown``): the workers counted by several traits at once,
for DHIS2 category combinations and the NHWA tables. Aggregates only, so every role may read them."""

from datetime import date, datetime
from enum import Enum

import strawberry

from api.graphql.context import Info
from api.graphql.errors import ClientError
from domain.errors import N_
from projections import cross_tabs, flow_tabs
from projections.staffing import known_position


@strawberry.enum(description="A trait workers are counted by; a missing trait is its own category (UNKNOWN).")
class StaffingDimension(Enum):
    CADRE_GROUP = "cadreGroup"
    SEX = "sex"
    SECTOR = "sector"
    FUNDING_SOURCE = "fundingSource"
    OCCUPATION = "occupation"  # the cadre's ISCO-08 code
    AGE_BAND = "ageBand"  # NHWA's: <25, 25-34, 35-44, 45-54, 55-64, 65+, unknown
    OWNERSHIP = "ownership"  # NHWA's, from the sector: public, private not-for-profit, private for-profit
    FACILITY_TYPE = "facilityType"  # the facility's kind
    PLACE_OF_BIRTH = "placeOfBirth"  # national, foreign or unknown, against ``country``
    PLACE_OF_TRAINING = "placeOfTraining"  # domestic, foreign or unknown, against ``country``


@strawberry.enum(description="The Staffing figure a breakdown splits.")
class StaffingFigure(Enum):
    HEADCOUNT = "headcount"
    ON_LEAVE = "onLeave"
    ACTIVE = "active"
    QUALIFIED_ACTIVE = "qualifiedActive"


@strawberry.type(description="The workers in one combination of categories, given in the order of `by`.")
class JointCount:
    keys: list[str]
    count: int


async def joint_counts(
    info: Info,
    code: str,
    as_of: date,
    known_at: datetime | None,
    by: list[StaffingDimension],
    figure: StaffingFigure,
    country: str | None,
) -> list[JointCount]:
    """The joint counts of ``figure`` in unit ``code`` on ``as_of`` as known at ``known_at``.

    Raises:
        ClientError: no dimension or one given twice, or a place of birth or training without ``country``
            (BAD_USER_INPUT).
    """
    names = [d.value for d in by]
    if not names or len(set(names)) != len(names):
        raise ClientError(N_("Give the dimensions of a breakdown, each once."), "BAD_USER_INPUT")
    check_country(names, country)
    db, schema = info.context.pool, info.context.schema
    position = await known_position(db, schema, known_at)
    counts = await cross_tabs.joint_counts(db, schema, code, as_of, position, names, figure.value, country)
    return [JointCount(keys=list(keys), count=n) for keys, n in counts.items()]


@strawberry.enum(description="A flow of workers (NHWA Module 5): see `workforceFlows`.")
class FlowKind(Enum):
    ENTRY = "ENTRY"
    EXIT_VOLUNTARY = "EXIT_VOLUNTARY"
    EXIT_INVOLUNTARY = "EXIT_INVOLUNTARY"
    EXIT_OTHER = "EXIT_OTHER"
    TRANSFER_IN = "TRANSFER_IN"
    TRANSFER_OUT = "TRANSFER_OUT"


@strawberry.type(description="The flows of one kind in one combination of categories, in the order of `by`.")
class FlowCount:
    flow: FlowKind
    keys: list[str]
    count: int


def check_country(names: list[str], country: str | None) -> None:
    """Checks that a place of birth or training, if asked, has the country to compare with.

    Raises:
        ClientError: a place of birth or training without ``country`` (BAD_USER_INPUT).
    """
    if country is None and any(name in cross_tabs.NEEDS_COUNTRY for name in names):
        raise ClientError(
            N_("A breakdown by place of birth or of training needs country: its ISO 3166-1 alpha-2 code, such as ML."),
            "BAD_USER_INPUT",
        )


async def flow_counts(
    info: Info,
    code: str,
    span: tuple[date, date],
    known_at: datetime | None,
    by: list[StaffingDimension],
    country: str | None,
) -> list[FlowCount]:
    """The flows of unit ``code`` effective in ``span`` as known at ``known_at``, by kind and ``by``.

    Raises:
        ClientError: a dimension given twice, or a place of birth or training without ``country``
            (BAD_USER_INPUT).
    """
    names = [d.value for d in by]
    if len(set(names)) != len(names):
        raise ClientError(N_("Give the dimensions of a breakdown, each once."), "BAD_USER_INPUT")
    check_country(names, country)
    db, schema = info.context.pool, info.context.schema
    position = await known_position(db, schema, known_at)
    counts = await flow_tabs.flow_counts(db, schema, code, span[0], span[1], position, names, country)
    return [FlowCount(flow=FlowKind(keys[0]), keys=list(keys[1:]), count=n) for keys, n in counts.items()]
