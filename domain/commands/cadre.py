"""The command that defines a cadre."""

import re
from dataclasses import dataclass

from domain.commands.command import Command, check_code, check_text
from domain.errors import N_, InvalidInput
from domain.names import check_name
from domain.values import CadreGroup

# What ``domain.commands`` re-exports.
__all__ = ["DefineCadre"]

ISCO08_PATTERN = re.compile(r"^[0-9]{4}$")


@dataclass(frozen=True, kw_only=True)
class DefineCadre(Command):
    code: str
    name: str
    isco08: str | None = None
    group: CadreGroup
    qualified: bool

    def check(self) -> None:
        check_code("code", self.code)
        check_text("name", self.name, required=True)
        check_name("name", self.name)
        if self.isco08 is not None and not ISCO08_PATTERN.match(self.isco08):
            raise InvalidInput(
                N_("isco08 {isco08!r} is not an ISCO-08 unit group: give four digits, e.g. 2221."), isco08=self.isco08
            )
