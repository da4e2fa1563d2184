"""One run: a deployment, the org tree and the users, the clients under load while the faults go
in one after another, then the ledger check and the report."""

import asyncio
import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from tests.e2e.api_support import build_tree
from tests.load.calls import Journal, client
from tests.load.clerks import Clerk
from tests.load.commands import CommandBook
from tests.load.deployment import Deployment, deployed
from tests.load.faults import RECOVERY_SECONDS, STEADY_SECONDS, Injector
from tests.load.ledger_check import CATCH_UP_SECONDS, check_ledger
from tests.load.planners import Planner
from tests.load.report import Run


@dataclass(frozen=True)
class Plan:
    """What to run: ``seconds`` is the least duration; the run goes on until every fault is over."""

    clerks: int = 8
    planners: int = 4
    seconds: float = 90.0
    faults: tuple[str, ...] = ()
    workers: int = 2
    think: float = 0.0  # seconds each client pauses between its operations
    lead: float = 5.0  # seconds of undisturbed load before the first fault
    recovery: float = RECOVERY_SECONDS
    steady: float = STEADY_SECONDS
    catch_up: float = CATCH_UP_SECONDS
    seed: int = 15


@dataclass
class Users:
    """The tokens of the run's users, made through the API."""

    clerks: list[str] = field(default_factory=list)
    planners: list[str] = field(default_factory=list)
    auditor: str = ""
    probe_worker: str = ""


def prepare(deployment: Deployment, plan: Plan) -> Users:
    """The org tree, one HR manager (scope: the whole country) per clerk, a PLANNER per planner, an
    AUDITOR for the workers pages, and the probe's worker."""
    api = deployment.api
    build_tree(api)
    users = Users()
    users.clerks = [api.create_user(f"clerk-{n}", "HR_MANAGER", "ML") for n in range(plan.clerks)]
    users.planners = [api.create_user(f"planner-{n}", "PLANNER") for n in range(plan.planners)]
    users.auditor = api.create_user("auditor", "AUDITOR")
    users.probe_worker = str(api.hire("Probe")["worker"]["id"])
    api.post_worker(users.probe_worker, "F-111", "2016-01-04")
    return users


async def drive(deployment: Deployment, plan: Plan, users: Users) -> tuple[CommandBook, Injector, float]:
    """The clients and the faults; the book of commands, the injector (its faults) and the run's seconds."""
    book = CommandBook(Journal())
    stop = asyncio.Event()
    base = deployment.api.base
    async with contextlib.AsyncExitStack() as stack:
        stack.callback(deployment.clients.clear)
        tasks = []
        for n, token in enumerate(users.clerks):
            http = await stack.enter_async_context(client(base, token))
            deployment.clients.append(http)
            tasks.append(
                asyncio.create_task(Clerk(f"clerk-{n}", token, book, plan.seed + n).run(http, stop, plan.think))
            )
        for n, token in enumerate(users.planners):
            planner = await stack.enter_async_context(client(base, token))
            auditor = await stack.enter_async_context(client(base, users.auditor))
            deployment.clients += [planner, auditor]
            run = Planner(f"planner-{n}", book.journal, plan.seed + 1000 + n).run(planner, auditor, stop, plan.think)
            tasks.append(asyncio.create_task(run))
        admin = await stack.enter_async_context(client(base, deployment.api.admin_token))
        deployment.clients.append(admin)
        injector = Injector(deployment, book, admin, users.probe_worker, plan.recovery, plan.steady)
        try:
            await asyncio.gather(asyncio.sleep(plan.seconds), injector.run(list(plan.faults), plan.lead))
        finally:
            stop.set()
            seconds = book.journal.now()
            ended = await asyncio.gather(*tasks, return_exceptions=True)
        for result in ended:
            if isinstance(result, BaseException):
                raise result
    return book, injector, seconds


def run_load(plan: Plan, folder: Path, server_url: str | None = None) -> Run:
    """Runs ``plan`` against a deployment in ``folder`` (on ``server_url``'s PostgreSQL if given)."""
    folder.mkdir(parents=True, exist_ok=True)
    with deployed(folder, plan.workers, server_url) as deployment:
        users = prepare(deployment, plan)
        book, injector, seconds = asyncio.run(drive(deployment, plan, users))
        ledger = check_ledger(deployment, book, plan.catch_up)
    run = Run(plan.clerks, plan.planners, plan.workers, seconds, book.journal.calls, injector.faults, ledger)
    run.probes = injector.probes
    run.judge()
    return run
