"""The FHIR resources made from GraphQL answers, without a database: ids FHIR accepts and that stay the same,
a closing that takes effect on its day, a role's period that ends on the last day in post."""

from datetime import date

from fhir.resources.R4B.location import Location
from fhir.resources.R4B.practitionerrole import PractitionerRole

from api.exports.fhir_resources import location, practitioner_role, role_id, unit_id

TODAY = date(2024, 6, 15)
WORKER = "2f6b1c1e-9f0e-4d38-9a0b-0c5a3f3f1a11"


def unit(code: str, closed_on: str | None = None) -> dict[str, object]:
    return {"code": code, "name": f"Unit {code}", "level": "FACILITY", "closedOn": closed_on, "parent": {"code": "ML"}}


def test_a_code_fhir_refuses_as_an_id_gets_a_stable_uuid_of_its_own() -> None:
    assert unit_id("F-111") == "F-111" and unit_id("CSCOM.2") == "CSCOM.2"
    odd = unit_id("Ségou centre")
    assert odd == unit_id("Ségou centre") != unit_id("Segou centre") and len(odd) == 36
    Location.model_validate(location(unit("Ségou centre"), TODAY))  # a valid id
    assert role_id(WORKER, "F-111", "2016-01-05") == role_id(WORKER, "F-111", "2016-01-05")
    assert role_id(WORKER, "F-111", "2016-01-05") != role_id(WORKER, "F-111", "2016-06-01")


def test_a_unit_is_inactive_from_the_day_it_closes() -> None:
    assert location(unit("F-1", "2024-06-15"), TODAY)["status"] == "inactive"
    assert location(unit("F-1", "2024-06-16"), TODAY)["status"] == "active"  # closing recorded in advance
    assert location(unit("F-1"), TODAY)["status"] == "active"


def test_a_roles_period_ends_on_the_last_day_in_post_and_it_is_active_only_while_it_holds() -> None:
    cadre = {"code": "NURSE-RN", "name": "Registered nurse", "isco08": "2221"}
    ended = {"startedOn": "2016-01-05", "endedOn": "2016-06-01", "facility": {"code": "F-111"}, "cadre": cadre}
    role = practitioner_role(WORKER, ended, TODAY)
    PractitionerRole.model_validate(role)
    assert role["period"] == {"start": "2016-01-05", "end": "2016-05-31"} and role["active"] is False
    lasting = {**ended, "endedOn": None}
    assert practitioner_role(WORKER, lasting, TODAY)["active"] is True
    assert "end" not in practitioner_role(WORKER, lasting, TODAY)["period"]
    future = {**lasting, "startedOn": "2024-06-16"}
    assert practitioner_role(WORKER, future, TODAY)["active"] is False
    ends_today = {**ended, "endedOn": "2024-06-15"}  # transferred out today: no longer there today
    assert practitioner_role(WORKER, ends_today, TODAY)["active"] is False
