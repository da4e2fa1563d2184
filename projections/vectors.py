"""The staffing vector: every figure of Staffing(U, D) for one worker, to be summed per unit.

A unit's staffing on D is the sum of the vectors of the workers in post in it on D. Keeping
all figures in one vector lets one step function per unit answer every Staffing field.
"""

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from domain.values import CadreGroup, FundingSource, Sector, Sex
from projections.intervals import pack

# The breakdowns' keys: the domain's enums, by name (as the read tables hold them), in their order.
GROUPS = tuple(member.name for member in CadreGroup)
SEXES = tuple(member.name for member in Sex)
SECTORS = tuple(member.name for member in Sector)
FUNDING_SOURCES = tuple(member.name for member in FundingSource)
# Completeness: the fields a complete record has, as the API names them.
REQUIRED = ("civilServiceNumber", "birthDate", "sex", "cadre", "fundingSource")

HEADCOUNT, ON_LEAVE, ACTIVE, QUALIFIED_ACTIVE = 0, 1, 2, 3
BY_GROUP = 4
BY_SEX = BY_GROUP + len(GROUPS)
BY_SECTOR = BY_SEX + len(SEXES)
BY_FUNDING = BY_SECTOR + len(SECTORS)
COMPLETE = BY_FUNDING + len(FUNDING_SOURCES)
MISSING = COMPLETE + 1
SIZE = MISSING + len(REQUIRED)

BREAKDOWNS = {
    "byCadreGroup": (BY_GROUP, GROUPS),
    "bySex": (BY_SEX, SEXES),
    "bySector": (BY_SECTOR, SECTORS),
    "byFundingSource": (BY_FUNDING, FUNDING_SOURCES),
}


@dataclass(frozen=True, slots=True)
class CadreInfo:
    code: str
    name: str
    isco08: str | None
    group: str
    qualified: bool


@lru_cache(maxsize=4096)
def _vector(
    group: str, qualified: bool, on_leave: bool, sex: str | None, sector: str | None, funding: str | None, present: int
) -> tuple[int, ...]:
    v = [0] * SIZE
    v[HEADCOUNT] = 1
    if on_leave:
        v[ON_LEAVE] = 1
    else:
        v[ACTIVE] = 1
        v[QUALIFIED_ACTIVE] = int(qualified)
        v[BY_GROUP + GROUPS.index(group)] = 1
        if sex in SEXES:
            v[BY_SEX + SEXES.index(sex)] = 1
        if sector in SECTORS:
            v[BY_SECTOR + SECTORS.index(sector)] = 1
        if funding in FUNDING_SOURCES:
            v[BY_FUNDING + FUNDING_SOURCES.index(funding)] = 1
    missing = [not (present >> i) & 1 for i in range(len(REQUIRED))]
    v[COMPLETE] = int(not any(missing))
    for i, absent in enumerate(missing):
        v[MISSING + i] = int(absent)
    return tuple(v)


Traits = tuple[str | None, str | None, str | None, int]  # sex, sector, funding source, fields present


def traits(identity: dict[str, Any]) -> Traits:
    """What of a worker's identity the vector needs; bit ``i`` of the last item: ``REQUIRED[i]`` is set."""
    values = (identity.get("civil_service_number"), identity.get("birth_date"), identity.get("sex"))
    present = sum(1 << i for i, value in enumerate(values) if value is not None)
    if identity.get("funding_source") is not None:
        present |= 1 << 4
    return identity.get("sex"), identity.get("sector"), identity.get("funding_source"), present


def vector_of(cadre: CadreInfo | None, on_leave: bool, worker: Traits) -> tuple[int, ...]:
    """The vector of one worker in post, with ``cadre`` in force."""
    sex, sector, funding, present = worker
    if cadre is not None:
        present |= 1 << 3
    group = cadre.group if cadre is not None else "OTHER"
    qualified = cadre.qualified if cadre is not None else False
    return _vector(group, qualified, on_leave, sex, sector, funding, present)


def breakdown(value: tuple[int, ...] | list[int], name: str) -> dict[str, int]:
    """One breakdown of ``active`` as {key: count}, zero counts included."""
    start, keys = BREAKDOWNS[name]
    return {key: value[start + i] for i, key in enumerate(keys)}


ZERO = (0,) * SIZE


@lru_cache(maxsize=4096)
def packed_vector(cadre: CadreInfo | None, on_leave: bool, worker: Traits) -> int:
    """``vector_of``, packed into one integer (``projections.intervals.pack``)."""
    return pack(vector_of(cadre, on_leave, worker))
