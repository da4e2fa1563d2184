"""Names a reader can trust: never made only of invisible characters, never holding a
bidirectional control that makes them display as something other than what is stored."""

from collections.abc import Callable
from uuid import uuid4

import pytest

from domain import commands as c
from domain.errors import DomainError
from domain.ledger import Ledger
from domain.values import CadreGroup, OrgUnitLevel
from tests.unit.scenario import MALI, hire_command, kita_district, open_unit, record, worker

INVISIBLE = {
    "zero-width space": "\u200b",
    "zero-width spaces and a space": "\u200b \u200b",
    "hangul filler": "\u3164",
    "halfwidth hangul filler": "\uffa0",
    "blank braille pattern": "\u2800",
    "word joiner and no-break space": "\u2060\u00a0",
    "soft hyphen": "\u00ad",
    "byte order mark": "\ufeff",
    "combining mark alone": "\u0301",
}
BIDI = {
    "right-to-left override": "Traor\u202ee",
    "left-to-right mark": "\u200eTraoré",
    "first strong isolate": "\u2068Traoré\u2069",
    "arabic letter mark": "Traoré\u061c",
}


def refusal_of(build: Callable[[], object]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        build()
    return caught.value


@pytest.mark.parametrize("name", list(INVISIBLE))
def test_a_name_made_only_of_invisible_characters_is_refused(name: str) -> None:
    value = INVISIBLE[name]
    builds: list[Callable[[], object]] = [
        lambda: hire_command(family_name=value),
        lambda: hire_command(given_names=value),
        lambda: c.CorrectWorkerDetails(worker_id=uuid4(), family_name=value),
        lambda: open_unit("ML-X", OrgUnitLevel.REGION, MALI, name=value),
        lambda: c.RenameOrgUnit(code="ML-X", name=value, effective_on=hire_command().effective_on),
        lambda: c.DefineCadre(code="X", name=value, group=CadreGroup.OTHER, qualified=False),
    ]
    for build in builds:
        error = refusal_of(build)
        assert error.code == "BAD_USER_INPUT", error.message
        assert "invisible" in error.message or "must not be empty" in error.message


def test_the_refusal_names_the_invisible_characters() -> None:
    error = refusal_of(lambda: hire_command(family_name="\u200b\u3164"))
    assert "U+200B ZERO WIDTH SPACE" in error.message and "U+3164 HANGUL FILLER" in error.message


@pytest.mark.parametrize("name", list(BIDI))
def test_a_name_holding_a_bidirectional_control_is_refused(name: str) -> None:
    value = BIDI[name]
    for build in (
        lambda: hire_command(family_name=value),
        lambda: hire_command(given_names=value),
        lambda: c.CorrectWorkerDetails(worker_id=uuid4(), given_names=value),
        lambda: open_unit("ML-X", OrgUnitLevel.REGION, MALI, name=value),
        lambda: c.DefineCadre(code="X", name=value, group=CadreGroup.OTHER, qualified=False),
    ):
        error = refusal_of(build)
        assert error.code == "BAD_USER_INPUT" and "bidirectional control" in error.message, error.message


def test_names_in_every_script_still_go_in(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    for family, given in (
        ("Traoré", "Aminata"),
        ("N'Diaye-Sow", "Marie Ève"),
        ("توري", "أمينة"),  # Arabic, written right to left without any control character
        ("ߕߙߊߏߙߋ", "ߊߡߌߣߊߕߊ"),  # N'Ko
        ("Nguyễn", "Thị\u200dMai"),  # a zero-width joiner inside a visible name
    ):
        hired = record(ledger, hire_command(family_name=family, given_names=given))
        assert worker(ledger, hired.aggregate_id).family_name == family


def test_a_correction_cannot_blank_a_name() -> None:
    for value in ("", "   "):
        error = refusal_of(lambda value=value: c.CorrectWorkerDetails(worker_id=uuid4(), family_name=value))
        assert error.code == "BAD_USER_INPUT" and "familyName must not be empty" in error.message
