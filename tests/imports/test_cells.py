"""A cell's value as the GraphQL variable of its column carries it, whatever the cell's type."""

from datetime import date, datetime
from typing import Any

import pytest

from api.imports.catalogue import Column
from api.imports.cells import BadDate, convert

TEXT = Column("note", "String", False)
ID = Column("workerId", "ID", False, names_worker=True)
INT = Column("posts", "Int", True)
BOOLEAN = Column("hardToReach", "Boolean", False)
DATE = Column("effectiveOn", "Date", True)
SEX = Column("sex", "Sex", True, ("FEMALE", "MALE"))


@pytest.mark.parametrize(
    ("column", "cell", "expected"),
    [
        (TEXT, "  Ségou\u00a0", "Ségou"),
        (TEXT, "Se\u0301gou", "Ségou"),
        (TEXT, "   ", None),
        (TEXT, None, None),
        (TEXT, 12345.0, "12345"),  # a number typed in a text column, without ".0"
        (TEXT, 2.5, "2.5"),
        (TEXT, date(2017, 3, 1), "2017-03-01"),
        (ID, 42, "42"),
        (INT, 7, 7),
        (INT, 7.0, 7),
        (INT, " -3 ", -3),
        (INT, "7.5", "7.5"),  # left for GraphQL's coercion to refuse, with its code
        (INT, 7.5, 7.5),
        (BOOLEAN, True, True),
        (BOOLEAN, "Oui", True),
        (BOOLEAN, "non", False),
        (BOOLEAN, "yes", True),
        (BOOLEAN, "FALSE", False),
        (BOOLEAN, 1, True),
        (BOOLEAN, "0", False),
        (BOOLEAN, "peut-être", "peut-être"),
        (SEX, " female ", "FEMALE"),
        (SEX, "Femme", "FEMME"),  # not translated: GraphQL refuses it, naming the values
        (DATE, datetime(2017, 3, 1, 14, 30), "2017-03-01"),
        (DATE, "2100-12-31", "2100-12-31"),
        (DATE, 73415, "2100-12-31"),
    ],
)
def test_a_cell_becomes_its_columns_value(column: Column, cell: Any, expected: Any) -> None:
    assert convert(column, cell) == expected


@pytest.mark.parametrize("cell", ["1899-12-31", "2101-01-01", "01/13/2017", 73416, 0.5, "2017-3-1", "2017-03-01T00:00"])
def test_a_date_out_of_range_or_form_is_refused(cell: Any) -> None:
    with pytest.raises(BadDate):
        convert(DATE, cell)
