"""Growth benchmark (issue 19): what the demo costs, as a user runs it, scale by scale.

    .venv/bin/python -m tests.benchmarks.bench_growth --scales 1 10 30 [--out DIR] [--keep] [--runs 100]
                                                      [--exports nhwa fhir dhis2 staffing]
                                                      [--results FILE.json] [--chart FILE.png] [--report]

Each scale runs in a process of its own, on a fresh embedded PostgreSQL in ``DIR/scale-S`` (deleted
at the end unless ``--keep``; kept, ``hrh serve --data-dir DIR/scale-S`` serves it). Every step is
the ``hrh`` command a user runs, in a subprocess, timed, with the peak memory of its process tree
and of PostgreSQL (``growth_memory``):

1. ``hrh demo --no-serve --scale S``: the first load (its own figure, from the demo's summary) and
   the read tables' first build; then the database's and the data folder's size;
2. ``hrh rebuild``, between two raw reads of the events table (``bench_projections``);
3. ``hrh verify``; ``hrh export-log``; ``hrh import-log`` into a fresh database, against a raw
   binary COPY of the stored rows (``bench_restore``);
4. ``hrh export nhwa``, ``fhir``, ``dhis2`` and ``staffing`` (``--exports``: some of them only);
5. ``hrh serve``, and the planner queries over HTTP (``growth_queries``), run right after step 2 (the
   rebuild), before the rest.

The results merge by scale into ``--results`` (by default ``tests/benchmarks/results/growth.json``,
kept in git: a later ``--scales 30`` adds to the earlier scales), and the whole is written as
Markdown (the same name, ``.md``; printed too) and as a chart (``--chart``, by default
``docs/img/performance/growth.png``).
"""

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from api.database import start_embedded
from tests.benchmarks import growth_steps
from tests.benchmarks.growth_memory import postmaster
from tests.benchmarks.growth_queries import queries
from tests.benchmarks.growth_report import chart, markdown
from tests.benchmarks.growth_steps import log

CHART = Path("docs/img/performance/growth.png")
RESULTS = Path("tests/benchmarks/results/growth.json")


def one_scale(scale: float, out: Path, keep: bool, runs: int, chosen: tuple[str, ...]) -> dict[str, Any]:
    """Every step at ``scale`` on a fresh embedded server in ``out/scale-S``."""
    folder = out / f"scale-{scale:g}"
    if folder.exists():
        shutil.rmtree(folder)
    url = start_embedded(folder, delete_on_exit=not keep)  # its database "postgres" holds the ledger
    pgdata = folder / "pgdata"
    pg_pid = postmaster(pgdata)
    started = time.perf_counter()
    result: dict[str, Any] = {"scale": scale, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    result["commit"] = commit()
    partial = out / f"scale-{scale:g}.partial.json"  # what is measured so far, should a later step fail
    result.update(growth_steps.load_and_rebuild(url, pg_pid, pgdata, scale))
    partial.write_text(json.dumps(result, indent=1))
    # The queries first after the build: at the largest scales they are what a run is most wanted for.
    log(f"scale {scale:g}: hrh serve and the queries")
    result["queries"] = queries(url, pg_pid, runs)
    partial.write_text(json.dumps(result, indent=1))
    events = result["events"]
    result.update(growth_steps.verify_and_restore(url, url, pg_pid, folder, events))
    partial.write_text(json.dumps(result, indent=1))
    result.update(growth_steps.exports(url, pg_pid, folder, events, chosen))
    partial.unlink()
    result["seconds"] = round(time.perf_counter() - started)
    log(f"scale {scale:g}: done in {result['seconds']} s")
    return result


def commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def merged(path: Path, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The results in ``path`` with ``results`` in place of those of the same scales, by scale."""
    by_scale = {r["scale"]: r for r in json.loads(path.read_text())} if path.exists() else {}
    by_scale.update({r["scale"]: r for r in results})
    return [by_scale[s] for s in sorted(by_scale)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0, 30.0])
    parser.add_argument("--out", type=Path, default=Path(".bench/growth"), help="where the scales' data go")
    parser.add_argument("--keep", action="store_true", help="keep each scale's data folder")
    parser.add_argument("--runs", type=int, default=100, help="timed runs of each query (after runs/10 warm-up)")
    parser.add_argument(
        "--exports",
        nargs="*",
        choices=growth_steps.EXPORTS,
        default=list(growth_steps.EXPORTS),
        help="the exports to time (all by default)",
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="the results by scale, merged (JSON)")
    parser.add_argument("--chart", type=Path, default=CHART, help="where to draw the chart (.png or .svg)")
    parser.add_argument("--report", action="store_true", help="run nothing: write the Markdown and chart of --results")
    parser.add_argument("--child", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    out = args.out.resolve()
    if args.child is not None:
        print(json.dumps(one_scale(args.child, out, args.keep, args.runs, tuple(args.exports))))
        return
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for scale in [] if args.report else args.scales:
        child = [sys.executable, "-m", "tests.benchmarks.bench_growth", "--child", str(scale), "--out", str(out)]
        child += ["--runs", str(args.runs), "--exports", *args.exports] + (["--keep"] if args.keep else [])
        done = subprocess.run(child, stdout=subprocess.PIPE, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"scale {scale:g} failed (exit {done.returncode})")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        if not args.keep:
            shutil.rmtree(out / f"scale-{scale:g}", ignore_errors=True)
        save(args.results, args.chart, results)  # each scale as soon as it is measured
    print(save(args.results, args.chart, results))
    log(f"results: {args.results} (and .md); chart: {args.chart}")


def save(results_path: Path, chart_path: Path, results: list[dict[str, Any]]) -> str:
    """Merges ``results`` into the JSON at ``results_path``, and writes its Markdown (returned) and chart."""
    every = merged(results_path, results)
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(every, indent=1) + "\n")
    table = markdown(every)
    results_path.with_suffix(".md").write_text(table)
    chart(every, chart_path)
    return table


if __name__ == "__main__":
    main()
