"""Auditors: the audit trail, filtered by recorder, period, org unit and kind, page by page and as CSV,
with the ledger's chain head; and how to check an export (``docs/audit.md``, served at ``/docs/audit``).

Every row and the head come from the GraphQL queries ``auditTrail`` and ``chainHead``, run as the
visitor: an HR manager or a planner gets the API's FORBIDDEN refusal, on its page.
"""

import contextlib
import itertools
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from markdown_it import MarkdownIt
from starlette.datastructures import QueryParams

from api.operations import Refusal, Refused
from api.web.labels import EVENT_KINDS, label
from api.web.moments import moment_of
from api.web.pages import Anyone, SignedIn, Visit
from api.web.tables import Cell, Table, csv_response
from projections.audit import KINDS

router = APIRouter()

PAGE = 50
MAX_PAGE = 500  # the API's largest page (api.graphql.paging.MAX_PAGE)
MAX_CSV_ROWS = 50_000
AUDIT_DOC = Path(__file__).resolve().parents[1] / "docs" / "audit.md"
"""``docs/audit.md``, through a link inside the package: an installed wheel holds the file itself."""

ENTRY = "position aggregate aggregateId subject kind effectiveOn recordedAt recordedBy authority backdated retracted"
TRAIL = f"""
query Trail($workerId: ID, $recordedBy: String, $from: DateTime, $to: DateTime, $orgUnitCode: String,
            $kind: String, $first: Int, $after: String) {{
  auditTrail(workerId: $workerId, recordedBy: $recordedBy, from: $from, to: $to, orgUnitCode: $orgUnitCode,
             kind: $kind, first: $first, after: $after) {{
    edges {{ node {{ {ENTRY} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
HEAD = "query Head { chainHead { position hash } }"


# Any kind the trail gains later is offered too, under its code.
KIND_ORDER = [*EVENT_KINDS, *sorted(KINDS - set(EVENT_KINDS))]


@dataclass
class TrailFilter:
    """The filter as typed in the page's address (kept to show the form again), and as GraphQL variables."""

    typed: dict[str, str]
    variables: dict[str, Any]


FIELDS = ("recordedBy", "from", "to", "orgUnitCode", "kind", "workerId")


def trail_filter(params: QueryParams) -> TrailFilter:
    """The filter a page's address asks for; empty fields filter nothing. A date that is not one goes to the
    API as typed, which refuses it (BAD_USER_INPUT), as it would over HTTP."""
    typed = {name: (params.get(name) or "").strip() for name in FIELDS}
    variables: dict[str, Any] = {name: value or None for name, value in typed.items()}
    for name in ("from", "to"):
        if typed[name]:
            with contextlib.suppress(ValueError):
                variables[name] = moment_of(typed[name], end=name == "to").isoformat()
    return TrailFilter(typed, variables)


def page_size(asked: str | None) -> int:
    try:
        return max(1, min(int(asked or PAGE), MAX_PAGE))
    except ValueError:
        return PAGE


async def trail_page(visit: Visit, where: TrailFilter, first: int, after: str | None) -> dict[str, Any]:
    found: dict[str, Any] = (await visit.ask(TRAIL, {**where.variables, "first": first, "after": after}))["auditTrail"]
    return found


async def whole_trail(visit: Visit, where: TrailFilter) -> list[dict[str, Any]]:
    """Every entry the filter lets through, oldest first, up to ``MAX_CSV_ROWS``."""
    entries: list[dict[str, Any]] = []
    after = None
    while len(entries) < MAX_CSV_ROWS:
        page = await trail_page(visit, where, min(MAX_PAGE, MAX_CSV_ROWS - len(entries)), after)
        entries += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return entries


