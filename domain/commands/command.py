"""What every command shares: a command id, the checks of its own fields, its provenance and dates.

A command checks its own fields when it is built (lengths, ranges, date order) and raises
:class:`~domain.errors.InvalidInput` or :class:`~domain.errors.DateOutOfOrder`; the rules that
need the ledger's state are checked by the aggregates. Every command may carry a ``command_id``:
the same id sent twice records once.
"""

import re
from dataclasses import dataclass, fields
from datetime import date
from typing import ClassVar

import pycountry

from domain.errors import N_, InvalidInput
from domain.names import check_visible
from domain.values import Provenance

# What ``domain.commands`` re-exports.
__all__ = ["Command"]

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
MAX_TEXT = 200
MAX_NOTE = 2000
MIN_YEAR = 1900


def check_code(field: str, value: str) -> None:
    if not CODE_PATTERN.match(value):
        raise InvalidInput(
            N_(
                "{field} {value!r} is not a valid code: use 1 to 64 letters, digits, '-', '_' or '.', "
                "starting with a letter or digit."
            ),
            field=field,
            value=value[:80],
        )


def check_country(field: str, value: str | None) -> None:
    """Raises InvalidInput unless ``value`` is None (unknown) or an ISO 3166-1 alpha-2 code in capitals."""
    if value is not None and not (len(value) == 2 and value.isupper() and pycountry.countries.get(alpha_2=value)):
        raise InvalidInput(
            N_(
                "{field} {value!r} is not an ISO 3166-1 alpha-2 country code: use two capital letters, such as "
                "'ML' or 'SN', or leave it out when unknown."
            ),
            field=field,
            value=value[:80],
        )


def check_text(field: str, value: str | None, *, required: bool = False, limit: int = MAX_TEXT) -> None:
    if value is None:
        if required:
            raise InvalidInput(N_("{field} is required."), field=field)
        return
    if required:
        check_visible(field, value)
    if len(value) > limit:
        raise InvalidInput(
            N_("{field} is {length} characters long; at most {limit} are allowed."),
            field=field,
            length=len(value),
            limit=limit,
        )
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise InvalidInput(N_("{field} contains a control character; remove it and send again."), field=field)


def camel(name: str) -> str:
    """A field's name as clients send it: ``family_name`` → ``familyName``."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def check_year(field: str, value: date) -> None:
    if value.year < MIN_YEAR:
        raise InvalidInput(
            N_("{field} {value} is before {year}; check the year."), field=field, value=value, year=MIN_YEAR
        )


_date_fields: dict[type, tuple[str, ...]] = {}


def date_fields(command_type: type) -> tuple[str, ...]:
    """The names of a command's effective dates: its date fields, less the birth date."""
    if command_type not in _date_fields:
        _date_fields[command_type] = tuple(
            f.name for f in fields(command_type) if "date" in str(f.type) and f.name != "birth_date"
        )
    return _date_fields[command_type]


@dataclass(frozen=True, kw_only=True)
class Command:
    """Fields every command shares."""

    command_id: str | None = None
    later_fields: ClassVar[frozenset[str]] = frozenset()
    """Optional fields added after the command was first recorded (see ``ledger.fingerprint``)."""

    def __post_init__(self) -> None:
        self.normalise()
        check_text("commandId", self.command_id, limit=MAX_TEXT)
        if self.command_id is not None and not self.command_id.strip():
            raise InvalidInput(N_("commandId must not be empty when given."))
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, date):
                check_year(camel(f.name), value)
            elif isinstance(value, str) and f.name not in ("command_id",):
                check_text(camel(f.name), value, limit=MAX_NOTE if f.name == "note" else MAX_TEXT)
        self.check()

    def normalise(self) -> None:
        """Puts fields in the form they are checked and stored in; subclasses add theirs."""

    def check(self) -> None:
        """Checks the command's own fields; subclasses add their rules."""

    def provenance(self, recorded_by: str) -> Provenance:
        """Who records this command, on what authority, and under which command id."""
        return Provenance(
            recorded_by=recorded_by,
            authority=getattr(self, "authority", None),
            note=getattr(self, "note", None),
            command_id=self.command_id,
        )

    def effective_dates(self) -> tuple[date, ...]:
        """The dates that must not lie in the future."""
        return tuple(d for name in date_fields(type(self)) if (d := getattr(self, name)) is not None)
