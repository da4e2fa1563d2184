"""How the harness judges what it saw, on made-up runs: which answers count as coded, which
failures a fault's window accepts, and what the ledger must hold of each command."""

import httpx
import pytest

from tests.load.calls import Call, Journal, Kind, classify
from tests.load.commands import Command, CommandBook, Fate
from tests.load.faults import Fault
from tests.load.ledger_check import LedgerCheck, compare
from tests.load.report import STEADY, Run


def answer(status: int, body: object) -> httpx.Response:
    return httpx.Response(status, json=body) if not isinstance(body, str) else httpx.Response(status, text=body)


def coded(code: str) -> dict[str, object]:
    return {"data": None, "errors": [{"message": "m", "extensions": {"code": code}}]}


@pytest.mark.parametrize(
    ("status", "body", "kind", "code"),
    [
        (200, {"data": {"caughtUp": True}}, Kind.OK, ""),
        (200, coded("NOT_CAUGHT_UP"), Kind.CODED, "NOT_CAUGHT_UP"),
        (503, coded("SERVICE_UNAVAILABLE"), Kind.CODED, "SERVICE_UNAVAILABLE"),
        (503, "unavailable", Kind.CODED, "HTTP 503"),
        (200, coded("INTERNAL_SERVER_ERROR"), Kind.UNCODED, "INTERNAL_SERVER_ERROR"),
        (500, "Internal Server Error", Kind.UNCODED, "HTTP 500"),
        (500, coded("SERVICE_UNAVAILABLE"), Kind.UNCODED, "SERVICE_UNAVAILABLE"),
        (200, {"data": None}, Kind.UNCODED, "HTTP 200"),
    ],
)
def test_answers_are_coded_only_with_a_stable_code_and_no_plain_500(
    status: int, body: object, kind: Kind, code: str
) -> None:
    assert classify(answer(status, body))[:2] == (kind, code)


def call(started: float, kind: Kind = Kind.OK, code: str = "", seconds: float = 0.1, op: str = "postWorker") -> Call:
    return Call(op, "clerk-0", started, seconds, kind, code)


def judged(*calls: Call) -> Run:
    faults = [
        Fault("worker", injected=10, recovered=11, window_end=11, steady_end=15),
        Fault("postgres", injected=20, recovered=25, window_end=25, steady_end=29),
    ]
    run = Run(1, 1, 2, 40, list(calls), faults, LedgerCheck(caught_up_after=0.1, verify_exit=0))
    run.judge()
    return run


def test_a_fault_window_accepts_only_the_failures_that_fault_may_cause() -> None:
    run = judged(
        call(10.5, Kind.TRANSPORT, "ReadError"),  # a killed worker drops its connections
        call(9.9, Kind.TRANSPORT, "RemoteProtocolError"),  # in flight when the worker died
        call(21, Kind.CODED, "SERVICE_UNAVAILABLE"),
        call(22, Kind.CODED, "HTTP 503"),
        call(5),
        call(12),
    )
    assert run.failed() == []


def test_failures_are_put_in_the_period_they_overlap() -> None:
    run = judged(
        call(21, Kind.TRANSPORT, "ReadError"),  # PostgreSQL is down, but the server is alive
        call(10.5, Kind.UNCODED, "HTTP 500"),  # never accepted
        call(10.5, Kind.TIMEOUT, "TIMEOUT", seconds=15),
        call(12, Kind.CODED, "NOT_CAUGHT_UP"),  # after the worker's window: not healed
        call(3, Kind.CODED, "NOT_CAUGHT_UP"),  # undisturbed load
        call(22, Kind.CODED, "WORKER_NOT_POSTED"),  # a refusal means a lost or doubled command
    )
    assert sorted(run.problems["worker"]) == [
        "1 × postWorker: coded NOT_CAUGHT_UP (after worker)",
        "1 × postWorker: timeout TIMEOUT (during the fault)",
        "1 × postWorker: uncoded HTTP 500 (during the fault)",
    ]
    assert sorted(run.problems["postgres"]) == [
        "1 × postWorker: coded WORKER_NOT_POSTED (during the fault)",
        "1 × postWorker: transport ReadError (during the fault)",
    ]
    assert run.problems[STEADY] == ["1 × postWorker: coded NOT_CAUGHT_UP (steady)"]


def book_of(*commands: Command) -> CommandBook:
    book = CommandBook(Journal())
    book.commands = {c.command_id: c for c in commands}
    return book


def test_the_ledger_holds_each_acknowledged_command_once_at_its_position() -> None:
    fine = book_of(
        Command("a", "postWorker", "clerk-0", attempts=3, fate=Fate.ACKNOWLEDGED, position=7),
        Command("b", "endLeave", "clerk-0", fate=Fate.REFUSED),
        Command("c", "endLeave", "clerk-0", fate=Fate.UNKNOWN),
        Command("d", "endLeave", "clerk-0", fate=Fate.UNKNOWN),
    )
    check = compare(fine, {"a": [7], "c": [9]})
    assert (check.acknowledged, check.refused, check.unknown_recorded, check.unknown_absent, check.retried) == (
        1,
        1,
        1,
        1,
        1,
    )
    check.caught_up_after, check.verify_exit = 0.1, 0
    assert check.problems() == []


def test_lost_doubled_misplaced_and_refused_but_recorded_commands_are_problems() -> None:
    acknowledged = [Command(n, "transferWorker", "clerk-1", fate=Fate.ACKNOWLEDGED, position=5) for n in "xyz"]
    book = book_of(*acknowledged, Command("r", "startLeave", "clerk-1", fate=Fate.REFUSED, codes=["ALREADY_ON_LEAVE"]))
    check = compare(book, {"y": [5, 8], "z": [6], "r": [9]})
    check.caught_up_after, check.verify_exit = 0.1, 0
    assert [problem.split(":")[0] for problem in check.problems()] == [
        "LOST",
        "DUPLICATED",
        "startLeave r was refused (['ALREADY_ON_LEAVE']) but is in the ledger",
        "transferWorker y was acknowledged at 5, the ledger has it at [5, 8]",
        "transferWorker z was acknowledged at 5, the ledger has it at [6]",
    ]
