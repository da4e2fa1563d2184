"""The forms that record a worker's movements, and the org tree's, on the same machinery
(``api.web.forms``): GET shows the form, POST records the command, then redirects to the page that
shows it (POST/redirect/GET) with ``data-position``; a refusal shows the form again with what was
typed and ``data-error-code`` beside the field it concerns."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from api.operations import Refused
from api.web import forms
from api.web.forms import CommandForm, Filled
from api.web.pages import SignedIn, Visit
from domain.errors import N_

router = APIRouter()

WORKER_FORMS = {
    f.mutation: f
    for f in (
        CommandForm("postWorker", N_("Post to a facility"), ("workerId",)),
        CommandForm("transferWorker", N_("Transfer"), ("workerId",)),
        CommandForm("recordTraining", N_("Record a training"), ("workerId",)),
        CommandForm("startLeave", N_("Start a leave"), ("workerId",)),
        CommandForm("endLeave", N_("End the leave"), ("workerId",)),
        CommandForm("requalifyWorker", N_("Requalify"), ("workerId",)),
        CommandForm("recordDeparture", N_("Record a departure"), ("workerId",)),
        CommandForm("rehireWorker", N_("Rehire"), ("workerId",)),
        CommandForm("correctWorkerDetails", N_("Correct details"), ("workerId",)),
        CommandForm("retractEvent", N_("Retract an event"), ("workerId",)),
    )
}
HIRE = CommandForm("hireWorker", N_("Hire a worker"))
FIRST_POSTING = CommandForm("postWorker", N_("First posting"), ("workerId",))
UNIT_FORMS = {
    f.mutation: f
    for f in (
        CommandForm("openOrgUnit", N_("Open a unit under this one"), ("parentCode",), "position"),
        CommandForm("moveOrgUnit", N_("Move this unit"), ("code",), "position"),
        CommandForm("closeOrgUnit", N_("Close this unit"), ("code",), "position"),
        CommandForm("recordPopulation", N_("Record a population estimate"), ("orgUnitCode",), "position"),
        CommandForm("setEstablishment", N_("Set the establishment"), ("facilityCode",), "position"),
    )
}
WORKER_NOW = "query Now($id: ID!) { worker(id: $id) { id familyName givenNames facility { code } } }"


def typed(form: Any) -> dict[str, str]:
    return {k: str(v) for k, v in form.items() if k != "csrf"}


async def record(visit: Visit, filled: Filled) -> Any:
    """Records the filled form's command; on refusal, marks the form with it.

    Returns the mutation's payload, or None when refused.
    """
    variables = {"input": forms.input_of(filled.fields, filled.values)}
    try:
        return (await visit.ask(filled.form.document, variables))[filled.form.mutation]
    except Refused as refused:
        filled.refusal = refused.refusal
        filled.refused_field = forms.refused_field(filled.fields, filled.values, refused.refusal)
        return None


def show(visit: Visit, filled: Filled, back: str, status_code: int = 200) -> Response:
    return visit.render("command.html", filled=filled, back=back, status_code=status_code)


async def worker_form(visit: Visit, worker_id: str, mutation: str) -> tuple[CommandForm, dict[str, Any]] | Response:
    form = WORKER_FORMS.get(mutation)
    worker = None
    if form is not None:
        try:
            worker = (await visit.ask(WORKER_NOW, {"id": worker_id}))["worker"]
        except Refused as refused:
            return visit.render("refused.html", status_code=403, refusal=refused.refusal)
    if form is None or worker is None:
        return visit.render("not_found.html", status_code=404)
    return form, worker


@router.get("/workers/{worker_id}/do/{mutation}")
async def worker_command_form(visit: SignedIn, worker_id: str, mutation: str) -> Response:
    found = await worker_form(visit, worker_id, mutation)
    if isinstance(found, Response):
        return found
    form, worker = found
    values = {"workerId": worker_id}
    if worker["facility"] is not None:
        values["expectedFromFacilityCode"] = worker["facility"]["code"]
    if "position" in visit.request.query_params:
        values["position"] = visit.request.query_params["position"]
    filled = await forms.blank(visit, form, **values)
    filled.extra["worker"] = worker
    return show(visit, filled, f"/workers/{worker_id}")


@router.post("/workers/{worker_id}/do/{mutation}")
async def worker_command(visit: SignedIn, worker_id: str, mutation: str) -> Response:
    values = typed(await visit.form())
    found = await worker_form(visit, worker_id, mutation)
    if isinstance(found, Response):
        return found
    form, worker = found
    filled = Filled(form, await forms.fields_of(visit, form), {**values, "workerId": worker_id})
    filled.extra["worker"] = worker
    payload = await record(visit, filled)
    if payload is None:
        return show(visit, filled, f"/workers/{worker_id}", status_code=422)
    return visit.redirect(f"/workers/{worker_id}?recorded={payload['position']}")


@router.get("/workers/new")
async def hire_form(visit: SignedIn) -> Response:
    filled = await forms.blank(visit, HIRE)
    filled.extra["posting"] = await forms.blank(visit, FIRST_POSTING)
    return show(visit, filled, "/workers")


@router.post("/workers/new")
async def hire(visit: SignedIn) -> Response:
    """Hires, then records the first posting (its commandId derived from the hire's, so a resubmit
    records neither twice)."""
    values = typed(await visit.form())
    filled = Filled(HIRE, await forms.fields_of(visit, HIRE), values)
    posting = Filled(FIRST_POSTING, await forms.fields_of(visit, FIRST_POSTING), {})
    filled.extra["posting"] = posting
    hired = await record(visit, filled)
    if hired is None:
        return show(visit, filled, "/workers", status_code=422)
    worker_id = hired["worker"]["id"]
    posting.values = {
        "workerId": worker_id,
        "facilityCode": values.get("facilityCode", ""),
        "effectiveOn": values.get("effectiveOn", ""),
        "authority": values.get("authority", ""),
        "commandId": f"{values.get('commandId', '')}:post" if values.get("commandId") else "",
    }
    posted = await record(visit, posting)
    if posted is None:
        posting.extra["worker"] = {"id": worker_id}
        return show(visit, posting, f"/workers/{worker_id}", status_code=422)
    return visit.redirect(f"/workers/{worker_id}?recorded={posted['position']}")


@router.get("/units/{code}/do/{mutation}")
async def unit_command_form(visit: SignedIn, code: str, mutation: str) -> Response:
    form = UNIT_FORMS.get(mutation)
    if form is None:
        return visit.render("not_found.html", status_code=404)
    filled = await forms.blank(visit, form, **dict.fromkeys(form.given, code))
    return show(visit, filled, f"/units/{code}")


@router.post("/units/{code}/do/{mutation}")
async def unit_command(visit: SignedIn, code: str, mutation: str) -> Response:
    form = UNIT_FORMS.get(mutation)
    if form is None:
        return visit.render("not_found.html", status_code=404)
    values = {**typed(await visit.form()), **dict.fromkeys(form.given, code)}
    filled = Filled(form, await forms.fields_of(visit, form), values)
    payload = await record(visit, filled)
    if payload is None:
        return show(visit, filled, f"/units/{code}", status_code=422)
    return visit.redirect(f"/units/{code}?recorded={payload['position']}")
