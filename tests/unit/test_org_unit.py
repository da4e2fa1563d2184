"""Stories of the org tree: opening, moving, renaming and closing units, and their populations."""

from datetime import date

from domain import commands as c
from domain.ledger import Ledger
from domain.values import OrgUnitLevel, Sector
from tests.unit.scenario import (
    CENTRE,
    DISPENSARY,
    HOSPITAL,
    KAYES,
    KITA,
    MALI,
    OPENED,
    kita_district,
    open_unit,
    org_unit,
    record,
    refused,
)


def test_units_open_under_a_parent_higher_in_the_tree(memory_ledger: Ledger) -> None:
    ledger = memory_ledger

    # Open a country, then a region under it.
    record(ledger, open_unit(MALI, OrgUnitLevel.COUNTRY, None, name="Mali"))
    record(ledger, open_unit(KAYES, OrgUnitLevel.REGION, MALI, name="Kayes"))
    region = org_unit(ledger, KAYES)
    assert (region.name, region.level, region.parent_on(OPENED), region.opened_on) == (
        "Kayes",
        OrgUnitLevel.REGION,
        MALI,
        OPENED,
    )

    # A country under a parent - refused.
    error = refused(ledger, open_unit("SN", OrgUnitLevel.COUNTRY, MALI), "INVALID_PARENT")
    assert "no parent" in error.message

    # A region without a parent - refused.
    error = refused(ledger, open_unit("ML-SIKASSO", OrgUnitLevel.REGION, None), "INVALID_PARENT")
    assert "needs a parent" in error.message

    # A region under a region - refused: a parent sits higher in the tree.
    error = refused(ledger, open_unit("ML-NIORO", OrgUnitLevel.REGION, KAYES), "INVALID_PARENT")
    assert "higher in the tree" in error.message

    # A district under an unknown region - refused.
    refused(ledger, open_unit("ML-X-DISTRICT", OrgUnitLevel.DISTRICT, "ML-NOWHERE"), "NOT_FOUND")

    # The same code again - refused.
    error = refused(ledger, open_unit(KAYES, OrgUnitLevel.REGION, MALI), "DUPLICATE_CODE")
    assert KAYES in error.message


def test_a_unit_cannot_open_under_a_parent_that_is_not_open_on_that_date(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)

    # The Kita district closes at the end of 2022.
    record(ledger, c.CloseOrgUnit(code=KITA, effective_on=date(2023, 1, 1)))

    # A facility opened under it in 2023 - refused.
    late = open_unit("KITA-CSCOM-09", OrgUnitLevel.FACILITY, KITA, opened_on=date(2023, 1, 1))
    error = refused(ledger, late, "INVALID_PARENT")
    assert "closed on 2023-01-01" in error.message

    # Nor before the district opened.
    early = open_unit("KITA-CSCOM-09", OrgUnitLevel.FACILITY, KITA, opened_on=date(2019, 12, 31))
    refused(ledger, early, "INVALID_PARENT")

    # While the district is open, it can.
    record(ledger, open_unit("KITA-CSCOM-09", OrgUnitLevel.FACILITY, KITA, opened_on=date(2022, 12, 31)))


