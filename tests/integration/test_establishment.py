"""The establishment's read table against the reference (``tests/reference.py``), on a real PostgreSQL:
revisions, a back-dated decree, requalification, leave, a boundary change, knownAt and children;
then a rebuild from zero equals the live tables (``hrh verify``)."""

from datetime import date, timedelta

import pytest

from domain import commands as c
from domain.values import LeaveKind, Sex
from tests.integration.projection_support import (
    catch_up,
    differences,
    establishment_of,
    fresh_ledger,
    in_post_against_periods,
    reference,
    sums_against_pairs,
)
from tests.integration.test_projections import AREAS, START, Recorder, hire_command, org_tree, rounded

pytestmark = pytest.mark.integration


def test_the_establishment_equals_the_reference(database_url: str) -> None:
    with fresh_ledger(database_url) as ledger:
        record = Recorder(ledger)
        org_tree(record)
        decree = "Arrêté n°2017-0123/MS-SG"
        for facility, cadre, posts, day in (
            ("F1", "NURSE", 3, date(2020, 1, 1)),
            ("F1", "MIDWIFE", 1, date(2020, 1, 1)),
            ("F2", "NURSE", 0, date(2020, 1, 1)),
            ("F3", "NURSE", 2, date(2020, 6, 1)),
            ("F4", "AIDE", 2, date(2020, 1, 1)),
            ("F1", "NURSE", 2, date(2021, 1, 1)),  # a revision
        ):
            assert record(c.SetEstablishment(facility_code=facility, cadre_code=cadre, posts=posts, effective_on=day))
        for facility, cadre in (("F1", "NURSE"), ("F1", "NURSE"), ("F2", "NURSE"), ("F3", "MIDWIFE"), ("F4", "AIDE")):
            assert record(hire_command(date(2020, 2, 1), cadre, Sex.FEMALE))
            worker = record.workers[-1]
            assert record(c.PostWorker(worker_id=worker, facility_code=facility, effective_on=date(2020, 2, 3)))
        first = record.workers[0]
        assert record(c.StartLeave(worker_id=first, kind=LeaveKind.STUDY, effective_on=date(2020, 9, 1)))
        assert record(c.RequalifyWorker(worker_id=record.workers[3], cadre_code="NURSE", effective_on=date(2021, 3, 1)))
        assert record(c.MoveOrgUnit(code="D2", new_parent_code="R2", effective_on=date(2021, 6, 1)))
        # A back-dated decree, recorded last: known only from then on.
        assert record(
            c.SetEstablishment(
                facility_code="F2", cadre_code="NURSE", posts=2, effective_on=date(2020, 3, 1), authority=decree
            )
        )
        catch_up(database_url, ledger, batch=5)
        ref = reference(ledger)
        days = [date(2019, 12, 31), date(2020, 2, 3), date(2020, 9, 1), date(2021, 3, 1), date(2021, 7, 1)]
        hours = [None, 25, 31, 40, 1000]
        for code in AREAS:
            for day in days:
                for hour in hours:
                    known_at = None if hour is None else START + timedelta(hours=hour)
                    got = establishment_of(database_url, ledger, code, day, known_at)
                    assert rounded(got) == rounded(ref.establishment(code, day, known_at)), (code, day, known_at)
        # Something to see: F1's nurse on leave still holds a post; F2's posts are known late.
        f1 = establishment_of(database_url, ledger, "F1", date(2020, 9, 1))
        assert (f1["posts"], f1["filled"], f1["vacant"]) == (4, 2, 2)
        assert establishment_of(database_url, ledger, "R1", date(2021, 7, 1))["children"].keys() == {"D1"}
        assert in_post_against_periods(database_url, ledger, days) == []
        assert sums_against_pairs(database_url, ledger, days) == []
        assert differences(database_url, ledger) == []
