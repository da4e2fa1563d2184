"""The labels of an import's columns (row 2 of each sheet): the forms' labels (``api.web.forms.LABELS``),
with the few input fields that no form shows, in French by default."""

from api.imports.catalogue import Column
from api.web.forms import LABELS
from api.web.i18n import translations
from domain.errors import N_

IMPORT_LABELS = {
    **LABELS,
    "workerId": N_("Worker id"),
    "commandId": N_("Command id (optional)"),
    "expectedFromFacilityCode": N_("Facility the worker leaves (code, optional check)"),
}
REQUIRED_MARK = " *"
"""Ends the label of a column the sheet requires."""
EITHER_MARK = " (*)"
"""Ends the label of ``workerId`` and ``civilServiceNumber``: one of the two is required."""


def label(column: Column, language: str = "fr") -> str:
    """The column's label in ``language``, marked when the column is required."""
    said = translations(language).gettext(IMPORT_LABELS.get(column.name, column.name))
    if column.names_worker:
        return said + EITHER_MARK
    return said + REQUIRED_MARK if column.required else said


def is_label(column: Column, shown: str) -> bool:
    """Whether ``shown`` is the column's label (in French or English, marked or not, any case)."""
    wanted = shown.casefold().removesuffix(EITHER_MARK).removesuffix(REQUIRED_MARK).strip()
    plain = IMPORT_LABELS.get(column.name, column.name)
    said = {plain, translations("fr").gettext(plain), column.name}
    return wanted in {s.casefold() for s in said}
