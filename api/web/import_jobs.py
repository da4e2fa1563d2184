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

    @property
    def running(self) -> bool:
        return self.phase in ("checking", "recording")


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
        return job if job.owner == owner else None

    def forget_old(self) -> None:
        if not self.root.is_dir():
            return
        limit = time.time() - KEEP_SECONDS
        for folder in self.root.iterdir():
            if folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
