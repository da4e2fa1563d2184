"""The harness from the command line; exits 1 when a check failed.

.venv/bin/python -m tests.load --clerks 8 --planners 4 --seconds 90 --faults worker,runner,server,postgres
.venv/bin/python -m tests.load --seconds 60 --faults none         # load alone
"""

import argparse
import json
import sys
import tempfile
import uuid
from pathlib import Path

from tests.load.faults import FAULTS, RECOVERY_SECONDS, STEADY_SECONDS
from tests.load.ledger_check import CATCH_UP_SECONDS
from tests.load.run import Plan, run_load


def faults(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip() and n.strip() != "none")
    unknown = [n for n in names if n not in FAULTS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown fault {', '.join(unknown)}; the faults are {', '.join(FAULTS)}")
    return names


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.load", description=__doc__.splitlines()[0])
    parser.add_argument("--clerks", type=int, default=8, help="HR managers recording commands (default 8)")
    parser.add_argument("--planners", type=int, default=4, help="planners reading figures (default 4)")
    parser.add_argument("--seconds", type=float, default=90, help="least duration of the load (default 90)")
    parser.add_argument(
        "--faults", type=faults, default=FAULTS, help=f"comma-separated, in order, or none (default {','.join(FAULTS)})"
    )
    parser.add_argument("--workers", type=int, default=2, help="hrh serve --workers (default 2)")
    parser.add_argument("--think", type=float, default=0.0, help="seconds each client pauses between operations")
    parser.add_argument("--lead", type=float, default=5.0, help="seconds of load before the first fault")
    parser.add_argument("--recovery", type=float, default=RECOVERY_SECONDS, help="longest a fault's window lasts")
    parser.add_argument(
        "--steady", type=float, default=STEADY_SECONDS, help="seconds of clean load required after each"
    )
    parser.add_argument("--catch-up", type=float, default=CATCH_UP_SECONDS, help="seconds the runner gets afterwards")
    parser.add_argument("--database-url", help="a PostgreSQL server to use (no postgres fault then); default: embedded")
    parser.add_argument("--json", type=Path, help="also write the failed checks and the figures there")
    args = parser.parse_args()
    plan = Plan(
        clerks=args.clerks,
        planners=args.planners,
        seconds=args.seconds,
        faults=args.faults,
        workers=args.workers,
        think=args.think,
        lead=args.lead,
        recovery=args.recovery,
        steady=args.steady,
        catch_up=args.catch_up,
    )
    folder = Path(tempfile.gettempdir()) / f"hrh-load-{uuid.uuid4().hex[:8]}"
    print(f"serving from {folder} (hrh serve logs there)", file=sys.stderr)
    run = run_load(plan, folder, args.database_url)
    print(run.text())
    if args.json:
        args.json.write_text(json.dumps({"report": run.text().splitlines(), "problems": run.problems}, indent=2))
    return 1 if run.failed() else 0


if __name__ == "__main__":
    sys.exit(main())
