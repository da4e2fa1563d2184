"""The JSON Lines log on a real PostgreSQL: export, import into an empty ledger, export again."""

import io
import json

import pytest

from domain.ledger import Ledger
from replay.log import export_log
from replay.log_format import LINE_KEYS
from replay.log_import import ImportRefused, import_log
from tests.conftest import LedgerFactory
from tests.golden.scenario import WORKER, record

pytestmark = pytest.mark.integration


def exported(ledger: Ledger) -> str:
    out = io.StringIO()
    export_log(ledger, out)
    return out.getvalue()


@pytest.fixture
def second_ledger(ledger_factory: LedgerFactory) -> Ledger:
    return ledger_factory()


def test_import_into_an_empty_ledger_then_export_gives_back_the_same_lines(
    pg_ledger: Ledger, second_ledger: Ledger
) -> None:
    record(pg_ledger)
    text = exported(pg_ledger)
    count = import_log(second_ledger, text.splitlines())
    assert count == len(text.splitlines()) == pg_ledger.recorder.max_notification_id()
    assert exported(second_ledger) == text
    # The imported ledger works: the worker loads, and new events follow the imported positions.
    assert second_ledger.repository.get(WORKER).civil_service_number == "MLI-0001235"


def test_the_export_follows_the_documented_format(pg_ledger: Ledger) -> None:
    record(pg_ledger)
    lines = [json.loads(line) for line in exported(pg_ledger).splitlines()]
    # A hire is an event of version 2 (DESIGN, "Log export format"): its line says so.
    assert all(
        list(line) == [*LINE_KEYS, *(["event_version"] if line["event"] == "Hired" else []), "chain"] for line in lines
    )
    assert all(isinstance(line["chain"], str) and len(line["chain"]) == 64 for line in lines)
    assert [line["position"] for line in lines] == sorted(line["position"] for line in lines)
    transfer = next(line for line in lines if line["event"] == "Transferred")
    assert transfer["aggregate"] == "Worker" and transfer["recorded_by"] == "sikasso.rh"
    assert transfer["authority"] == "Décision 2017-114"
    assert transfer["data"] == {
        "from_facility_code": "SIK-CSREF-01",
        "to_facility_code": "SIK-CSCOM-12",
        "reason": None,
        "effective_on": "2017-03-01",
    }
    hire = next(line for line in lines if line["event"] == "Hired")
    assert set(hire["data"]) == {
        "civil_service_number",
        "family_name",
        "given_names",
        "sex",
        "birth_date",
        "cadre_code",
        "sector",
        "funding_source",
        "effective_on",
        "country_of_birth",
        "qualification_country",
    }
    assert hire["data"]["sex"] == "FEMALE" and hire["command_id"] == "c-hire-1"
    correction = next(line for line in lines if line["event"] == "DetailsCorrected")
    assert correction["data"] == {"civil_service_number": "MLI-0001235", "birth_date": "1985-04-30"}
    retraction = next(line for line in lines if line["event"] == "EventRetracted")
    assert retraction["data"] == {"retracted_version": 9, "reason": "Wrong worker"}


def test_import_into_a_ledger_that_holds_events_is_refused(pg_ledger: Ledger, second_ledger: Ledger) -> None:
    record(pg_ledger)
    text = exported(pg_ledger)
    import_log(second_ledger, text.splitlines())
    with pytest.raises(ImportRefused, match="already holds events"):
        import_log(second_ledger, text.splitlines())


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda line: "{not json", "not JSON"),
        (lambda line: line.replace('"event": "Posted"', '"event": "Promoted"'), "unknown event Worker.Promoted"),
        (lambda line: line.replace('"effective_on": "2010-02-01"', '"effective_on": "2010-02-30"'), "bad value"),
        (lambda line: line.replace('"recorded_by": "sikasso.rh", ', ""), "missing keys: recorded_by"),
    ],
)
def test_a_malformed_line_is_reported_by_number_and_nothing_is_imported(
    pg_ledger: Ledger, second_ledger: Ledger, damage: object, reason: str
) -> None:
    record(pg_ledger)
    lines = exported(pg_ledger).splitlines()
    number = next(i for i, line in enumerate(lines) if '"event": "Posted"' in line)
    lines[number] = damage(lines[number])  # type: ignore[operator]
    with pytest.raises(ImportRefused, match=reason) as refused:
        import_log(second_ledger, lines)
    assert refused.value.line == number + 1
    assert second_ledger.recorder.max_notification_id() is None
