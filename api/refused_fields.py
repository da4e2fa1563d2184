"""Which field of a form or of a spreadsheet row a refusal concerns, for the pages to show it beside that
field and for the import's report to name its column: one heuristic, shared."""

from collections.abc import Mapping, Sequence
from typing import Any, Protocol


class Refusing(Protocol):
    """A refusal as the API and the domain give it: a stable code, the message, its parameters."""

    @property
    def code(self) -> str: ...

    @property
    def message(self) -> str: ...

    @property
    def params(self) -> Mapping[str, Any]: ...


def refused_field(values: Mapping[str, str], refusal: Refusing, date_fields: Sequence[str]) -> str | None:
    """The field (of ``values``: each field's text, in the order shown) whose value the refusal names, else the
    first of ``date_fields`` for a refusal of dates (DATE_...), else None (the refusal is about the whole)."""
    named = {str(v).casefold() for v in refusal.params.values()} | {refusal.message.casefold()}
    for name, text in values.items():
        value = text.strip().casefold()  # the ledger may name a value as it keeps it: a number in capitals
        if value and any(value == n or (len(value) > 3 and value in n) for n in named):
            return name
    if refusal.code.startswith("DATE_"):
        return date_fields[0] if date_fields else None
    return None
