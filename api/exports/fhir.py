"""``hrh export fhir``: the ledger's org units and workers as FHIR R4 resources under IHE mCSD, in a Bundle
(DESIGN, "Exports"; docs/exports.md, "FHIR").

A full export is a ``collection`` Bundle of every Location (jurisdictions and facilities), every unit's
Organization, and every Practitioner the user may read with one PractitionerRole per posting. With
``since``, it is a ``history`` Bundle, as ITI-91's update feed: a PUT entry for each resource the events
recorded after ``since`` changed (back-dated ones included), a DELETE entry for each that they removed (a posting
that a back-dated event or a retraction undid: its PractitionerRole), and the Locations and
Organizations the entries refer to, so that every reference resolves inside the Bundle.

The workers are read a page at a time and each page's entries written out (``api.exports.fhir_file``) before
the next is read, so that memory does not grow with the roster. Every read goes to one snapshot of the read
tables (``api.read_snapshot``), so the Bundle reflects the one ledger position it states.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from api.access import User
from api.exports import fhir_reading as reading
from api.exports.fhir_file import EntryFile, FhirExport, Layout
from api.exports.fhir_resources import location, organization, practitioner, practitioner_role, role_id
from api.exports.session import run_export
from api.graphql.context import Services
from api.read_snapshot import one_snapshot
from domain.ledger import Ledger
from projections.store import Target


class Entries:
    """Makes a Bundle's entries, with full URLs under ``base``; each resource once within what ``entries``
    are asked of together (a unit, a worker). With ``only`` (a resource type), the entries of a searchset
    of that type."""

    def __init__(self, base: str, history: bool, only: str | None = None) -> None:
        self.base = base.rstrip("/")
        self.history = history
        self.only = only
        self.made: dict[str, dict[str, Any]] = {}

    def put(self, resource: dict[str, Any]) -> None:
        path = f"{resource['resourceType']}/{resource['id']}"
        entry: dict[str, Any] = {"fullUrl": f"{self.base}/{path}", "resource": resource}
        if self.history:
            entry |= {"request": {"method": "PUT", "url": path}, "response": {"status": "200 OK"}}
        if self.only is not None:
            entry |= {"search": {"mode": "match"}}
        self.made[path] = entry

    def delete(self, path: str) -> None:
        request = {"method": "DELETE", "url": path}
        self.made[path] = {"fullUrl": f"{self.base}/{path}", "request": request, "response": {"status": "204"}}

    def units(self, units: Iterable[dict[str, Any]], today: date) -> None:
        for unit in units:
            self.put(location(unit, today))
            self.put(organization(unit, today))

    def worker(self, worker: dict[str, Any], today: date) -> None:
        self.put(practitioner(worker))
        for posting in worker["postings"]:
            self.put(practitioner_role(worker["id"], posting, today))

    def write(self, part: EntryFile) -> None:
        """The entries made since the last write, written out to ``part`` (those of the type asked, with
        ``only``) and forgotten."""
        for path, entry in self.made.items():
            if self.only is None or path.split("/")[0] == self.only:
                part.add(path, entry)
        self.made = {}


async def full_entries(services: Services, user: User, entries: Entries, done: FhirExport, today: date) -> None:
    """Every Location, Organization, Practitioner and PractitionerRole the user may read, units first.

    The units come first but include any facility a posting names (``reading.all_units``), known only once
    every worker is read: the workers' entries go to a part after the units' part, written at the end.
    """
    units, workers = done.part(), done.part()
    facilities: set[str] = set()
    async for page in reading.worker_pages(services, user):
        for worker in page:
            facilities |= {p["facility"]["code"] for p in worker["postings"]}
            entries.worker(worker, today)
            entries.write(workers)
    entries.units((await reading.all_units(services, user, facilities)).values(), today)
    entries.write(units)


def posting_role_id(worker_id: str, posting: dict[str, Any]) -> str:
    return role_id(worker_id, posting["facility"]["code"], posting["startedOn"])


async def change_entries(
    services: Services, user: User, entries: Entries, done: FhirExport, today: date, since: datetime
) -> None:
    """The resources the events recorded after ``since`` changed or removed, by worker id, then the units they
    refer to."""
    worker_ids, unit_codes = await reading.changed_since(services, user, since)
    workers = done.part()
    named = set(unit_codes)
    async for chunk in reading.workers_by_id(services, user, worker_ids, since):
        for worker_id, worker in chunk:
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
            entries.write(workers)
    entries.units((await reading.units_by_code(services, user, named)).values(), today)
    entries.write(done.part())


async def fhir_bundle(
    services: Services,
    user: User,
    *,
    base: str,
    since: datetime | None = None,
    today: date | None = None,
    only: str | None = None,
    layout: Layout | None = None,
) -> FhirExport:
    """The mCSD Bundle, read as ``user`` from one snapshot of the read tables: everything, or with ``since``
    the changes recorded after it; with ``only`` (a resource type, without ``since``), a searchset of that
    type. Its bytes come from ``chunks()``, which closes it; ``close()`` otherwise.

    Raises:
        api.operations.Refused: the API refuses the workers to ``user`` (FORBIDDEN for a planner) or, with
            ``since``, the audit trail (FORBIDDEN for a planner or an HR manager).
    """
    day = today or date.today()
    async with one_snapshot(services) as pinned:
        position = await reading.ledger_position(pinned, user)
        kind = "history" if since is not None else "collection" if only is None else "searchset"
        done = FhirExport(kind, position, datetime.now(UTC), since, layout or Layout())
        try:
            entries = Entries(base, history=since is not None, only=only)
            if since is None:
                await full_entries(pinned, user, entries, done, day)
            else:
                await change_entries(pinned, user, entries, done, day, since)
        except BaseException:
            done.close()
            raise
    return done


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
