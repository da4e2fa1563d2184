"""The growth benchmark (``tests/benchmarks/bench_growth``) end to end at scale 0.1: every step runs,
every figure is there, and the report and the chart are written.

It takes 55–80 s, so it stays out of the default run (``tests/benchmarks`` is not collected);
run it by its path: ``.venv/bin/pytest tests/benchmarks/test_bench_growth.py``.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.benchmarks.bench_growth import merged
from tests.benchmarks.growth_report import STEPS

pytestmark = pytest.mark.integration


def test_the_growth_benchmark_measures_every_step_at_a_small_scale_and_merges_its_results(tmp_path: Path) -> None:
    chart, results = tmp_path / "growth.svg", tmp_path / "results" / "growth.json"
    command = [sys.executable, "-m", "tests.benchmarks.bench_growth", "--scales", "0.1", "--runs", "5"]
    done = subprocess.run(
        [*command, "--out", str(tmp_path), "--results", str(results), "--chart", str(chart)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    [result] = json.loads(results.read_text())
    assert result["scale"] == 0.1 and result["events"] > 10_000 and result["workers"] > 1000
    for key in STEPS:
        memory = result["queries"]["memory"] if key == "server" else result[key]["memory"]
        assert memory["largest_mb"] > 50 and memory["tree_mb"] > 0 and memory["pg_mb"] > 0, (key, memory)
    assert result["queries"]["memory"]["processes"] >= 2  # the server's workers and its runner
    assert 0 < result["rebuild"]["ratio"] < 1 and 0 < result["import_log"]["ratio"] < 1
    for query in ("staffing", "density", "establishment", "dashboard"):
        assert 0 < result["queries"]["http"][query]["p50"] <= result["queries"]["http"][query]["p95"]
    assert result["database_bytes"] > 0 and result["data_folder_bytes"] > result["database_bytes"]
    assert not (tmp_path / "scale-0.1").exists()  # the data folder is deleted without --keep
    assert "| 0.1 | " in results.with_suffix(".md").read_text() and "| 0.1 | " in done.stdout
    assert chart.read_text().startswith("<?xml")

    # A later run of other scales adds to these results; one of the same scale replaces them.
    again = merged(results, [{"scale": 30.0}, {"scale": 0.1, "events": 1}])
    assert [r["scale"] for r in again] == [0.1, 30.0] and again[0] == {"scale": 0.1, "events": 1}
