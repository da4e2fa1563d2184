"""HR staff and auditors: find a worker, and read their file (identity, history, trainings)."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.operations import Refused
from api.web.moments import moment_of, unreadable_known_at
from api.web.pages import SignedIn

router = APIRouter()

KnownAt = Annotated[str | None, Query(alias="knownAt")]

PAGE = 20
MAX_SHOWN = 200

SEARCH = """
query Search($text: String!, $first: Int!) {
  searchWorkers(text: $text, first: $first) {
    id civilServiceNumber familyName givenNames sex status cadre { code name } facility { code name }
  }
}
"""

FILE = """
query File($id: ID!, $knownAt: DateTime) {
  worker(id: $id) {
    id civilServiceNumber familyName givenNames sex birthDate countryOfBirth qualificationCountry
    sector fundingSource status cadre { code name group qualified } facility { code name }
    history(knownAt: $knownAt) {
      position kind effectiveOn recordedAt recordedBy authority reason retracted backdated retractedPosition
      leaveKind course
      fromFacility { code name } toFacility { code name }
    }
    trainings { course kind provider startedOn endedOn outcome }
  }
}
"""


@router.get("/workers")
async def search(visit: SignedIn, text: str = "", first: int = PAGE) -> Response:
    first = max(PAGE, min(first, MAX_SHOWN))
    found, refusal = None, None
    if text.strip():
        try:
            found = (await visit.ask(SEARCH, {"text": text, "first": first + 1}))["searchWorkers"]
        except Refused as refused:
            refusal = refused.refusal
    more = found is not None and len(found) > first
    return visit.render(
        "search.html",
        text=text,
        found=(found or [])[:first],
        searched=found is not None,
        more=more,
        next_first=first + PAGE,
        refusal=refusal,
    )


@router.get("/workers/{worker_id}")
async def worker_file(
    visit: SignedIn, worker_id: str, known_at: KnownAt = None, recorded: int | None = None
) -> Response:
    try:
        moment = moment_of(known_at, end=True).isoformat() if known_at else None
    except ValueError:
        return visit.render("refused.html", status_code=400, refusal=unreadable_known_at(known_at or ""))
    try:
        worker = (await visit.ask(FILE, {"id": worker_id, "knownAt": moment}))["worker"]
    except Refused as refused:
        return visit.render(
            "refused.html", status_code=403 if refused.refusal.code == "FORBIDDEN" else 400, refusal=refused.refusal
        )
    if worker is None:
        return visit.render("not_found.html", status_code=404)
    history = worker["history"]
    return visit.render("worker.html", worker=worker, history=history, known_at=known_at or None, recorded=recorded)
