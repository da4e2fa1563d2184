"""Downloads of exports, run as the signed-in user: ``/units/<code>/staffing.csv`` and ``.xlsx``, and the
exports page ``/exports`` (DHIS2, NHWA, FHIR).

The file is the one ``hrh export staffing --user <the visitor>`` writes (``api.exports``), so the
visitor gets the roster the API would give them, personal fields only where they may read them. What
it reflects travels in its name and in the headers ``X-Ledger-Position``, ``X-As-Of`` and ``X-Known-At``.
"""

import json
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse
from starlette.datastructures import UploadFile

from api.exports import nhwa_files, staffing_files
from api.exports.dhis2 import data_value_sets
from api.exports.dhis2_mapping import ExportError, parse_mapping_text
from api.exports.dhis2_periods import parse_period
from api.exports.fhir import fhir_bundle
from api.exports.nhwa import nhwa_figures
from api.exports.staffing import ListMoving, staffing_list
from api.fhir_endpoint import PREFIX as FHIR_PREFIX
from api.operations import Refusal, Refused
from api.web.moments import moment_of, unreadable_known_at
from api.web.pages import SignedIn
from api.web.views.units import refused
from domain.errors import N_

router = APIRouter()

UNREADABLE_AS_OF = N_("“As of” must be a date (2017-12-31), not “{value}”.")
UNREADABLE_YEAR = N_("The year must be written with four digits (2017), not “{value}”.")
LIST_MOVING = N_("The ledger moved while the list was read; download it again.")


def file_headers(
    name: str, position: int, known_at: datetime | None, more: dict[str, str] | None = None
) -> dict[str, str]:
    """The headers of a file to download under ``name``: the ledger position and knownAt it reflects."""
    return {
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Ledger-Position": str(position),
        "X-Known-At": known_at.isoformat() if known_at else "",
        **(more or {}),
    }


def attachment(
    content: bytes,
    media_type: str,
    name: str,
    position: int,
    known_at: datetime | None,
    more: dict[str, str] | None = None,
) -> Response:
    """A file to download under ``name``, saying in its headers the ledger position and knownAt it reflects."""
    return Response(content, media_type=media_type, headers=file_headers(name, position, known_at, more))


def unreadable(template: str, value: str) -> Refused:
    """An option that cannot be read: ``template`` names it and says what it must be."""
    return Refused(Refusal("BAD_USER_INPUT", template.format(value=value), template, {"value": value}))


@router.get("/units/{code}/staffing.{kind}")
async def staffing_download(
    visit: SignedIn,
    code: str,
    kind: str,
    as_of: Annotated[str | None, Query(alias="asOf")] = None,
    known_at: Annotated[str | None, Query(alias="knownAt")] = None,
) -> Response:
    """The unit's staffing list on ``asOf`` (today by default), as known at ``knownAt`` (now by default)."""
    if kind not in staffing_files.FORMATS:
        return visit.render("not_found.html", status_code=404)
    try:
        day = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError:
        return refused(visit, unreadable(UNREADABLE_AS_OF, as_of or ""))
    try:
        moment = moment_of(known_at, end=True) if known_at else None
    except ValueError:
        return refused(visit, Refused(unreadable_known_at(known_at or "")))
    try:
        found = await staffing_list(visit.services, visit.user, code, day, moment)
    except Refused as error:
        return refused(visit, error)
    except ListMoving:
        return refused(visit, Refused(Refusal(ListMoving.code, LIST_MOVING, LIST_MOVING)))
    content = staffing_files.file_bytes(found, kind, visit.language)
    media_type, name = staffing_files.MEDIA_TYPES[kind], staffing_files.file_name(found, kind)
    return attachment(content, media_type, name, found.position, found.known_at, {"X-As-Of": found.as_of.isoformat()})


@router.get("/exports")
async def exports_page(visit: SignedIn) -> Response:
    """The exports a visitor can download: DHIS2 (with a mapping file)."""
    return visit.render("exports.html")


@router.post("/exports/dhis2")
async def dhis2_download(visit: SignedIn) -> Response:
    """A DHIS2 ``dataValueSets`` document for a period, with the uploaded mapping file, as ``hrh export dhis2
    --user <the visitor>`` writes it."""
    form = await visit.form()
    upload = form.get("mapping")
    try:
        period = parse_period(str(form.get("period") or "").strip())
        mapping = parse_mapping_text(await upload.read() if isinstance(upload, UploadFile) else b"")
        unit = str(form.get("unit") or "").strip() or None
        done = await data_value_sets(visit.services, visit.user, mapping, period, unit=unit)
    except ExportError as error:
        return refused(visit, Refused(Refusal(error.code, str(error))))
    except Refused as error:
        return refused(visit, error)
    content = json.dumps(done.document, ensure_ascii=False, indent=2) + "\n"
    return attachment(content.encode(), "application/json", done.suggested_name(), done.position, done.known_at)


@router.get("/exports/fhir.json")
async def fhir_download(visit: SignedIn, since: str | None = None) -> Response:
    """The mCSD Bundle of ``hrh export fhir --user <the visitor>``: everything, or what changed since ``since``."""
    try:
        moment = moment_of(since, end=False) if since else None
    except ValueError:
        return refused(visit, Refused(unreadable_known_at(since or "")))
    base = str(visit.request.base_url).rstrip("/") + FHIR_PREFIX
    try:
        done = await fhir_bundle(visit.services, visit.user, base=base, since=moment)
    except Refused as error:
        return refused(visit, error)
    name = f"hrh-fhir-{'changes' if moment else 'all'}-position-{done.position}.json"
    headers = file_headers(name, done.position, done.known_at)
    # Streamed from the export's spool (gzipped on the way by the app's middleware): never whole in memory.
    return StreamingResponse(done.chunks(), media_type="application/fhir+json", headers=headers)


@router.get("/exports/nhwa.{kind}")
async def nhwa_download(visit: SignedIn, kind: str, year: str = "", country: str | None = None) -> Response:
    """The NHWA figures of ``year`` that ``hrh export nhwa --user <the visitor>`` writes, as CSV or XLSX."""
    if kind not in nhwa_files.FORMATS:
        return visit.render("not_found.html", status_code=404)
    if not year.strip().isdigit():
        return refused(visit, unreadable(UNREADABLE_YEAR, year))
    try:
        done = await nhwa_figures(visit.services, visit.user, int(year), country=(country or "").strip() or None)
    except ExportError as error:
        return refused(visit, Refused(Refusal(error.code, str(error))))
    except Refused as error:
        return refused(visit, error)
    content, media_type = nhwa_files.file_bytes(done, kind), staffing_files.MEDIA_TYPES[kind]
    return attachment(content, media_type, done.suggested_name(kind), done.position, done.known_at)
