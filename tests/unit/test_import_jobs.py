"""The import page's jobs on disk: shown to their uploader only, started once however often the recording is
asked, and a job whose process died is said to have failed rather than waited for for ever."""

import json
import time
from pathlib import Path

from api.web.import_jobs import SILENT_SECONDS, Jobs


def test_a_job_is_its_uploader_s_and_keeps_the_file_under_its_name(tmp_path: Path) -> None:
    jobs = Jobs(tmp_path)
    job = jobs.create("fatou", "postWorker.csv", b"civilServiceNumber\n", all_or_nothing=False)
    assert jobs.upload(job).name == "postWorker.csv" and jobs.upload(job).read_bytes() == b"civilServiceNumber\n"
    assert jobs.get(job.id, "fatou") == job
    assert jobs.get(job.id, "moussa") is None
    assert jobs.get("../../etc", "fatou") is None


def test_a_name_that_is_no_file_name_is_replaced(tmp_path: Path) -> None:
    job = Jobs(tmp_path).create("fatou", "..", b"", all_or_nothing=False)
    assert job.file_name == "upload"


def test_recording_is_claimed_once(tmp_path: Path) -> None:
    jobs = Jobs(tmp_path)
    job = jobs.create("fatou", "a.xlsx", b"", all_or_nothing=False)
    assert jobs.claim(job, "recording") is True
    assert jobs.claim(job, "recording") is False


def test_a_job_silent_too_long_has_failed(tmp_path: Path) -> None:
    jobs = Jobs(tmp_path)
    job = jobs.create("fatou", "a.xlsx", b"", all_or_nothing=False)
    assert jobs.get(job.id, "fatou").phase == "checking"  # type: ignore[union-attr]
    state = tmp_path / job.id / "job.json"
    saved = json.loads(state.read_text())
    state.write_text(json.dumps({**saved, "saved": time.time() - SILENT_SECONDS - 1}))
    found = jobs.get(job.id, "fatou")
    assert found is not None and found.phase == "failed" and found.failure
