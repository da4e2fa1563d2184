"""What the FHIR export reads, through the GraphQL schema in-process as the exporting user
(``api.operations``): the org units, the workers with their postings, and what the audit trail says
changed. No query is asked once per worker: the workers come by pages of the roster, or by many ids in one
document, and the schema's DataLoaders batch each page's postings, cadres and facilities. The workers are
given a page at a time, so that the export holds one page whatever the size of the roster.
"""

from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

from api.access import User
from api.graphql.context import Services
from api.graphql.documents import MAX_ALIASES
from api.operations import execute

PAGE = 500  # the API's largest page
# Asked by code or id in one document, within the API's limit of aliases (a unit takes one, a worker two).
BATCH = MAX_ALIASES  # units
WORKER_BATCH = MAX_ALIASES // 2  # workers, with their postings as known before
EVER = date(9999, 12, 31)  # a roster as of this day lists every worker hired, departed ones included

UNIT_FIELDS = "code name level closedOn parent { code }"
POSTING_FIELDS = "startedOn endedOn facility { code } cadre { code name isco08 }"
WORKER_FIELDS = f"""id restricted status civilServiceNumber familyName givenNames sex birthDate
  postings {{ {POSTING_FIELDS} }}"""
POSITION = "{ ledgerPosition }"
UNITS = f"{{ orgUnits(includeClosed: true) {{ {UNIT_FIELDS} }} }}"
WORKERS = f"""
query Practitioners($asOf: Date!, $first: Int!, $after: String) {{
  workers(asOf: $asOf, first: $first, after: $after) {{
    pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {WORKER_FIELDS} }} }}
  }}
}}"""
TRAIL = """query Changes($from: DateTime, $first: Int, $after: String) {
  auditTrail(from: $from, first: $first, after: $after) {
    edges { node { aggregate aggregateId subject kind } } pageInfo { hasNextPage endCursor }
  }
}"""
# The kinds of event that change a resource: a training or a leave changes no Practitioner or PractitionerRole
# (a leave does not end a posting), a population or an establishment no Location.
WORKER_CHANGES = frozenset(
    {"HIRED", "POSTED", "TRANSFERRED", "DEPARTED", "REHIRED", "REQUALIFIED", "DETAILS_CORRECTED", "RETRACTED"}
)
UNIT_CHANGES = frozenset({"OPENED", "MOVED", "RENAMED", "CLOSED"})


async def ledger_position(services: Services, user: User) -> int:
    return int((await execute(services, user, POSITION))["ledgerPosition"])


def chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def units_by_code(services: Services, user: User, codes: set[str]) -> dict[str, dict[str, Any]]:
    """The units ``codes`` name and every ancestor of theirs (as of today), so that each ``partOf`` resolves."""
    found: dict[str, dict[str, Any]] = {}
    wanted = sorted(codes)
    while wanted:
        for chunk in chunks(wanted, BATCH):
            answer = await execute(services, user, units_document(chunk))
            found.update({unit["code"]: unit for unit in answer.values() if unit is not None})
        wanted = sorted(
            {u["parent"]["code"] for u in found.values() if u["parent"] and u["parent"]["code"] not in found}
        )
    return found


def units_document(codes: list[str]) -> str:
    """The document that asks the units ``codes`` name."""
    fields = " ".join(f'u{i}: orgUnit(code: "{code_literal(c)}") {{ {UNIT_FIELDS} }}' for i, c in enumerate(codes))
    return f"{{ {fields} }}"


def code_literal(code: str) -> str:
    """A code inside a GraphQL string literal: its quotes and backslashes escaped."""
    return code.replace("\\", "\\\\").replace('"', '\\"')


async def all_units(services: Services, user: User, facilities: set[str]) -> dict[str, dict[str, Any]]:
    """Every unit open today or closed, and any other unit ``facilities`` names (one that a back-dated opening
    lets open later), with their ancestors."""
    listed = {u["code"]: u for u in (await execute(services, user, UNITS))["orgUnits"]}
    return {**listed, **await units_by_code(services, user, facilities - set(listed))}


async def worker_pages(services: Services, user: User) -> AsyncIterator[list[dict[str, Any]]]:
    """Every worker the user may read, one page (``PAGE`` workers) at a time, with their postings (an HR
    manager's roster: the workers posted in their scope; those the API marks restricted are left out). Only
    one page is held: the export writes it out before asking the next."""
    after: str | None = None
    while True:
        asked = {"asOf": EVER.isoformat(), "first": PAGE, "after": after}
        page = (await execute(services, user, WORKERS, asked))["workers"]
        yield [edge["node"] for edge in page["edges"] if not edge["node"]["restricted"]]
        if not page["pageInfo"]["hasNextPage"]:
            return
        after = page["pageInfo"]["endCursor"]


async def changed_since(services: Services, user: User, since: datetime) -> tuple[set[str], set[str]]:
    """The workers (ids) and org units (codes) whose resources the events recorded after ``since`` change,
    back-dated ones and retractions included (the audit trail: ADMINs and AUDITORs only)."""
    workers: set[str] = set()
    units: set[str] = set()
    after: str | None = None
    while True:
        asked = {"from": since.isoformat(), "first": PAGE, "after": after}
        page = (await execute(services, user, TRAIL, asked))["auditTrail"]
        for edge in page["edges"]:
            entry = edge["node"]
            if entry["aggregate"] == "Worker" and entry["kind"] in WORKER_CHANGES:
                workers.add(entry["aggregateId"])
            elif entry["aggregate"] == "OrgUnit" and entry["kind"] in UNIT_CHANGES and entry["subject"]:
                units.add(entry["subject"])
        if not page["pageInfo"]["hasNextPage"]:
            return workers, units
        after = page["pageInfo"]["endCursor"]


async def workers_by_id(
    services: Services, user: User, ids: set[str], since: datetime
) -> AsyncIterator[list[tuple[str, dict[str, Any] | None]]]:
    """The workers ``ids`` name in the order of their ids, ``BATCH`` at a time, with their postings now and as
    known at ``since`` (``before``); None for an id that names no worker (a hire cannot be retracted, but the
    read tables may be rebuilt without one)."""
    for chunk in chunks(sorted(ids), WORKER_BATCH):
        variables: dict[str, Any] = {f"w{i}": worker_id for i, worker_id in enumerate(chunk)}
        answer = await execute(services, user, workers_document(len(chunk)), {**variables, "since": since.isoformat()})
        yield [(worker_id, answer[f"w{i}"]) for i, worker_id in enumerate(chunk)]


def workers_document(size: int) -> str:
    """The document that asks ``size`` workers by id (``$w0``...), with their postings as known at ``$since``."""
    params = ", ".join(f"$w{i}: ID!" for i in range(size))
    fields = " ".join(
        f"w{i}: worker(id: $w{i}) {{ {WORKER_FIELDS} before: postings(knownAt: $since) {{ {POSTING_FIELDS} }} }}"
        for i in range(size)
    )
    return f"query({params}, $since: DateTime) {{ {fields} }}"
