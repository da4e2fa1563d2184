"""Downloads of exports, run as the signed-in user: ``/units/<code>/staffing.csv`` and ``.xlsx``.

The file is the one ``hrh export staffing --user <the visitor>`` writes (``api.exports``), so the
visitor gets the roster the API would give them, personal fields only where they may read them. What
it reflects travels in its name and in the headers ``X-Ledger-Position``, ``X-As-Of`` and ``X-Known-At``.
"""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.exports import staffing_files
from api.exports.staffing import ListMoving, staffing_list
from api.operations import Refusal, Refused
from api.web.moments import moment_of, unreadable_known_at
from api.web.pages import SignedIn
from api.web.views.units import refused
from domain.errors import N_

router = APIRouter()

UNREADABLE_AS_OF = N_("“As of” must be a date (2017-12-31), not “{value}”.")
LIST_MOVING = N_("The ledger moved while the list was read; download it again.")


def bad_as_of(value: str) -> Refused:
    return Refused(Refusal("BAD_USER_INPUT", UNREADABLE_AS_OF.format(value=value), UNREADABLE_AS_OF, {"value": value}))


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
        return refused(visit, bad_as_of(as_of or ""))
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
    headers = {
        "Content-Disposition": f'attachment; filename="{staffing_files.file_name(found, kind)}"',
        "X-Ledger-Position": str(found.position),
        "X-As-Of": found.as_of.isoformat(),
        "X-Known-At": found.known_at.isoformat() if found.known_at else "",
    }
    content = staffing_files.file_bytes(found, kind, visit.language)
    return Response(content, media_type=staffing_files.MEDIA_TYPES[kind], headers=headers)
