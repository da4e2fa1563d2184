"""A worker's rules are named guards; each command calls, in order, the guards its kind of event
passes when a back-dated event or a retraction replays the timeline (``worker_rules.RULES``)."""

import ast
import inspect
from datetime import date

import pytest

from domain import worker
from domain.errors import SameFacility, WorkerDeparted, WorkerNotHired
from domain.worker_rules import RULES, check_destination_differs, check_employed_on
from domain.worker_state import Entry, Kind, State

COMMAND_LEVEL = {"check_origin_unchanged"}  # needs what the clerk saw, not the state on a date


def method_calls(method: ast.FunctionDef) -> list[tuple[int, str, ast.Call]]:
    """The calls of the form ``something.name(...)`` in ``method``, in source order."""
    found = [
        (n.lineno, n.func.attr, n)
        for n in ast.walk(method)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
    ]
    return sorted(found, key=lambda call: call[0])


def guards_called_by_command() -> dict[Kind, list[str]]:
    """Per kind of entry a Worker command records, the names of the ``rules.check_*`` it calls."""
    (cls,) = [n for n in ast.parse(inspect.getsource(worker)).body if isinstance(n, ast.ClassDef)]
    found: dict[Kind, list[str]] = {}
    for method in cls.body:
        if not isinstance(method, ast.FunctionDef):
            continue
        made = method_calls(method)
        kinds = [Kind[call.args[0].attr] for _, name, call in made if name == "_next"]
        if kinds:
            found[kinds[0]] = [
                name
                for _, name, call in made
                if isinstance(call.func.value, ast.Name) and call.func.value.id == "rules" and name not in COMMAND_LEVEL
            ]
    return found


def test_each_command_calls_the_guards_its_kind_is_replayed_with() -> None:
    called = guards_called_by_command()

    assert set(called) == set(RULES) - {Kind.HIRED}
    for kind, names in called.items():
        assert names == [guard.__name__ for guard in RULES[kind]], kind


def test_a_guard_raises_its_typed_error_and_lets_the_rest_pass() -> None:
    posted = State(hired=True, facility="HOSPITAL")
    transfer = Entry(3, Kind.TRANSFERRED, date(2021, 5, 1), "HOSPITAL")

    with pytest.raises(SameFacility):
        check_destination_differs(posted, transfer)
    with pytest.raises(WorkerNotHired):
        check_employed_on(State(), transfer)
    with pytest.raises(WorkerDeparted):
        check_employed_on(State(departed=True), transfer)
    check_employed_on(posted, transfer)
