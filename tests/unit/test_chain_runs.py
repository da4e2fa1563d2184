"""The chain kept as runs of consecutive positions (``projections/chain_runs.py``): rows in,
runs out, and the runs cut back into the same rows."""

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from projections.chain_runs import ChainRows, as_runs, run_rows


def rows_at(positions: list[int]) -> ChainRows:
    rows = ChainRows()
    for position in positions:
        rows.add(position, hashlib.sha256(b"d%d" % position).hexdigest(), hashlib.sha256(b"c%d" % position).hexdigest())
    return rows


def test_consecutive_positions_make_one_run_of_32_bytes_a_hash() -> None:
    rows = rows_at([5, 6, 7])
    (run,) = rows.runs()
    first, last, digests, chains = run
    assert (first, last) == (5, 7)
    assert digests == b"".join(bytes.fromhex(d) for d in rows.digests) and len(digests) == 96
    assert chains == b"".join(bytes.fromhex(c) for c in rows.chains)


def test_a_gap_starts_a_new_run() -> None:
    runs = list(rows_at([1, 2, 4, 9, 10, 11]).runs())
    assert [(first, last, len(digests) // 32) for first, last, digests, _ in runs] == [(1, 2, 2), (4, 4, 1), (9, 11, 3)]


def test_no_rows_make_no_run() -> None:
    assert list(as_runs([], [], [])) == []


@given(st.lists(st.integers(1, 5), max_size=60))
def test_the_runs_cut_back_into_the_rows_they_were_made_of(gaps: list[int]) -> None:
    positions = [sum(gaps[: i + 1]) for i in range(len(gaps))]
    rows = rows_at(positions)
    runs = list(rows.runs())
    assert all(runs[i][1] + 1 < runs[i + 1][0] for i in range(len(runs) - 1))  # gaps only between runs
    back = [row for first, _, digests, chains in runs for row in run_rows(first, digests.hex(), chains.hex())]
    assert back == list(zip(rows.positions, rows.digests, rows.chains, strict=True))
