"""One benchmark on an older commit and on this tree, alternately, against one database server.

    .venv/bin/python -m tests.benchmarks.side_by_side --old COMMIT [--rounds 2] -- bench_write --scale 1

The older commit is checked out in ``.bench/<commit>`` (a git worktree) with a virtual environment
of its own, made on first use; each round runs the benchmark module there, then here, as separate
processes on the same PostgreSQL server (DATABASE_URL's, or one embedded server started for the
whole run), so that both see the same machine and the same server settings. Each run prints its
own tables, with the baseline that benchmark measures in the same process: compare the ratios,
not the raw rates, since the machine's speed drifts between runs.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def checkout(commit: str) -> Path:
    """The worktree of ``commit`` under ``.bench/``, installed in a virtual environment of its own."""
    sha = subprocess.run(["git", "rev-parse", commit], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    tree = ROOT / ".bench" / sha.strip()[:12]
    if not tree.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), sha.strip()], cwd=ROOT, check=True)
    python = tree / ".venv" / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(tree / ".venv")], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-e", ".[dev]"], cwd=tree, check=True)
    return tree


def database_url(data_dir: Path) -> str:
    """DATABASE_URL when set; otherwise an embedded server that lives as long as this process."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    from api.database import start_embedded

    return start_embedded(data_dir, delete_on_exit=True)


def run(tree: Path, label: str, bench: list[str], url: str) -> None:
    print(f"\n## {label} ({tree})\n", flush=True)
    command = [str(tree / ".venv" / "bin" / "python"), "-m", f"tests.benchmarks.{bench[0]}", *bench[1:]]
    subprocess.run(command, cwd=tree, env={**os.environ, "DATABASE_URL": url}, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", required=True, help="the commit to compare with (e.g. the one before a change)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each tree, alternately")
    parser.add_argument("bench", nargs=argparse.REMAINDER, help="-- MODULE [ARGS]: a module of tests/benchmarks")
    args = parser.parse_args()
    bench = [part for part in args.bench if part != "--"]
    if not bench:
        parser.error("name a benchmark module after --, e.g. -- bench_write --scale 1")
    old = checkout(args.old)
    with tempfile.TemporaryDirectory(prefix="hrh-side-by-side-") as scratch:
        url = database_url(Path(scratch))
        for round_ in range(1, args.rounds + 1):
            run(old, f"old {args.old}, round {round_}", bench, url)
            run(ROOT, f"new, round {round_}", bench, url)


if __name__ == "__main__":
    main()
