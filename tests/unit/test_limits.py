"""The ledger's limits on dates: no event before 1950, no worker hired before 14, no training
longer than five years. Each limit is a setting, and applies to new commands, never to history."""

from datetime import date

import pytest
from pydantic import ValidationError

from api.settings import Settings
from domain import commands as c
from domain.errors import DateOutOfOrder, DateTooEarly
from domain.ledger import Ledger
from domain.limits import Limits, years_after
from domain.values import OrgUnitLevel
from tests.unit.scenario import (
    CENTRE,
    HOSPITAL,
    MALI,
    MIDWIFE,
    NOW,
    hire,
    hire_and_post,
    hire_command,
    kita_district,
    open_unit,
    record,
    refused,
    worker,
)


def ledger_with(limits: Limits | None = None) -> Ledger:
    return kita_district(Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock_=lambda: NOW, limits=limits))


def test_no_event_takes_effect_before_1950() -> None:
    ledger = ledger_with()

    # A hire on the last day of 1949 - refused, naming the earliest date.
    error = refused(
        ledger, hire_command(effective_on=date(1949, 12, 31), birth_date=date(1920, 1, 1)), "DATE_TOO_EARLY"
    )
    assert isinstance(error, DateTooEarly) and "1949-12-31" in error.message and "1950-01-01" in error.message

    # Org units, postings and trainings are held to it too.
    refused(ledger, open_unit("ML-OLD", OrgUnitLevel.REGION, MALI, opened_on=date(1900, 1, 1)), "DATE_TOO_EARLY")
    aminata = hire(ledger)
    post = c.PostWorker(worker_id=aminata, facility_code=HOSPITAL, effective_on=date(1921, 1, 4))
    refused(ledger, post, "DATE_TOO_EARLY")

    # A birth date is no effective date: a worker born in 1930 may be hired in 1950.
    record(ledger, hire_command(birth_date=date(1930, 5, 1), effective_on=date(1950, 1, 1)))


def test_the_earliest_date_is_a_setting() -> None:
    ledger = ledger_with(Limits(earliest_effective_on=date(2000, 1, 1)))
    refused(ledger, hire_command(effective_on=date(1999, 12, 31), birth_date=None), "DATE_TOO_EARLY")
    record(ledger, hire_command(effective_on=date(2000, 1, 1), birth_date=None))


def test_a_worker_is_born_at_least_14_years_before_the_hire() -> None:
    ledger = ledger_with()

    # Born a day short of 14 years before the hire - refused.
    error = refused(
        ledger, hire_command(birth_date=date(2007, 1, 5), effective_on=date(2021, 1, 4)), "DATE_OUT_OF_ORDER"
    )
    assert isinstance(error, DateOutOfOrder) and "14 years" in error.message and "2007-01-04" in error.message

    # Born 14 years to the day before - hired.
    young = hire(ledger, birth_date=date(2007, 1, 4), effective_on=date(2021, 1, 4))

    # A correction of the birth date is held to the same rule, against the hire.
    correction = c.CorrectWorkerDetails(worker_id=young, birth_date=date(2010, 6, 1))
    refused(ledger, correction, "DATE_OUT_OF_ORDER")
    record(ledger, c.CorrectWorkerDetails(worker_id=young, birth_date=date(1999, 6, 1)))
    assert worker(ledger, young).birth_date == date(1999, 6, 1)


def test_the_minimum_age_is_a_setting() -> None:
    ledger = ledger_with(Limits(min_hire_age_years=18))
    refused(ledger, hire_command(birth_date=date(2003, 1, 5), effective_on=date(2021, 1, 4)), "DATE_OUT_OF_ORDER")
    hire(ledger, birth_date=date(2003, 1, 4), effective_on=date(2021, 1, 4))


def test_a_training_ends_at_most_5_years_after_it_starts() -> None:
    ledger = ledger_with()
    aminata = hire_and_post(ledger)

    def training(ended_on: date) -> c.RecordTraining:
        return c.RecordTraining(worker_id=aminata, course="Médecine", started_on=date(2021, 9, 1), ended_on=ended_on)

    # Ending five years and a day after it starts - refused, saying by when it must end.
    error = refused(ledger, training(date(2026, 9, 2)), "DATE_OUT_OF_ORDER")
    assert "5 years" in error.message and "2026-09-01" in error.message

    # Five years to the day - recorded.
    record(ledger, training(date(2026, 9, 1)))

    # A longer limit, set for the ledger - a seven-year course goes in.
    longer = ledger_with(Limits(max_training_years=7))
    posted = hire_and_post(longer)
    record(
        longer,
        c.RecordTraining(worker_id=posted, course="Chirurgie", started_on=date(2021, 9, 1), ended_on=date(2028, 9, 1)),
    )


def test_history_recorded_under_other_limits_still_loads_and_takes_new_commands() -> None:
    # Recorded under lax limits: a hire in 1945 of a 12-year-old, and a ten-year training.
    ledger = ledger_with(Limits(earliest_effective_on=date(1900, 1, 1), min_hire_age_years=0, max_training_years=50))
    old = hire(ledger, birth_date=date(1933, 1, 1), effective_on=date(1945, 3, 1))
    long_course = c.RecordTraining(worker_id=old, course="Long", started_on=date(1946, 1, 1), ended_on=date(1956, 1, 1))
    record(ledger, long_course)

    # The default limits now: the worker loads as recorded, and later commands about them go in.
    ledger.limits = Limits()
    assert worker(ledger, old).timeline.hired_on() == date(1945, 3, 1)
    record(ledger, c.PostWorker(worker_id=old, facility_code=HOSPITAL, effective_on=date(2021, 1, 4)))
    record(ledger, c.TransferWorker(worker_id=old, to_facility_code=CENTRE, effective_on=date(2022, 1, 4)))

    # A new command that breaks them does not.
    requalify = c.RequalifyWorker(worker_id=old, cadre_code=MIDWIFE, effective_on=date(1949, 1, 4))
    refused(ledger, requalify, "DATE_TOO_EARLY")


def test_years_after_keeps_the_day_and_moves_29_february_to_the_28th() -> None:
    assert years_after(date(2021, 1, 4), -14) == date(2007, 1, 4)
    assert years_after(date(2020, 2, 29), 5) == date(2025, 2, 28)
    assert years_after(date(2024, 2, 29), -14) == date(2010, 2, 28)


def test_the_limits_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HRH_EARLIEST_EFFECTIVE_DATE", "1960-01-01")
    monkeypatch.setenv("HRH_MIN_HIRE_AGE_YEARS", "18")
    monkeypatch.setenv("HRH_MAX_TRAINING_YEARS", "7")
    assert Settings().limits() == Limits(date(1960, 1, 1), 18, 7)

    # A limit that makes no sense - refused when the settings are read.
    monkeypatch.setenv("HRH_MAX_TRAINING_YEARS", "0")
    with pytest.raises(ValidationError, match="HRH_MAX_TRAINING_YEARS"):
        Settings()
