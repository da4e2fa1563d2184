"""The template's drop-downs offer the codes the user sees through the API: the open facilities and the
cadres, asked in-process as that user."""

import asyncio
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from api.exports.session import OPERATOR, export_services
from api.imports.template import template_codes, write_template_for
from domain import commands as c
from tests.integration.projection_support import catch_up, fresh_ledger, target_of
from tests.integration.test_projections import Recorder, org_tree

pytestmark = pytest.mark.integration


def test_the_codes_are_the_open_facilities_and_the_cadres(database_url: str, tmp_path: Path) -> None:
    with fresh_ledger(database_url) as ledger:
        record = Recorder(ledger)
        org_tree(record)  # facilities F1-F4, cadres NURSE, MIDWIFE, AIDE
        assert record(c.CloseOrgUnit(code="F3", effective_on=date(2016, 1, 1)))
        catch_up(database_url, ledger)

        async def codes() -> tuple[list[str], list[str]]:
            async with export_services(database_url, ledger, target_of(ledger)) as services:
                await write_template_for(services, OPERATOR, tmp_path / "modele.xlsx")
                return await template_codes(services, OPERATOR)

        facilities, cadres = asyncio.run(codes())
    assert facilities == ["F1", "F2", "F4"]
    assert cadres == ["AIDE", "MIDWIFE", "NURSE"]
    listed = load_workbook(tmp_path / "modele.xlsx")["codes"]
    assert [cell.value for cell in listed["A"] if cell.value] == ["facilityCode", "F1", "F2", "F4"]
