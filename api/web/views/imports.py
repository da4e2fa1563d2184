"""The import page (DESIGN, "Spreadsheet import"): the template to download, an upload that is first only
checked (a dry run, with every row's errors), and recording on confirmation.

The check and the recording run in the background on the server (``api.web.import_jobs`` keeps where they
stand), so a slow line never holds a request open for minutes: the page shows the progress and reloads itself
until the report is there. Both run the import of ``hrh import`` (``api.imports``) as the visitor, so a row is
refused for the reasons the same mutation would be, with the visitor's scope.
"""

import asyncio
import io
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from api.access import WRITERS, require
from api.imports.annotated import errors_by_row, write_annotated
from api.imports.importing import import_rows
from api.imports.reading import read_rows
from api.imports.rows import RowError
from api.imports.template import write_template_for
from api.operations import Refusal
from api.web.import_jobs import Job, Jobs
from api.web.pages import SignedIn, Visit
from domain.errors import N_
from domain.errors import Refusal as DomainRefusal

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUFFIXES = (".xlsx", ".csv")
PROGRESS_EVERY = 0.5  # seconds between two saves of a job's progress
NO_FILE = N_("Choose a file: an XLSX workbook made from the template, or a CSV file.")
NOT_A_SPREADSHEET = N_("“{name}” is neither an XLSX workbook nor a CSV file.")
running: set[asyncio.Task[None]] = set()  # the jobs under way in this process, kept from the garbage collector


def jobs(visit: Visit) -> Jobs:
    return Jobs(visit.request.app.state.settings.data_dir / "imports")


def refusal(code: str, template: str, **params: Any) -> Refusal:
    return Refusal(code, template.format(**params), template, params)


@router.get("/import")
async def import_page(visit: SignedIn) -> Response:
    return visit.render("import.html", refusal=None)


@router.get("/import/template.xlsx")
async def template(visit: SignedIn) -> Response:
    """The template, its drop-downs listing the facilities and cadres the visitor can name."""
    content = io.BytesIO()
    await write_template_for(visit.services, visit.user, content)
    headers = {"Content-Disposition": 'attachment; filename="hrh-import-template.xlsx"'}
    return Response(content.getvalue(), media_type=XLSX, headers=headers)


async def upload(visit: SignedIn) -> Response:
    """Keeps the uploaded file and starts its check; then the job's page."""
    form = await visit.form()
    try:
        require(visit.user, *WRITERS)
    except DomainRefusal as error:
        return visit.render("import.html", status_code=403, refusal=Refusal.of_refusal(error.code, error))
    sent = form.get("file")
    if not isinstance(sent, UploadFile) or not sent.filename:
        return visit.render("import.html", status_code=400, refusal=refusal("BAD_USER_INPUT", NO_FILE))
    if Path(sent.filename).suffix.lower() not in SUFFIXES:
        bad = refusal("BAD_USER_INPUT", NOT_A_SPREADSHEET, name=sent.filename)
        return visit.render("import.html", status_code=400, refusal=bad)
    job = jobs(visit).create(
        visit.user.name, sent.filename, await sent.read(), all_or_nothing=bool(form.get("allOrNothing"))
    )
    start(visit, job, dry_run=True)
    return visit.redirect(f"/import/{job.id}")


@router.get("/import/{job_id}")
async def job_page(visit: SignedIn, job_id: str) -> Response:
    job = jobs(visit).get(job_id, visit.user.name)
    if job is None:
        return visit.render("not_found.html", status_code=404)
    return visit.render("import_job.html", job=job, errors=errors_of(job))


@router.post("/import/{job_id}/record")
async def record(visit: SignedIn, job_id: str) -> Response:
    """Records the checked file's rows (a job checked, not yet recorded, and not under way)."""
    await visit.form()
    job = jobs(visit).get(job_id, visit.user.name)
    if job is None:
        return visit.render("not_found.html", status_code=404)
    if job.phase == "checked" and jobs(visit).claim(job, "recording"):
        start(visit, job, dry_run=False)
    return visit.redirect(f"/import/{job.id}")


@router.get("/import/{job_id}/errors.xlsx")
async def annotated(visit: SignedIn, job_id: str) -> Response:
    """The uploaded workbook again, with a column that says each row's errors."""
    store = jobs(visit)
    job = store.get(job_id, visit.user.name)
    if job is None or job.report is None:
        return visit.render("not_found.html", status_code=404)
    errors = errors_by_row(RowError(**e) for e in errors_of(job))
    content = io.BytesIO()
    await asyncio.to_thread(write_annotated, store.upload(job), errors, content, language=visit.language)
    name = Path(job.file_name).stem.replace('"', "") + "-errors.xlsx"
    return Response(
        content.getvalue(), media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def start(visit: Visit, job: Job, *, dry_run: bool) -> None:
    """Runs the job's check (``dry_run``) or its recording in the background, saving its progress and report."""
    store, services, user = jobs(visit), visit.services, visit.user
    job.phase, job.done = ("checking" if dry_run else "recording"), 0
    store.save(job)

    async def run() -> None:
        try:
            rows = read_rows(store.upload(job))
            report = await import_rows(
                services, user, rows, dry_run=dry_run, all_or_nothing=job.all_or_nothing, progress=saver(store, job)
            )
        except DomainRefusal as error:  # all-or-nothing overtaken by another writer: nothing recorded
            job.phase, job.failure = "failed", f"{error.code}: {error.message}"
        except Exception as error:  # the page must say it ended, whatever ended it; the log gets the traceback
            job.phase, job.failure = "failed", f"{type(error).__name__}: {error}"
            raise
        else:
            job.phase, job.report = ("checked" if dry_run else "recorded"), asdict(report)
        finally:
            store.save(job)

    task = asyncio.create_task(run())
    running.add(task)
    task.add_done_callback(running.discard)


def saver(store: Jobs, job: Job) -> Callable[[int], None]:
    """The import's progress callback (rows gone through), saving the job at most every ``PROGRESS_EVERY``."""
    last = 0.0

    def progress(rows: int) -> None:
        nonlocal last
        job.done += rows
        if time.monotonic() - last >= PROGRESS_EVERY:
            last = time.monotonic()
            store.save(job)

    return progress


def errors_of(job: Job) -> list[dict[str, Any]]:
    return list((job.report or {}).get("errors", []))


def install(app: FastAPI) -> None:
    """The upload's route, whose body may be larger than other requests' (``HRH_MAX_UPLOAD_BYTES``)."""
    limit = app.state.settings.max_upload_bytes
    app.add_api_route("/import", upload, methods=["POST"], include_in_schema=False, max_body_size=limit)
