"""A deterministic scenario that records every kind of stored event once or more.

``python -m tests.golden.scenario`` rewrites ``events_v1.jsonl``: do that only when a new event
type is added, never to 'fix' a failing golden test (a changed shape needs an upcaster instead).
"""

import json
from datetime import UTC, date, datetime, timedelta
from itertools import count
from pathlib import Path
from uuid import UUID

from domain import commands as c
from domain.ledger import Ledger
from domain.values import CadreGroup, DepartureReason, FundingSource, LeaveKind, OrgUnitLevel, Sector, Sex

GOLDEN = Path(__file__).with_name("events_v1.jsonl")
WORKER = UUID("00000000-0000-4000-8000-000000000001")
OTHER = UUID("00000000-0000-4000-8000-000000000002")


def record(ledger: Ledger) -> None:
    ticks = count()
    ledger.clock = lambda: datetime(2019, 12, 2, 9, 0, tzinfo=UTC) + timedelta(seconds=next(ticks))
    run = ledger.execute
    run(c.OpenOrgUnit(code="ML", name="Mali", level=OrgUnitLevel.COUNTRY, opened_on=date(1960, 9, 22)), "dnrh")
    for code in ("SIK", "KOU"):
        run(
            c.OpenOrgUnit(
                code=code, name=code, level=OrgUnitLevel.REGION, parent_code="ML", opened_on=date(1977, 1, 1)
            ),
            "dnrh",
        )
    run(
        c.OpenOrgUnit(
            code="SIK-KAD", name="Kadiolo", level=OrgUnitLevel.DISTRICT, parent_code="SIK", opened_on=date(1990, 1, 1)
        ),
        "dnrh",
    )
    for code in ("SIK-CSREF-01", "SIK-CSCOM-12"):
        run(
            c.OpenOrgUnit(
                code=code,
                name=code,
                level=OrgUnitLevel.FACILITY,
                parent_code="SIK-KAD",
                sector=Sector.PUBLIC,
                facility_kind="CSCOM",
                hard_to_reach=code.endswith("12"),
                opened_on=date(2000, 1, 1),
            ),
            "dnrh",
        )
    run(
        c.MoveOrgUnit(code="SIK-KAD", new_parent_code="KOU", effective_on=date(2016, 1, 19), authority="Loi 2012-017"),
        "dnrh",
    )
    run(c.RenameOrgUnit(code="SIK-KAD", name="Cercle de Kadiolo", effective_on=date(2016, 2, 1)), "dnrh")
    run(c.RecordPopulation(org_unit_code="SIK", year=2017, population=3_456_789, source="INSTAT"), "dnrh")
    run(
        c.DefineCadre(code="IDE", name="Infirmier d'État", isco08="2221", group=CadreGroup.NURSE, qualified=True),
        "dnrh",
    )
    run(c.DefineCadre(code="MED", name="Médecin", isco08="2211", group=CadreGroup.DOCTOR, qualified=True), "dnrh")
    hire = c.HireWorker(
        worker_id=WORKER,
        civil_service_number="MLI-0001234",
        family_name="Traoré",
        given_names="Awa",
        sex=Sex.FEMALE,
        birth_date=date(1985, 4, 3),
        cadre_code="IDE",
        sector=Sector.PUBLIC,
        funding_source=FundingSource.STATE,
        effective_on=date(2010, 1, 4),
        authority="Arrêté 2009-3311",
        command_id="c-hire-1",
    )
    run(hire, "sikasso.rh")
    run(
        c.PostWorker(
            worker_id=WORKER, facility_code="SIK-CSREF-01", job_title="Infirmière", effective_on=date(2010, 2, 1)
        ),
        "sikasso.rh",
    )
    run(
        c.TransferWorker(
            worker_id=WORKER,
            to_facility_code="SIK-CSCOM-12",
            effective_on=date(2017, 3, 1),
            authority="Décision 2017-114",
        ),
        "sikasso.rh",
    )
    run(
        c.RecordTraining(
            worker_id=WORKER,
            course="SONU",
            kind="in-service",
            provider="DNS",
            started_on=date(2017, 1, 9),
            ended_on=date(2017, 1, 20),
            outcome="passed",
        ),
        "sikasso.rh",
    )
    run(c.RequalifyWorker(worker_id=WORKER, cadre_code="MED", effective_on=date(2017, 2, 1)), "sikasso.rh")
    run(c.StartLeave(worker_id=WORKER, kind=LeaveKind.MATERNITY, effective_on=date(2017, 4, 1)), "sikasso.rh")
    run(c.EndLeave(worker_id=WORKER, effective_on=date(2017, 7, 1)), "sikasso.rh")
    run(
        c.CorrectWorkerDetails(worker_id=WORKER, civil_service_number="MLI-0001235", birth_date=date(1985, 4, 30)),
        "sikasso.rh",
    )
    departure = run(
        c.RecordDeparture(worker_id=WORKER, reason=DepartureReason.RESIGNATION, effective_on=date(2018, 1, 1)),
        "sikasso.rh",
    )
    run(c.RetractEvent(worker_id=WORKER, position=departure.position, reason="Wrong worker"), "dnrh.audit")
    run(
        c.RecordDeparture(worker_id=WORKER, reason=DepartureReason.EMIGRATION, effective_on=date(2018, 2, 1)),
        "sikasso.rh",
    )
    run(c.RehireWorker(worker_id=WORKER, effective_on=date(2019, 1, 1)), "sikasso.rh")
    run(
        c.HireWorker(
            worker_id=OTHER,
            civil_service_number="MLI-0001234",
            family_name="Diarra",
            given_names="Moussa",
            sex=Sex.MALE,
            cadre_code="IDE",
            sector=Sector.PUBLIC,
            funding_source=FundingSource.STATE,
            effective_on=date(2012, 1, 2),
        ),
        "sikasso.rh",
    )
    run(c.CloseOrgUnit(code="SIK-CSREF-01", effective_on=date(2019, 6, 30)), "dnrh")
    establishment = c.SetEstablishment(
        facility_code="SIK-CSCOM-12",
        cadre_code="IDE",
        posts=4,
        effective_on=date(2017, 1, 1),
        authority="Arrêté n°2017-0123/MS-SG",
    )
    run(establishment, "dnrh")


def main() -> None:
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    record(ledger)
    with GOLDEN.open("w", encoding="utf-8") as out:
        for n in ledger.recorder.select_notifications(1, 10_000):
            line = {
                "topic": n.topic,
                "originator_id": str(n.originator_id),
                "version": n.originator_version,
                "state": n.state.decode(),
            }
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()


HIRED_ABROAD = c.HireWorker(
    family_name="Ouédraogo",
    given_names="Issa",
    sex=Sex.MALE,
    cadre_code="IDE",
    sector=Sector.PUBLIC,
    funding_source=FundingSource.STATE,
    effective_on=date(2015, 3, 2),
    country_of_birth="BF",
    qualification_country="SN",
)
"""A hire at version 2 of ``Worker.Hired``: born in Burkina Faso, first qualified in Senegal."""
