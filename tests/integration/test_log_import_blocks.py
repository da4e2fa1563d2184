"""``import-log`` in blocks checked by child processes (``replay.log_import``): the same ledger, and
the same refusal at the same line, as the lines read one by one in this process.

Blocks of 4 lines make every block boundary a place where a line can go wrong.
"""

import io
import json
import os
from collections.abc import Callable

import pytest

from domain.ledger import Ledger
from replay import log_import
from replay.log import export_log
from replay.log_import import ImportRefused, import_log
from tests.conftest import LedgerFactory
from tests.golden.scenario import record

pytestmark = pytest.mark.integration
BLOCK = 4


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log_import, "BLOCK", BLOCK)


@pytest.fixture
def lines(pg_ledger: Ledger) -> list[str]:
    record(pg_ledger)
    out = io.StringIO()
    export_log(pg_ledger, out)
    return out.getvalue().splitlines()


def exported(ledger: Ledger) -> list[str]:
    out = io.StringIO()
    export_log(ledger, out)
    return out.getvalue().splitlines()


@pytest.mark.parametrize("processes", [1, 2, 3])
def test_blocks_import_the_ledger_line_for_line(
    ledger_factory: LedgerFactory, lines: list[str], processes: int
) -> None:
    # A blank line starts the second block: the line before it is further up.
    with_blank = [*lines[:BLOCK], "", *lines[BLOCK:]]
    target = ledger_factory()
    assert import_log(target, with_blank, processes=processes) == len(lines)
    assert exported(target) == lines


def swap_across_a_boundary(lines: list[str]) -> int:
    """Swaps the last line of the first block with the first of the second; returns the first bad line's number."""
    lines[BLOCK - 1], lines[BLOCK] = lines[BLOCK], lines[BLOCK - 1]
    return BLOCK  # the line now there does not follow the one before it (its chain, or its version)


def repeat_a_position(lines: list[str]) -> int:
    """Gives the second block's first line the position of the line before it."""
    fields = json.loads(lines[BLOCK])
    fields["position"] = json.loads(lines[BLOCK - 1])["position"]
    lines[BLOCK] = json.dumps(fields)
    return BLOCK + 1


def skip_a_version(lines: list[str]) -> int:
    """Drops an event of an aggregate whose next event is in a later block."""
    parsed = [json.loads(line) for line in lines]
    for i, line in enumerate(parsed):
        later = [j for j in range(i + 1, len(parsed)) if parsed[j]["aggregate_id"] == line["aggregate_id"]]
        if later and later[0] // BLOCK > i // BLOCK + 1 and (i + 1) % BLOCK:
            del lines[i]
            return i + 1  # the line after it no longer follows its chain
    raise AssertionError("the scenario has no such aggregate")


def break_two_blocks(lines: list[str]) -> int:
    """Damages a line of the fourth block, then one of the second: the second is named."""
    lines[3 * BLOCK + 1] = "{not json"
    lines[BLOCK + 2] = lines[BLOCK + 2].replace('"version": ', '"version": 1', 1)
    return BLOCK + 3


@pytest.mark.parametrize("damage", [swap_across_a_boundary, repeat_a_position, skip_a_version, break_two_blocks])
@pytest.mark.parametrize("processes", [1, 2])
def test_the_first_bad_line_is_named_and_nothing_is_imported(
    ledger_factory: LedgerFactory, lines: list[str], damage: Callable[[list[str]], int], processes: int
) -> None:
    expected = damage(lines)
    target = ledger_factory()
    with pytest.raises(ImportRefused) as refused:
        import_log(target, lines, processes=processes)
    assert refused.value.line == expected
    assert target.recorder.max_notification_id() is None
    one_by_one = ledger_factory()
    with pytest.raises(ImportRefused) as sequential:  # every line in one block, in this process
        log_import.BLOCK = len(lines)
        import_log(one_by_one, lines, processes=1)
    assert str(sequential.value) == str(refused.value)


def test_a_version_jump_across_blocks_is_named(ledger_factory: LedgerFactory, lines: list[str]) -> None:
    parsed = [json.loads(line) for line in lines]
    later = next(  # an aggregate's first event in its block, after events of it in earlier blocks
        j
        for j, line in enumerate(parsed)
        if line["version"] > 1
        and all(other["aggregate_id"] != line["aggregate_id"] for other in parsed[j - j % BLOCK : j])
    )
    parsed[later]["version"] += 1
    lines[later] = json.dumps(parsed[later])
    with pytest.raises(ImportRefused, match=f"jumps to version {parsed[later]['version']}") as refused:
        import_log(ledger_factory(), lines, processes=2)
    assert refused.value.line == later + 1


def die(block: object) -> None:
    os._exit(3)  # a child killed while it checks a block


def test_a_child_that_dies_fails_the_import_and_nothing_is_imported(
    ledger_factory: LedgerFactory, lines: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(log_import, "check_in_child", die)
    target = ledger_factory()
    with pytest.raises(ImportRefused, match="a process checking the file stopped"):
        import_log(target, lines, processes=2)
    assert target.recorder.max_notification_id() is None
