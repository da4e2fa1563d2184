"""The forms that record commands, each drawn from its GraphQL input type (DESIGN, "The web pages"):
the form has ``data-mutation="<mutation>"`` and one field per input field, under the input field's
name, so the pages offer exactly what the API does and a new input field appears on its form.

A form is rendered with a fresh ``commandId``: submitted twice (a double click, a resubmit after a
dropped connection) it records once.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

from api import refused_fields
from api.operations import Refusal
from api.web.pages import Visit
from domain.errors import N_

INPUT_TYPE = """
query InputType($name: String!) {
  __type(name: $name) {
    inputFields { name defaultValue type { kind name ofType { kind name enumValues { name } } enumValues { name } } }
  }
}
"""

WORKER_PAYLOAD = "position worker { id }"

LABELS = {
    "civilServiceNumber": N_("Civil-service number"),
    "familyName": N_("Family name"),
    "givenNames": N_("Given names"),
    "sex": N_("Sex"),
    "birthDate": N_("Date of birth"),
    "countryOfBirth": N_("Country of birth (ISO code)"),
    "qualificationCountry": N_("Country of qualification (ISO code)"),
    "cadreCode": N_("Cadre code"),
    "sector": N_("Sector"),
    "fundingSource": N_("Funding source"),
    "effectiveOn": N_("Effective date"),
    "authority": N_("Authority (decision, letter)"),
    "note": N_("Note"),
    "facilityCode": N_("Facility code"),
    "toFacilityCode": N_("Destination facility code"),
    "jobTitle": N_("Job title"),
    "reason": N_("Reason"),
    "course": N_("Course"),
    "kind": N_("Kind"),
    "provider": N_("Provider"),
    "startedOn": N_("Start date"),
    "endedOn": N_("End date"),
    "outcome": N_("Outcome"),
    "position": N_("Ledger position of the event"),
    "code": N_("Code"),
    "name": N_("Name"),
    "level": N_("Level"),
    "parentCode": N_("Parent unit code"),
    "newParentCode": N_("New parent unit code"),
    "facilityKind": N_("Kind of facility"),
    "hardToReach": N_("Hard to reach"),
    "openedOn": N_("Opening date"),
    "orgUnitCode": N_("Unit code"),
    "year": N_("Year"),
    "population": N_("Population"),
    "source": N_("Source"),
    "posts": N_("Budgeted posts"),
}
HIDDEN = ("commandId", "workerId", "expectedFromFacilityCode")


@dataclass(frozen=True)
class Field:
    """One input of a form: its GraphQL name, how it is typed, and whether it must be given."""

    name: str
    kind: str  # "text", "date", "number", "checkbox", "select" or "hidden"
    required: bool
    options: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return LABELS.get(self.name, self.name)


@dataclass(frozen=True)
class CommandForm:
    """A form that records one mutation; ``given`` are the fields the page fills (never typed)."""

    mutation: str
    title: str
    given: tuple[str, ...] = ()
    payload: str = WORKER_PAYLOAD

    @property
    def input_type(self) -> str:
        return self.mutation[0].upper() + self.mutation[1:] + "Input"

    @property
    def document(self) -> str:
        return f"mutation Record($input: {self.input_type}!) {{ {self.mutation}(input: $input) {{ {self.payload} }} }}"


@dataclass
class Filled:
    """A form as shown: its fields, what they hold, and a refusal (beside the field it concerns)."""

    form: CommandForm
    fields: list[Field]
    values: dict[str, str]
    refusal: Refusal | None = None
    refused_field: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def visible(self) -> list[Field]:
        return [f for f in self.fields if f.kind != "hidden"]


_fields: dict[str, list[Field]] = {}


def kind_of(name: str, type_: dict[str, Any]) -> tuple[str, bool, tuple[str, ...]]:
    required = type_["kind"] == "NON_NULL"
    named = type_["ofType"] if required else type_
    options = tuple(v["name"] for v in named.get("enumValues") or ())
    if name in HIDDEN:
        return "hidden", required, ()
    if named["kind"] == "ENUM":
        return "select", required, options
    kinds = {"Date": "date", "Int": "number", "Boolean": "checkbox"}
    return kinds.get(named["name"], "text"), required, ()


async def fields_of(visit: Visit, form: CommandForm) -> list[Field]:
    """The form's fields, from its input type (asked once per process)."""
    if form.input_type not in _fields:
        found = (await visit.ask(INPUT_TYPE, {"name": form.input_type}))["__type"]
        made = []
        for f in found["inputFields"]:
            kind, required, options = kind_of(f["name"], f["type"])
            made.append(Field(f["name"], kind, required and f["defaultValue"] is None, options))
        _fields[form.input_type] = made
    return _fields[form.input_type]


async def blank(visit: Visit, form: CommandForm, **values: str) -> Filled:
    """The form as first shown, with a fresh commandId."""
    return Filled(form, await fields_of(visit, form), {"commandId": uuid.uuid4().hex, **values})


def input_of(fields: list[Field], values: dict[str, str]) -> dict[str, Any]:
    """The mutation's input from the form's text: empty fields left out, numbers and check boxes typed
    (a number that is not one is sent as it is, for the API to refuse with its code)."""
    made: dict[str, Any] = {}
    for f in fields:
        text = values.get(f.name, "").strip()
        if f.kind == "checkbox":
            made[f.name] = bool(text)
        elif text and f.kind == "number":
            made[f.name] = int(text) if text.lstrip("-").isdigit() else text
        elif text:
            made[f.name] = text
    return made


def refused_field(fields: list[Field], values: dict[str, str], refusal: Refusal) -> str | None:
    """The field a refusal concerns (``api.refused_fields``): the one whose value it names, else the date for a
    refusal of dates."""
    shown = {f.name: values.get(f.name, "") for f in fields if f.kind != "hidden"}
    return refused_fields.refused_field(shown, refusal, [f.name for f in fields if f.kind == "date"])
