"""Stories of a facility's establishment: the budgeted posts per cadre, set by decree."""

from datetime import date

import pytest

from domain import commands as c
from domain.errors import InvalidInput
from domain.ledger import Ledger
from domain.org_unit import MAX_POSTS, check_posts
from domain.values import Provenance
from tests.unit.scenario import CENTRE, CLERK, HOSPITAL, KITA, MIDWIFE, NURSE, kita_district, org_unit, record, refused

DECREE = "Arrêté n°2017-0123/MS-SG"


def posts(facility: str, cadre: str, n: int, on: date = date(2021, 1, 1)) -> c.SetEstablishment:
    return c.SetEstablishment(facility_code=facility, cadre_code=cadre, posts=n, effective_on=on, authority=DECREE)


def test_a_facility_budgets_posts_per_cadre_from_a_date(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)

    # The hospital gets 12 nurses and 4 midwives, then 14 nurses a year later; 0 is a valid count.
    record(ledger, posts(HOSPITAL, NURSE, 12))
    record(ledger, posts(HOSPITAL, MIDWIFE, 4))
    record(ledger, posts(HOSPITAL, NURSE, 14, date(2022, 1, 1)))
    record(ledger, posts(CENTRE, MIDWIFE, 0))
    hospital = org_unit(ledger, HOSPITAL)
    assert hospital.establishment == {
        NURSE: [(date(2021, 1, 1), 12), (date(2022, 1, 1), 14)],
        MIDWIFE: [(date(2021, 1, 1), 4)],
    }

    # The decree is the event's authority.
    stored = list(ledger.repository.event_store.get(hospital.id))[-1]
    assert stored.meta.authority == DECREE


def test_the_same_posts_again_from_the_same_date_change_nothing(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    record(ledger, posts(HOSPITAL, NURSE, 12))

    error = refused(ledger, posts(HOSPITAL, NURSE, 12), "BAD_USER_INPUT")
    assert "nothing would change" in error.message

    # Another count on that date corrects it; the same count from another date is a new decree.
    record(ledger, posts(HOSPITAL, NURSE, 10))
    record(ledger, posts(HOSPITAL, NURSE, 12))
    record(ledger, posts(HOSPITAL, NURSE, 12, date(2022, 1, 1)))


def test_only_an_open_facility_and_a_known_cadre_budget_posts(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)

    error = refused(ledger, posts(KITA, NURSE, 3), "NOT_A_FACILITY")
    assert "facilities only" in error.message
    refused(ledger, posts("NOPE", NURSE, 3), "NOT_FOUND")
    error = refused(ledger, posts(HOSPITAL, "NOPE", 3), "NOT_FOUND")
    assert "cadre" in error.message
    refused(ledger, posts(HOSPITAL, NURSE, 3, date(2019, 6, 1)), "ORG_UNIT_CLOSED")
    record(ledger, c.CloseOrgUnit(code=CENTRE, effective_on=date(2023, 1, 1)))
    refused(ledger, posts(CENTRE, NURSE, 3, date(2023, 1, 1)), "ORG_UNIT_CLOSED")
    refused(ledger, posts(HOSPITAL, NURSE, 3, date(2030, 1, 1)), "DATE_IN_FUTURE")


@pytest.mark.parametrize("n", [-1, MAX_POSTS + 1])
def test_posts_are_a_plausible_count(memory_ledger: Ledger, n: int) -> None:
    ledger = kita_district(memory_ledger)
    with pytest.raises(InvalidInput):
        posts(HOSPITAL, NURSE, n)
    # The aggregate's guard holds on its own too.
    with pytest.raises(InvalidInput):
        org_unit(ledger, HOSPITAL).set_establishment(NURSE, n, date(2021, 1, 1), Provenance(recorded_by=CLERK))


def test_check_posts_takes_whole_numbers_only() -> None:
    check_posts(0)
    check_posts(MAX_POSTS)
    for wrong in (True, 2.5, "3"):
        with pytest.raises(InvalidInput):
            check_posts(wrong)  # type: ignore[arg-type]
