"""A command checks its own fields when it is built, before it reaches the ledger."""

from collections.abc import Callable
from datetime import date
from uuid import uuid4

import pytest

from domain import commands as c
from domain.errors import DateOutOfOrder, DomainError, InvalidInput
from domain.values import CadreGroup, OrgUnitLevel
from tests.unit.scenario import NURSE, hire_command


def refusal_of(build: Callable[[], object]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        build()
    return caught.value


def test_an_org_unit_needs_a_name_and_a_well_formed_code() -> None:
    def opening(code: str, name: str) -> c.OpenOrgUnit:
        return c.OpenOrgUnit(code=code, name=name, level=OrgUnitLevel.COUNTRY, opened_on=date(2020, 1, 1))

    # A blank name - refused.
    error = refusal_of(lambda: opening("ML", "   "))
    assert isinstance(error, InvalidInput) and error.code == "BAD_USER_INPUT"
    assert "name must not be empty" in error.message

    # Codes with spaces, a leading dash, nothing at all, or 65 characters - refused.
    for code in ("ML 01", "-ML", "", "X" * 65):
        assert refusal_of(lambda code=code: opening(code, "Mali")).code == "BAD_USER_INPUT"

    # A 64-character code with dots, dashes and underscores is fine.
    assert opening("M" + "L._-" * 15 + "ABC", "Mali").code.startswith("ML.")


def test_a_renaming_needs_a_name() -> None:
    error = refusal_of(lambda: c.RenameOrgUnit(code="ML", name="", effective_on=date(2021, 1, 1)))
    assert error.code == "BAD_USER_INPUT"


def test_a_population_is_a_plausible_count_for_a_plausible_year() -> None:
    def estimate(year: int, population: int) -> c.RecordPopulation:
        return c.RecordPopulation(org_unit_code="ML", year=year, population=population)

    # A negative count - refused, saying why.
    error = refusal_of(lambda: estimate(2020, -1))
    assert error.code == "BAD_USER_INPUT" and "negative" in error.message

    # More people than the planet holds, or a year out of range - refused.
    assert refusal_of(lambda: estimate(2020, 2_000_000_001)).code == "BAD_USER_INPUT"
    assert refusal_of(lambda: estimate(1899, 1000)).code == "BAD_USER_INPUT"
    assert refusal_of(lambda: estimate(2201, 1000)).code == "BAD_USER_INPUT"

    # Nobody at all is a valid count.
    assert estimate(2020, 0).population == 0


def test_a_cadre_maps_to_a_four_digit_isco_08_unit_group() -> None:
    def definition(isco08: str | None) -> c.DefineCadre:
        return c.DefineCadre(code=NURSE, name="Infirmier", isco08=isco08, group=CadreGroup.NURSE, qualified=True)

    for isco08 in ("222", "22211", "2a21", ""):
        error = refusal_of(lambda isco08=isco08: definition(isco08))
        assert error.code == "BAD_USER_INPUT" and "ISCO-08" in error.message

    # The ISCO-08 code is optional.
    assert definition(None).isco08 is None
    assert definition("2221").isco08 == "2221"


def test_a_hire_needs_names_and_a_birth_date_before_the_hire() -> None:
    # Empty names - refused.
    assert refusal_of(lambda: hire_command(family_name="")).code == "BAD_USER_INPUT"
    assert refusal_of(lambda: hire_command(given_names=" ")).code == "BAD_USER_INPUT"

    # A civil-service number that is not a code - refused.
    assert refusal_of(lambda: hire_command(civil_service_number="MLI 0001")).code == "BAD_USER_INPUT"

    # Born on the day of the hire - refused as dates out of order.
    error = refusal_of(lambda: hire_command(birth_date=date(2021, 1, 4), effective_on=date(2021, 1, 4)))
    assert isinstance(error, DateOutOfOrder) and error.code == "DATE_OUT_OF_ORDER"
    assert "2021-01-04" in error.message

    # Born in the nineteenth century - refused: the year is surely mistyped.
    assert refusal_of(lambda: hire_command(birth_date=date(1890, 1, 1))).code == "BAD_USER_INPUT"


def test_text_fields_have_length_limits() -> None:
    # A 201-character name - refused, with its length.
    error = refusal_of(lambda: hire_command(family_name="K" * 201))
    assert error.code == "BAD_USER_INPUT" and "201 characters" in error.message

    # A note may be longer, up to 2000 characters.
    assert hire_command(note="n" * 2000).note == "n" * 2000
    assert refusal_of(lambda: hire_command(note="n" * 2001)).code == "BAD_USER_INPUT"

    # A command id is at most 200 characters and not blank.
    assert refusal_of(lambda: hire_command(command_id="c" * 201)).code == "BAD_USER_INPUT"
    assert refusal_of(lambda: hire_command(command_id="  ")).code == "BAD_USER_INPUT"


def test_a_training_cannot_end_before_it_starts() -> None:
    def training(started_on: date, ended_on: date | None, course: str = "PCIME") -> c.RecordTraining:
        return c.RecordTraining(worker_id=uuid4(), course=course, started_on=started_on, ended_on=ended_on)

    error = refusal_of(lambda: training(date(2021, 3, 10), date(2021, 3, 9)))
    assert error.code == "DATE_OUT_OF_ORDER"

    # A one-day course, and a course still running, are fine.
    assert training(date(2021, 3, 10), date(2021, 3, 10)).ended_on == date(2021, 3, 10)
    assert training(date(2021, 3, 10), None).ended_on is None

    # A course needs a name.
    assert refusal_of(lambda: training(date(2021, 3, 10), None, course="")).code == "BAD_USER_INPUT"


def test_a_correction_names_at_least_one_field() -> None:
    error = refusal_of(lambda: c.CorrectWorkerDetails(worker_id=uuid4(), authority="Arrêté 2021-1"))
    assert error.code == "BAD_USER_INPUT" and "at least one field" in error.message

    assert refusal_of(lambda: c.CorrectWorkerDetails(worker_id=uuid4(), civil_service_number="a b")).code == (
        "BAD_USER_INPUT"
    )


def test_a_retraction_names_a_ledger_position_and_a_reason() -> None:
    assert refusal_of(lambda: c.RetractEvent(worker_id=uuid4(), position=0, reason="typo")).code == "BAD_USER_INPUT"
    assert refusal_of(lambda: c.RetractEvent(worker_id=uuid4(), position=3, reason="")).code == "BAD_USER_INPUT"


def test_only_effective_dates_are_held_against_today() -> None:
    # The birth date is not an effective date; a training's end date is not either.
    assert hire_command().effective_dates() == (date(2021, 1, 4),)
    training = c.RecordTraining(
        worker_id=uuid4(), course="PCIME", started_on=date(2021, 3, 1), ended_on=date(2021, 9, 1)
    )
    assert training.effective_dates() == (date(2021, 3, 1),)
