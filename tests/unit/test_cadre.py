"""Stories of cadres: the qualifications workers are hired into."""

from domain import commands as c
from domain.cadre import Cadre
from domain.identity import cadre_id
from domain.ledger import Ledger
from domain.values import CadreGroup
from tests.unit.scenario import record, refused


def test_a_cadre_is_defined_once_per_code(memory_ledger: Ledger) -> None:
    ledger = memory_ledger

    # Define the midwife cadre, qualified, mapped to ISCO-08 2222.
    definition = c.DefineCadre(
        code="SAGE-FEMME", name="Sage-femme d'État", isco08="2222", group=CadreGroup.MIDWIFE, qualified=True
    )
    outcome = record(ledger, definition)
    cadre = ledger.repository.get(cadre_id("SAGE-FEMME"))
    assert isinstance(cadre, Cadre) and outcome.aggregate_id == cadre.id
    assert (cadre.name, cadre.isco08, cadre.group, cadre.qualified) == (
        "Sage-femme d'État",
        "2222",
        CadreGroup.MIDWIFE,
        True,
    )

    # The same code again, even with other details - refused.
    again = c.DefineCadre(code="SAGE-FEMME", name="Matrone", group=CadreGroup.OTHER, qualified=False)
    error = refused(ledger, again, "DUPLICATE_CODE")
    assert "SAGE-FEMME" in error.message

    # An unqualified cadre without an ISCO-08 code is fine.
    record(ledger, c.DefineCadre(code="MATRONE", name="Matrone", group=CadreGroup.OTHER, qualified=False))
