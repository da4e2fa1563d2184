"""A cell's value as a GraphQL variable carries it, by its column's type: text trimmed (NBSP included) and
NFC-normalised, a date as an ISO string, an integer as an int, an enum upper-cased, a Boolean from a check or
oui/non. A value that cannot be one (a non-digit text in an Int column) is passed on as it is, for the
import's GraphQL coercion to refuse with its code; only dates, which GraphQL would take in one form only, are
refused here (``BAD_DATE``), so that every accepted way of writing one is read alike.
"""

import re
import unicodedata
from datetime import date, datetime, time
from typing import Any

from openpyxl.utils.datetime import from_excel

from api.imports.catalogue import Column

EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DAY_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
INTEGER = re.compile(r"[+-]?\d+")
TRUE = frozenset({"oui", "yes", "true", "vrai", "1", "x"})
FALSE = frozenset({"non", "no", "false", "faux", "0"})


class BadDate(ValueError):
    """Raised when a cell of a date column holds no date in a form the import accepts."""


def text(value: Any) -> str | None:
    """A cell as text: trimmed, NFC-normalised; None when empty. A whole number from a numeric cell is
    written without ``.0`` (a civil-service number typed as a number)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime):
        value = value.date() if value.time() == time() else value
    if isinstance(value, date):
        value = value.isoformat()
    shown = unicodedata.normalize("NFC", str(value)).strip()
    return shown or None


def in_range(day: date, value: Any) -> str:
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise BadDate(value)
    return day.isoformat()


def serial_date(value: float) -> str:
    """An Excel serial number (the 1900 date system) as a date, in 1900–2100 only."""
    if not 1 <= value < 73416:  # 1900-01-01 .. 2100-12-31
        raise BadDate(value)
    converted = from_excel(value)
    if not isinstance(converted, datetime):  # pragma: no cover - from_excel gives a datetime for a serial
        raise BadDate(value)
    return in_range(converted.date(), value)


def date_text(shown: str) -> str:
    if ISO_DATE.fullmatch(shown):
        try:
            return in_range(date.fromisoformat(shown), shown)
        except ValueError:
            raise BadDate(shown) from None
    day_first = DAY_FIRST.fullmatch(shown)
    if day_first:
        day, month, year = (int(part) for part in day_first.groups())
        try:
            return in_range(date(year, month, day), shown)
        except ValueError:
            raise BadDate(shown) from None
    raise BadDate(shown)


def a_date(value: Any) -> str:
    """A date cell, an ISO ``2017-03-01``, a day-first ``01/03/2017`` or an Excel serial number, in ISO.

    Raises:
        BadDate: anything else, or a date outside 1900–2100.
    """
    if isinstance(value, datetime):
        return in_range(value.date(), value)
    if isinstance(value, date):
        return in_range(value, value)
    if isinstance(value, bool):
        raise BadDate(value)
    if isinstance(value, int | float):
        return serial_date(value)
    return date_text(str(text(value)))


def an_int(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    shown = text(value)
    if isinstance(value, str) and shown is not None and INTEGER.fullmatch(shown):
        return int(shown)
    return value if not isinstance(value, str) else shown


def a_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    shown = text(value)
    if shown is not None and shown.casefold() in TRUE:
        return True
    if shown is not None and shown.casefold() in FALSE:
        return False
    return shown


def convert(column: Column, value: Any) -> Any:
    """``value`` as the GraphQL variable of ``column`` carries it; None for an empty cell.

    Raises:
        BadDate: a date column's cell holds no date.
    """
    if value is None or (isinstance(value, str) and text(value) is None):
        return None
    if column.type == "Date":
        return a_date(value)
    if column.type == "Int":
        return an_int(value)
    if column.type == "Boolean":
        return a_boolean(value)
    shown = text(value)
    return shown.upper() if shown is not None and column.is_enum else shown
