"""Step functions kept as changes: the rows they write describe the function, whatever the order."""

import struct
from datetime import date, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from projections.intervals import RowSink, StepFunction, new_sink, pack, unpack
from projections.pieces import copy_data

BASE = date(2020, 1, 1)

changes = st.lists(
    st.tuples(
        st.integers(0, 40),
        st.none() | st.integers(1, 10),
        st.tuples(st.integers(-2, 2), st.integers(0, 1)),
        st.booleans(),
    ),
    max_size=30,
)


def value_on(rows: dict[date, tuple[date, date | None, tuple[int, ...]]], day: date) -> tuple[int, ...]:
    for start, end, value in rows.values():
        if start <= day and (end is None or day < end):
            return value
    return (0, 0)


@given(changes)
def test_written_rows_equal_the_function_and_reload_to_the_same_changes(steps: list[tuple]) -> None:
    fn = StepFunction("u")
    expected: dict[date, tuple[int, int]] = {}
    table: dict[date, tuple[date, date | None, tuple[int, ...]]] = {}

    def write() -> None:
        taken = fn.take()
        if taken is not None:
            since, rows = taken
            for start in [s for s in table if s >= since]:
                del table[start]
            table.update({start: (start, end, unpack(value, 2)) for start, end, value in rows})

    for offset, length, delta, flush in steps:
        start = BASE + timedelta(days=offset)
        end = None if length is None else start + timedelta(days=length)
        fn.apply(start, end, delta)
        for n in range(60):
            day = BASE + timedelta(days=n)
            if start <= day and (end is None or day < end):
                old = expected.get(day, (0, 0))
                expected[day] = (old[0] + delta[0], old[1] + delta[1])
        if flush:
            write()
    write()
    for n in range(60):
        day = BASE + timedelta(days=n)
        assert value_on(table, day) == expected.get(day, (0, 0)), day
    # Rows are the maximal non-zero pieces: no two neighbours share a value, none is zero.
    ordered = sorted(table.values())
    assert all(any(value) for _, _, value in ordered)
    assert all(not (a[1] == b[0] and a[2] == b[2]) for a, b in pairwise(ordered))
    reloaded = StepFunction.from_rows("u", ordered)
    assert (reloaded.days, reloaded.changes) == (fn.days, fn.changes)
    # A rebuild writes every row once, at the end: the same rows as batch after batch.
    everything = fn.take(everything=True)
    written = everything[1] if everything else []
    assert [(start, end, unpack(value, 2)) for start, end, value in written] == ordered


def test_a_rectangle_opened_and_closed_at_one_position_is_never_written() -> None:
    sink: RowSink = new_sink()
    first = sink.open("w", BASE, None, 7, ("POSTED",))
    sink.close(first, 7)
    second = sink.open("w", BASE, None, 7, ("ON_LEAVE",))
    sink.close(second, 9)
    opened, closed = sink.take()
    assert opened == [[second, "w", BASE, None, 7, 9, "ON_LEAVE"]]  # id, key, valid from/to, known from/to, value
    assert closed == []
    sink.close(second, 12)  # written in an earlier batch: closed by an update
    assert sink.take() == ([], [(second, 12)])


@given(st.lists(st.integers(-(2**31), 2**31 - 1), min_size=1, max_size=31))
def test_a_packed_vector_unpacks_to_itself_whatever_the_signs_of_its_figures(vector: list[int]) -> None:
    assert unpack(pack(tuple(vector)), len(vector)) == tuple(vector)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["ML", "BKO-C1-CSCOM-048"]),
            st.integers(0, 9000),
            st.none() | st.integers(1, 400),
            st.lists(st.integers(-(2**31), 2**31 - 1), min_size=3, max_size=3),
        ),
        max_size=5,
    )
)
def test_staffing_rows_go_to_the_copy_as_postgresql_reads_binary_int4_arrays(rows: list[tuple]) -> None:
    """The COPY bytes cut from packed vectors equal a field-by-field encoding, figure by figure."""
    units: dict[str, list[tuple[int, int | None, int]]] = {}
    expected = [b"PGCOPY\n\xff\r\n\x00", struct.pack(">ii", 0, 0)]
    for code, offset, length, figures in sorted(rows, key=lambda row: row[0]):  # a unit's rows go together
        start = BASE + timedelta(days=offset)
        end = None if length is None else start + timedelta(days=length)
        units.setdefault(code, []).append((start.toordinal(), end and end.toordinal(), pack(tuple(figures))))
        name = code.encode()
        days = [
            struct.pack(">ii", 4, (day - date(2000, 1, 1)).days) if day else struct.pack(">i", -1)
            for day in (start, end)
        ]
        array = struct.pack(">iiiii", 1, 0, 23, 3, 1) + b"".join(struct.pack(">ii", 4, x) for x in figures)
        expected += [struct.pack(">hi", 4, len(name)), name, *days, struct.pack(">i", len(array)), array]
    expected.append(struct.pack(">h", -1))
    assert copy_data(units.items(), 3) == b"".join(expected)
