"""The staffing list: the workers in post in a unit (and its descendants) on a date, as known at a moment.

It is read through the GraphQL schema in-process, as the user who asks (``api.operations``), page by
page through ``workers(orgUnitCode, asOf, knownAt, first, after)``, so the list is the API's roster: the
same workers, and personal fields only where the API gives them to that user. The ledger position it
reflects (``ledgerPosition(knownAt)``) is read before and after the pages; if the read tables moved
meanwhile, the list is read again, so that it reflects one position.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from api.access import User
from api.graphql.context import Services
from api.operations import execute

PAGE = 500  # the API's largest page
ATTEMPTS = 3  # reads of the whole list while the read tables move

COLUMNS = (
    "workerId",
    "civilServiceNumber",
    "familyName",
    "givenNames",
    "sex",
    "birthDate",
    "cadreCode",
    "cadreName",
    "cadreGroup",
    "facilityCode",
    "facilityName",
    "status",
    "sector",
    "fundingSource",
    "restricted",
)
"""The list's columns, named as the GraphQL fields they come from. ``restricted`` is true on a row whose
personal fields the user may not read (they are empty then), as ``Worker.restricted`` says."""

PERSONAL = ("civilServiceNumber", "familyName", "givenNames", "birthDate")

POSITION = "query Position($knownAt: DateTime) { ledgerPosition(knownAt: $knownAt) }"
ROSTER = """
query StaffingList($code: String!, $asOf: Date!, $knownAt: DateTime, $first: Int!, $after: String) {
  workers(orgUnitCode: $code, asOf: $asOf, knownAt: $knownAt, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      id restricted civilServiceNumber familyName givenNames sex birthDate status sector fundingSource
      cadre { code name group } facility { code name }
    } }
  }
}
"""
UNIT = "query Unit($code: String!) { orgUnit(code: $code) { code name } }"


class ListMoving(Exception):
    """Raised when the read tables moved during every read of the list, so that it reflects no one position."""

    code = "LEDGER_MOVING"


@dataclass(frozen=True)
class StaffingList:
    """A unit's staffing list and what it reflects: the rows hold the ``COLUMNS``' values."""

    unit_code: str
    unit_name: str
    as_of: date
    known_at: datetime | None
    position: int  # the ledger position it reflects
    produced_at: datetime
    produced_by: str
    rows: list[tuple[Any, ...]]

    @property
    def total(self) -> int:
        return len(self.rows)


def row_of(node: dict[str, Any]) -> tuple[Any, ...]:
    """A worker of the GraphQL answer as a row of the list: dates as dates, absent values as None."""
    cadre, facility = node["cadre"], node["facility"] or {}
    birth = node["birthDate"]
    return (
        node["id"],
        node["civilServiceNumber"],
        node["familyName"] or None,
        node["givenNames"] or None,
        node["sex"],
        date.fromisoformat(birth) if birth else None,
        cadre["code"],
        cadre["name"],
        cadre["group"],
        facility.get("code"),
        facility.get("name"),
        node["status"],
        node["sector"],
        node["fundingSource"],
        node["restricted"],
    )


async def read_rows(services: Services, user: User, variables: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every page of the roster, in the API's order (by worker id)."""
    rows: list[tuple[Any, ...]] = []
    after: str | None = None
    while True:
        found = (await execute(services, user, ROSTER, {**variables, "first": PAGE, "after": after}))["workers"]
        rows += [row_of(edge["node"]) for edge in found["edges"]]
        if not found["pageInfo"]["hasNextPage"]:
            return rows
        after = found["pageInfo"]["endCursor"]


async def staffing_list(
    services: Services, user: User, unit_code: str, as_of: date, known_at: datetime | None = None
) -> StaffingList:
    """The staffing list of ``unit_code`` on ``as_of`` as known at ``known_at`` (now when None), read as ``user``.

    Raises:
        api.operations.Refused: the API refuses the roster to ``user`` (FORBIDDEN for a planner, or for
            an HR manager outside their scope), or knows no such unit (NOT_FOUND).
        ListMoving: the read tables moved during each of the reads.
    """
    moment = {"knownAt": known_at.isoformat() if known_at else None}
    variables = {"code": unit_code, "asOf": as_of.isoformat(), **moment}
    for _ in range(ATTEMPTS):
        before = (await execute(services, user, POSITION, moment))["ledgerPosition"]
        rows = await read_rows(services, user, variables)
        after = (await execute(services, user, POSITION, moment))["ledgerPosition"]
        if before == after:
            unit = (await execute(services, user, UNIT, {"code": unit_code}))["orgUnit"]
            return StaffingList(
                unit_code=unit["code"],
                unit_name=unit["name"],
                as_of=as_of,
                known_at=known_at,
                position=after,
                produced_at=datetime.now(UTC),
                produced_by=user.name,
                rows=rows,
            )
    raise ListMoving(
        f"The read tables moved during each of {ATTEMPTS} reads of the list; try again, or give --known-at."
    )