def trail_table(visit: Visit, entries: list[dict[str, Any]]) -> Table:
    """The entries as the CSV gives them: codes and ISO dates, for spreadsheets and scripts."""
    t = visit.text
    table = Table(
        "trail",
        t("Audit trail"),
        [
            t("Position"),
            t("Recorded at"),
            t("Recorded by"),
            t("Event"),
            t("Whose"),
            t("Worker or unit"),
            t("Effective"),
            t("Authority"),
            t("Back-dated"),
            t("Retracted"),
        ],
    )
    yes, no = t("yes"), t("no")
    for e in entries:
        table.add(
            Cell(str(e["position"])),
            Cell(e["recordedAt"]),
            Cell(e["recordedBy"]),
            Cell(e["kind"]),
            Cell(e["aggregate"]),
            Cell(e["subject"] or e["aggregateId"]),
            Cell(e["effectiveOn"] or ""),
            Cell(e["authority"] or ""),
            Cell(yes if e["backdated"] else no),
            Cell(yes if e["retracted"] else no),
        )
    return table


def refused_page(visit: Visit, refusal: Refusal) -> Response:
    return visit.render("refused.html", status_code=403 if refusal.code == "FORBIDDEN" else 400, refusal=refusal)


@router.get("/audit")
async def audit(
    visit: SignedIn, after: str | None = None, first: str | None = None, csv: str | None = None
) -> Response:
    if csv is not None and csv != "trail":
        return visit.render("not_found.html", status_code=404)
    where = trail_filter(visit.request.query_params)
    size = page_size(first)
    head = (await visit.ask(HEAD))["chainHead"]
    try:
        if csv == "trail":
            return csv_response(trail_table(visit, await whole_trail(visit, where)), visit.language, "audit-trail")
        page = await trail_page(visit, where, size, after)
    except Refused as refused:
        if refused.refusal.code in ("FORBIDDEN", "UNAUTHENTICATED"):
            return refused_page(visit, refused.refusal)
        return show(visit, where, head, None, size, refusal=refused.refusal, status_code=400)
    return show(visit, where, head, page, size, after=after)


def show(
    visit: Visit,
    where: TrailFilter,
    head: dict[str, Any],
    page: dict[str, Any] | None,
    size: int,
    *,
    after: str | None = None,
    refusal: Refusal | None = None,
    status_code: int = 200,
) -> Response:
    entries = [edge["node"] for edge in page["edges"]] if page else []
    query = {k: v for k, v in where.typed.items() if v} | ({"first": str(size)} if size != PAGE else {})
    kinds = [(kind, visit.text(label(kind))) for kind in KIND_ORDER]
    return visit.render(
        "audit.html",
        status_code=status_code,
        typed=where.typed,
        entries=entries,
        page_info=page["pageInfo"] if page else None,
        after=after,
        size=size,
        head=head,
        kinds=kinds,
        refusal=refusal,
        max_csv_rows=MAX_CSV_ROWS,
        filter_query=query,
        next_query={**query, "after": page["pageInfo"]["endCursor"]} if page else query,
    )


def anchor(heading: str) -> str:
    """A heading's fragment identifier, as GitHub makes them: "The trail of an org unit" → the-trail-of-an-org-unit."""
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return kept.strip().replace(" ", "-")


@cache
def audit_doc_html() -> str | None:
    """``docs/audit.md`` as HTML, each heading with its anchor (None when the installation lacks it)."""
    if not AUDIT_DOC.exists():
        return None
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = markdown.parse(AUDIT_DOC.read_text(encoding="utf-8"))
    for opening, inline in itertools.pairwise(tokens):
        if opening.type == "heading_open":
            opening.attrSet("id", anchor(inline.content))
    html: str = markdown.renderer.render(tokens, markdown.options, {})
    return html


@router.get("/docs/audit")
async def audit_doc(visit: Anyone) -> Response:
    """How the ledger is made tamper-evident and how to check an export: ``docs/audit.md`` itself, so the page
    and the document cannot differ."""
    body = audit_doc_html()
    if body is None:
        return visit.render("not_found.html", status_code=404)
    return visit.render("audit_doc.html", body=body)
