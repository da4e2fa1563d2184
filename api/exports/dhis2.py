"""``hrh export dhis2``: a DHIS2 ``dataValueSets`` document (DESIGN, "Exports"; docs/exports.md, "DHIS2").

Every figure is asked of GraphQL in-process as the exporting user (``api.exports.dhis2_figures``), at
one pinned moment: the export reads the ledger's head, waits until the read tables include it, and
asks every figure as known at that moment, so the whole document reflects one ledger position even
while others record.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from api.access import User
from api.exports.dhis2_figures import unit_figures, units_under
from api.exports.dhis2_mapping import ExportError, Mapping
from api.exports.dhis2_periods import Period, period_containing, periods_between
from api.graphql.context import Services
from api.operations import execute

HEAD = "{ chainHead { position } }"
CAUGHT_UP = "query($p: Int!, $ms: Int) { caughtUp(position: $p, timeoutMs: $ms) }"
TRAIL = """query($from: DateTime, $worker: ID, $first: Int, $after: String) {
  auditTrail(from: $from, workerId: $worker, first: $first, after: $after) {
    edges { node { aggregate aggregateId kind effectiveOn } } pageInfo { hasNextPage endCursor }
  }
}"""
WAIT_MS = 30_000
PIN_ATTEMPTS = 5
TRAIL_PAGE = 500  # entries per page of the audit trail; every page is read
# A worker's events that are dated by their recording, not by when they take effect: a correction of
# identity or a retraction changes the worker's figures wherever the worker's career lies.
CAREER_WIDE = {"DETAILS_CORRECTED", "RETRACTED"}


@dataclass(frozen=True)
class Export:
    """A dataValueSets document, and what it reflects: the ledger position and the knownAt of every figure."""

    document: dict[str, Any]
    position: int
    known_at: datetime
    periods: list[Period]

    def suggested_name(self) -> str:
        """A file name that says what the document holds and the ledger position it reflects."""
        last = self.periods[-1].label if self.periods else "none"
        first = self.periods[0].label if self.periods else "none"
        span = last if first == last else f"{first}-{last}"
        return f"hrh-dhis2-{span}-position-{self.position}.json"

    def statement(self) -> str:
        """One line for standard error: a DHIS2 document has no place for a comment."""
        labels = ", ".join(p.label for p in self.periods) or "none"
        return (
            f"DHIS2 dataValueSets: {len(self.document['dataValues'])} values, periods {labels}; reflects ledger "
            f"position {self.position}, knownAt {self.known_at.isoformat()}"
        )


async def pinned_moment(services: Services, user: User) -> tuple[int, datetime]:
    """The ledger's head position, and a moment at which it was the head, once the read tables include it.

    Raises:
        ExportError: the read tables do not catch up within 30 s (READ_TABLES_BEHIND), or the ledger moved on
            at every attempt (LEDGER_BUSY).
    """
    for _ in range(PIN_ATTEMPTS):
        head = (await execute(services, user, HEAD))["chainHead"]["position"]
        if not (await execute(services, user, CAUGHT_UP, {"p": head, "ms": WAIT_MS}))["caughtUp"]:
            raise ExportError(
                "READ_TABLES_BEHIND",
                f"the read tables have not reached ledger position {head}: start `hrh serve` or run `hrh project`",
            )
        moment = datetime.now(UTC)
        if (await execute(services, user, HEAD))["chainHead"]["position"] == head:
            return head, moment
    raise ExportError("LEDGER_BUSY", "the ledger kept moving while the export pinned its position; try again")


async def trail_dates(services: Services, user: User, **where: str) -> list[tuple[str, str, str, date | None]]:
    """Every entry of the audit trail that ``where`` selects, page after page: (aggregate, id, kind, date)."""
    found: list[tuple[str, str, str, date | None]] = []
    after: str | None = None
    while True:
        asked = {**where, "first": TRAIL_PAGE, "after": after}
        page = (await execute(services, user, TRAIL, asked))["auditTrail"]
        for edge in page["edges"]:
            n = edge["node"]
            day = date.fromisoformat(n["effectiveOn"]) if n["effectiveOn"] else None
            found.append((n["aggregate"], n["aggregateId"], n["kind"], day))
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


async def earliest_change(services: Services, user: User, since: datetime) -> date | None:
    """The earliest effective date touched by the events recorded after ``since``.

    A correction of identity or a retraction (``CAREER_WIDE``) changes a worker's figures wherever the
    worker's events lie, so it counts from the worker's earliest effective date. Population estimates and
    cadre definitions change none of the figures sent (their dates only widen the periods sent).
    """
    days: list[date] = []
    workers: set[str] = set()
    for aggregate, identifier, kind, day in await trail_dates(services, user, **{"from": since.isoformat()}):
        if aggregate == "Worker" and kind in CAREER_WIDE:
            workers.add(identifier)
        elif day is not None:
            days.append(day)
    for worker in sorted(workers):
        entries = await trail_dates(services, user, worker=worker)
        days += [day for _, _, kind, day in entries if day is not None and kind not in CAREER_WIDE]
    return min(days, default=None)


async def data_value_sets(
    services: Services,
    user: User,
    mapping: Mapping,
    period: Period,
    *,
    unit: str | None = None,
    changed_since: datetime | None = None,
) -> Export:
    """The dataValueSets document for ``period`` (or, with ``changed_since``, for every period from the
    earliest one that events recorded after it changed, up to ``period``), for the mapped units (under
    ``unit`` when given).

    Raises:
        ExportError: a bad ``unit``, or the read tables cannot be pinned (``pinned_moment``).
        api.operations.Refused: GraphQL refused a query (an unknown mapped unit, a role that may not
            read the audit trail).
    """
    position, known_at = await pinned_moment(services, user)
    periods = [period]
    if changed_since is not None:
        earliest = await earliest_change(services, user, changed_since)
        start = period_containing(earliest, period.interval) if earliest is not None else None
        periods = periods_between(start, period) if start is not None and start <= period else []
    codes = list(mapping.org_units) if unit is None else await units_under(services, user, mapping, unit, period)
    values: list[dict[str, str]] = []
    figures = {code: await unit_figures(services, user, mapping, code, periods, known_at) for code in codes}
    for p in periods:
        for code in codes:
            found = figures[code][p.label]
            for rule in mapping.rules:
                base = {"dataElement": rule.data_element, "period": p.label, "orgUnit": mapping.org_units[code]}
                if not rule.disaggregate:
                    values.append({**base, "value": str(found.totals[rule.figure])})
                    continue
                split = found.splits[(rule.figure, rule.disaggregate)]
                unlisted = sorted(key for key, n in split.items() if n and key not in rule.combos)
                if unlisted:  # a pair the mapping leaves out, or a category it cannot list (UNKNOWN)
                    raise ExportError(
                        "MAPPING_COMBINATION_MISSING",
                        f"{rule.data_element}: categoryOptionCombos lists no combination for {unlisted[0]!r} "
                        f"({', '.join(rule.disaggregate)}), which has {split[unlisted[0]]} worker(s) in "
                        f"{mapping.org_units[code]} for {p.label}; add it to the mapping",
                    )
                for key, combo in rule.combos.items():
                    values.append({**base, "categoryOptionCombo": combo, "value": str(split.get(key, 0))})
    document: dict[str, Any] = {}
    if mapping.id_scheme is not None:
        document["idScheme"] = mapping.id_scheme
    if mapping.data_set is not None:
        document["dataSet"] = mapping.data_set
    document["dataValues"] = values
    return Export(document, position, known_at, periods)