def test_a_moved_unit_has_its_new_parent_from_the_date_of_the_move(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    record(ledger, open_unit("ML-KAYES-BAFOULABE", OrgUnitLevel.DISTRICT, KAYES))

    # The centre moves to the Bafoulabé district on 1 March 2022.
    record(ledger, c.MoveOrgUnit(code=CENTRE, new_parent_code="ML-KAYES-BAFOULABE", effective_on=date(2022, 3, 1)))
    centre = org_unit(ledger, CENTRE)
    assert centre.parent_on(date(2022, 2, 28)) == KITA
    assert centre.parent_on(date(2022, 3, 1)) == "ML-KAYES-BAFOULABE"

    # A move back-dated before it, to where it already is then - refused.
    move = c.MoveOrgUnit(code=CENTRE, new_parent_code=KITA, effective_on=date(2021, 6, 1))
    error = refused(ledger, move, "INVALID_PARENT")
    assert "already under" in error.message

    # A move under a facility - refused: a facility is not above another facility.
    refused(
        ledger, c.MoveOrgUnit(code=CENTRE, new_parent_code=HOSPITAL, effective_on=date(2022, 6, 1)), "INVALID_PARENT"
    )

    # A move under an unknown unit, or of an unknown unit - refused.
    refused(ledger, c.MoveOrgUnit(code=CENTRE, new_parent_code="NOPE", effective_on=date(2022, 6, 1)), "NOT_FOUND")
    refused(ledger, c.MoveOrgUnit(code="NOPE", new_parent_code=KITA, effective_on=date(2022, 6, 1)), "NOT_FOUND")

    # A move on the day the unit opened - refused: that is what its opening says.
    move = c.MoveOrgUnit(code=DISPENSARY, new_parent_code="ML-KAYES-BAFOULABE", effective_on=OPENED)
    refused(ledger, move, "DATE_OUT_OF_ORDER")


def test_a_unit_cannot_move_under_a_closed_parent_nor_move_once_closed(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    record(ledger, open_unit("ML-KAYES-NIORO", OrgUnitLevel.DISTRICT, KAYES))
    record(ledger, c.CloseOrgUnit(code="ML-KAYES-NIORO", effective_on=date(2022, 1, 1)))

    # A move under the closed district - refused.
    move = c.MoveOrgUnit(code=CENTRE, new_parent_code="ML-KAYES-NIORO", effective_on=date(2022, 6, 1))
    error = refused(ledger, move, "INVALID_PARENT")
    assert "closed on 2022-01-01" in error.message

    # Moving the closed district itself - refused.
    move = c.MoveOrgUnit(code="ML-KAYES-NIORO", new_parent_code=KAYES, effective_on=date(2022, 6, 1))
    refused(ledger, move, "ORG_UNIT_CLOSED")


def test_a_renamed_unit_keeps_its_code(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)

    # Rename the centre.
    record(ledger, c.RenameOrgUnit(code=CENTRE, name="CSCom de Kita-Nord", effective_on=date(2022, 5, 1)))
    assert org_unit(ledger, CENTRE).name == "CSCom de Kita-Nord"

    # The same name again - refused: nothing would change.
    rename = c.RenameOrgUnit(code=CENTRE, name="CSCom de Kita-Nord", effective_on=date(2022, 6, 1))
    refused(ledger, rename, "BAD_USER_INPUT")

    # An unknown unit - refused.
    refused(ledger, c.RenameOrgUnit(code="NOPE", name="X", effective_on=date(2022, 6, 1)), "NOT_FOUND")

    # Once the centre has closed, renaming it - refused.
    record(ledger, c.CloseOrgUnit(code=CENTRE, effective_on=date(2023, 1, 1)))
    rename = c.RenameOrgUnit(code=CENTRE, name="CSCom fermé", effective_on=date(2023, 2, 1))
    error = refused(ledger, rename, "ORG_UNIT_CLOSED")
    assert "closed on 2023-01-01" in error.message


def test_a_unit_closes_once_after_it_opened(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)

    # Closing on the day it opened - refused.
    refused(ledger, c.CloseOrgUnit(code=CENTRE, effective_on=OPENED), "DATE_OUT_OF_ORDER")

    # An unknown unit - refused.
    refused(ledger, c.CloseOrgUnit(code="NOPE", effective_on=date(2022, 1, 1)), "NOT_FOUND")

    # Close the centre: it is open the day before, not on the day.
    record(ledger, c.CloseOrgUnit(code=CENTRE, effective_on=date(2022, 1, 1)))
    centre = org_unit(ledger, CENTRE)
    assert centre.is_open_on(date(2021, 12, 31)) and not centre.is_open_on(date(2022, 1, 1))

    # Closing it again - refused.
    refused(ledger, c.CloseOrgUnit(code=CENTRE, effective_on=date(2022, 6, 1)), "ORG_UNIT_CLOSED")


def test_a_unit_cannot_close_before_a_move_recorded_for_it(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    record(ledger, open_unit("ML-KAYES-BAFOULABE", OrgUnitLevel.DISTRICT, KAYES))
    record(ledger, c.MoveOrgUnit(code=CENTRE, new_parent_code="ML-KAYES-BAFOULABE", effective_on=date(2022, 3, 1)))

    refused(ledger, c.CloseOrgUnit(code=CENTRE, effective_on=date(2022, 3, 1)), "DATE_OUT_OF_ORDER")
    record(ledger, c.CloseOrgUnit(code=CENTRE, effective_on=date(2022, 3, 2)))


def test_the_latest_population_estimate_for_a_year_counts(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)

    # Two estimates for 2021: the later one wins; 2022 has its own.
    record(ledger, c.RecordPopulation(org_unit_code=KITA, year=2021, population=450_000, source="RGPH projection"))
    record(ledger, c.RecordPopulation(org_unit_code=KITA, year=2021, population=462_000, source="DRS Kayes"))
    record(ledger, c.RecordPopulation(org_unit_code=KITA, year=2022, population=0))
    assert org_unit(ledger, KITA).populations == {2021: 462_000, 2022: 0}

    # A year before the unit opened - refused.
    error = refused(ledger, c.RecordPopulation(org_unit_code=KITA, year=2019, population=1), "BAD_USER_INPUT")
    assert "opened on 2020-01-01" in error.message

    # An unknown unit - refused.
    refused(ledger, c.RecordPopulation(org_unit_code="NOPE", year=2021, population=1), "NOT_FOUND")

    # A year after the unit closed - refused; the year of its closing is fine.
    record(ledger, c.CloseOrgUnit(code=CENTRE, effective_on=date(2023, 7, 1)))
    record(ledger, c.RecordPopulation(org_unit_code=CENTRE, year=2023, population=12_000))
    refused(ledger, c.RecordPopulation(org_unit_code=CENTRE, year=2024, population=12_000), "BAD_USER_INPUT")


def test_an_opened_facility_keeps_its_sector_kind_and_remoteness(memory_ledger: Ledger) -> None:
    ledger = kita_district(memory_ledger)
    opening = open_unit(
        "KITA-CSCOM-TOUKOTO",
        OrgUnitLevel.FACILITY,
        KITA,
        name="CSCom de Toukoto",
        sector=Sector.COMMUNITY,
        facility_kind="CSCOM",
        hard_to_reach=True,
        authority="Arrêté 2020-0042",
    )
    record(ledger, opening)
    facility = org_unit(ledger, "KITA-CSCOM-TOUKOTO")
    assert (facility.sector, facility.facility_kind, facility.hard_to_reach) == (Sector.COMMUNITY, "CSCOM", True)
