"""``hrh export fhir``: the ledger's org units and workers as FHIR R4 resources under IHE mCSD, in a Bundle
(DESIGN, "Exports"; docs/exports.md, "FHIR").

A full export is a ``collection`` Bundle of every Location (jurisdictions and facilities), every unit's
Organization, and every Practitioner the user may read with one PractitionerRole per posting. With
``since``, it is a ``history`` Bundle, as ITI-91's update feed: a PUT entry for each resource the events
recorded after ``since`` changed (back-dated ones included), a DELETE entry for each that they removed (a posting
that a back-dated event or a retraction undid: its PractitionerRole), and the Locations and
Organizations the entries refer to, so that every reference resolves inside the Bundle.

The ledger position the Bundle reflects is read before and after everything else; if the read tables moved
meanwhile, the Bundle is read again, so that it reflects one position.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from api.access import User
from api.exports import fhir_reading as reading
from api.exports.fhir_resources import location, organization, practitioner, practitioner_role, role_id
from api.exports.session import run_export
from api.graphql.context import Services
from domain.ledger import Ledger
from projections.store import Target

ATTEMPTS = 3
POSITION_SYSTEM = "urn:hrh:ledger-position"
KNOWN_AT_SYSTEM = "urn:hrh:known-at"


class BundleMoving(Exception):
    """Raised when the read tables moved during every read of the Bundle, so that it reflects no one position."""

    code = "LEDGER_MOVING"


@dataclass(frozen=True)
class FhirExport:
    """A Bundle and what it reflects."""

    bundle: dict[str, Any]
    position: int
    known_at: datetime
    since: datetime | None

    def statement(self) -> str:
        """One line for standard error."""
        counts: dict[str, int] = {}
        for entry in self.bundle.get("entry", []):
            kind = entry["request"]["url"].split("/")[0] if "request" in entry else entry["resource"]["resourceType"]
            counts[kind] = counts.get(kind, 0) + 1
        said = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "no entries"
        since = f", changes since {self.since.isoformat()}" if self.since else ""
        return (
            f"FHIR Bundle ({self.bundle['type']}{since}): {said}; reflects ledger position {self.position}, "
            f"knownAt {self.known_at.isoformat()}"
        )


class Entries:
    """A Bundle's entries, each resource once, with full URLs under ``base``."""

    def __init__(self, base: str, history: bool) -> None:
        self.base = base.rstrip("/")
        self.history = history
        self.entries: dict[str, dict[str, Any]] = {}

    def put(self, resource: dict[str, Any]) -> None:
        path = f"{resource['resourceType']}/{resource['id']}"
        entry: dict[str, Any] = {"fullUrl": f"{self.base}/{path}", "resource": resource}
        if self.history:
            entry |= {"request": {"method": "PUT", "url": path}, "response": {"status": "200 OK"}}
        self.entries[path] = entry

    def delete(self, path: str) -> None:
        request = {"method": "DELETE", "url": path}
        self.entries[path] = {"fullUrl": f"{self.base}/{path}", "request": request, "response": {"status": "204"}}

    def units(self, units: dict[str, dict[str, Any]], today: date) -> None:
        for unit in units.values():
            self.put(location(unit, today))
            self.put(organization(unit, today))

    def worker(self, worker: dict[str, Any], today: date) -> None:
        self.put(practitioner(worker))
        for posting in worker["postings"]:
            self.put(practitioner_role(worker["id"], posting, today))


def bundle(entries: Entries, position: int, known_at: datetime) -> dict[str, Any]:
    """The Bundle of ``entries``, saying the ledger position and the moment it reflects."""
    return {
        "resourceType": "Bundle",
        "meta": {
            "lastUpdated": known_at.isoformat(),
            "tag": [
                {"system": POSITION_SYSTEM, "code": str(position)},
                {"system": KNOWN_AT_SYSTEM, "code": known_at.isoformat()},
            ],
        },
        "identifier": {"system": POSITION_SYSTEM, "value": str(position)},
        "type": "history" if entries.history else "collection",
        "timestamp": known_at.isoformat(),
        **({"total": len(entries.entries)} if entries.history else {}),
        "entry": list(entries.entries.values()),
    }


async def full_entries(services: Services, user: User, base: str, today: date) -> Entries:
    """Every Location, Organization, Practitioner and PractitionerRole the user may read."""
    workers = await reading.all_workers(services, user)
    facilities = {p["facility"]["code"] for w in workers for p in w["postings"]}
    entries = Entries(base, history=False)
    entries.units(await reading.all_units(services, user, facilities), today)
    for worker in workers:
        entries.worker(worker, today)
    return entries


def posting_role_id(worker_id: str, posting: dict[str, Any]) -> str:
    return role_id(worker_id, posting["facility"]["code"], posting["startedOn"])


async def change_entries(services: Services, user: User, base: str, today: date, since: datetime) -> Entries:
    """The resources the events recorded after ``since`` changed or removed, and the units they refer to."""
    worker_ids, unit_codes = await reading.changed_since(services, user, since)
    workers = await reading.workers_by_id(services, user, worker_ids, since)
    entries = Entries(base, history=True)
    named = set(unit_codes)
    for worker_id, worker in sorted(workers.items()):
        current: list[dict[str, Any]] = worker["postings"] if worker is not None else []
        before: list[dict[str, Any]] = worker["before"] if worker is not None else []
        lasting = {posting_role_id(worker_id, p) for p in current}
        for role in sorted({posting_role_id(worker_id, p) for p in before} - lasting):
            entries.delete(f"PractitionerRole/{role}")  # a posting a back-dated event or a retraction undid
        named |= {p["facility"]["code"] for p in before + current}
        if worker is not None:
            entries.worker(worker, today)
        else:
            entries.delete(f"Practitioner/{worker_id}")
    entries.units(await reading.units_by_code(services, user, named), today)
    return entries


async def fhir_bundle(
    services: Services, user: User, *, base: str, since: datetime | None = None, today: date | None = None
) -> FhirExport:
    """The mCSD Bundle, read as ``user``: everything, or with ``since`` the changes recorded after it.

    Raises:
        api.operations.Refused: the API refuses the workers to ``user`` (FORBIDDEN for a planner) or, with
            ``since``, the audit trail (FORBIDDEN for a planner or an HR manager).
        BundleMoving: the read tables moved during each of the reads.
    """
    day = today or date.today()
    for _ in range(ATTEMPTS):
        before = await reading.ledger_position(services, user)
        known_at = datetime.now(UTC)
        if since is None:
            entries = await full_entries(services, user, base, day)
        else:
            entries = await change_entries(services, user, base, day, since)
        if await reading.ledger_position(services, user) == before:
            return FhirExport(bundle(entries, before, known_at), before, known_at, since)
    raise BundleMoving(f"The read tables moved during each of {ATTEMPTS} reads of the Bundle; try again.")


async def export_fhir(
    url: str,
    ledger: Ledger,
    *,
    base: str,
    user: str | None = None,
    since: datetime | None = None,
    target: Target | None = None,
) -> FhirExport:
    """The mCSD Bundle of a command-line export, run as ``user`` (the operator when None); see ``fhir_bundle`` and
    ``api.exports.session.run_export``."""
    return await run_export(url, ledger, user, partial(fhir_bundle, base=base, since=since), target)
