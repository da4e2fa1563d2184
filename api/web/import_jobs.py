"""Spreadsheets uploaded on the import page, and where their check or their recording stands.

A job lives in a folder of its own under ``HRH_DATA_DIR/imports``: the uploaded file, and ``job.json`` with its
owner, its phase, its progress and, once done, its report. On disk rather than in memory because ``hrh serve``
runs several processes: the page that follows an upload may be answered by another process than the one that
checks it. A job is only ever shown to the user who uploaded it.
"""

import json
import os
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

KEEP_SECONDS = 24 * 3600
"""How long an upload and its report are kept; older ones go when the next upload comes."""
JOB_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
SILENT_SECONDS = 300
"""A job under way saves its progress every half second; one silent this long died with its server process."""


@dataclass
class Job:
    """One upload: who sent it, what they asked, and how far its check (``dry_run``) or recording has gone."""

    id: str
    owner: str
    file_name: str
    all_or_nothing: bool
    phase: str = "checking"  # checking, checked, recording, recorded, failed
    done: int = 0  # rows gone through so far
    report: dict[str, Any] | None = None  # the last run's report (``api.imports.importing``), as saved
    failure: str | None = None
    created: float = field(default_factory=time.time)
    saved: float = field(default_factory=time.time)

    @property
    def running(self) -> bool:
        return self.phase in ("checking", "recording")

    def stopped(self) -> None:
        """Marks a job under way that its process no longer moves as failed, so its page stops waiting."""
        if self.running and time.time() - self.saved > SILENT_SECONDS:
            self.phase, self.failure = "failed", "the server stopped while it ran"


class Jobs:
    """The jobs under one folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def create(self, owner: str, file_name: str, content: bytes, *, all_or_nothing: bool) -> Job:
        """A new job holding ``content``, its check to be run."""
        self.forget_old()
        name = Path(file_name).name
        job = Job(secrets.token_urlsafe(18), owner, name if name.strip(".") else "upload", all_or_nothing)
        self.upload(job).parent.mkdir(parents=True)
        self.upload(job).write_bytes(content)
        self.save(job)
        return job

    def upload(self, job: Job) -> Path:
        """The uploaded file, under the name it was sent with (a CSV file's name says its command)."""
        return self.root / job.id / "upload" / job.file_name

    def save(self, job: Job) -> None:
        """Writes the job's state whole (written aside, then renamed: a reader never sees half of it)."""
        job.saved = time.time()
        path = self.root / job.id / "job.json"
        aside = path.with_suffix(".tmp")
        aside.write_text(json.dumps(asdict(job), ensure_ascii=False, default=str), encoding="utf-8")
        os.replace(aside, path)

    def get(self, job_id: str, owner: str) -> Job | None:
        """The job ``job_id`` of ``owner``; None when there is none, or it is someone else's."""
        if not JOB_ID.fullmatch(job_id):
            return None
        try:
            saved = json.loads((self.root / job_id / "job.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        job = Job(**saved)
        if job.owner != owner:
            return None
        job.stopped()
        return job

    def claim(self, job: Job, phase: str) -> bool:
        """True for the first caller only to move ``job`` to ``phase`` (a double click starts one run, not two)."""
        try:
            (self.root / job.id / f"{phase}.claimed").touch(exist_ok=False)
        except FileExistsError:
            return False
        return True

    def forget_old(self) -> None:
        if not self.root.is_dir():
            return
        limit = time.time() - KEEP_SECONDS
        for folder in self.root.iterdir():
            if folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
