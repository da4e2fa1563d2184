"""FHIR R4 resources under IHE mCSD's profiles, made from the GraphQL answers the export reads
(``api.exports.fhir_reading``): org units as Locations and Organizations, workers as
Practitioners, and their postings as PractitionerRoles.

Every id is derived from our own ids and codes, so the same thing has the same id in every export
(docs/exports.md, "FHIR"): a Location and an Organization take the unit's code, a Practitioner the worker's
id, a PractitionerRole a name-based UUID of the worker, the facility and the posting's start.
"""

import re
import uuid
from datetime import date, timedelta
from typing import Any

MCSD = "https://profiles.ihe.net/ITI/mCSD"
MCSD_TYPES = f"{MCSD}/CodeSystem/IHE.mCSD.Organization.Location.Types"
PHYSICAL_TYPES = "http://terminology.hl7.org/CodeSystem/location-physical-type"
# Our own naming systems (docs/exports.md lists them).
ORG_UNIT_SYSTEM = "urn:hrh:org-unit"
WORKER_SYSTEM = "urn:hrh:worker"
CIVIL_SERVICE_SYSTEM = "urn:hrh:civil-service-number"
CADRE_SYSTEM = "urn:hrh:cadre"
ISCO08_SYSTEM = "urn:oid:2.16.840.1.113883.2.9.6.2.7"  # ISCO-08, as HL7's OID registry names it
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
NAMESPACE = uuid.UUID("6f1d5a5e-2b43-4f0b-9a39-6d8e1c0f7a21")  # the PractitionerRoles' and odd codes' ids
GENDERS = {"FEMALE": "female", "MALE": "male"}


def unit_id(code: str) -> str:
    """The id of a unit's Location and Organization: its code when FHIR allows it as an id, else a name-based
    UUID of the code (a code with a space or an accent)."""
    return code if FHIR_ID.fullmatch(code) else str(uuid.uuid5(NAMESPACE, f"org-unit/{code}"))


def role_id(worker_id: str, facility: str, started_on: str) -> str:
    """A posting's PractitionerRole id: the same worker, facility and start give the same id."""
    return str(uuid.uuid5(NAMESPACE, f"posting/{worker_id}/{facility}/{started_on}"))


def mcsd_type(code: str) -> dict[str, Any]:
    return {"coding": [{"system": MCSD_TYPES, "code": code}]}


def profile(name: str) -> dict[str, Any]:
    return {"profile": [f"{MCSD}/StructureDefinition/IHE.mCSD.{name}"]}


def is_open(unit: dict[str, Any], today: date) -> bool:
    """Whether a unit is open today: not closed, or closed on a later day."""
    return unit["closedOn"] is None or date.fromisoformat(unit["closedOn"]) > today


def location(unit: dict[str, Any], today: date) -> dict[str, Any]:
    """An org unit as a Location: a facility (mCSD ``facility``) or a jurisdiction (country, region,
    district: mCSD ``jurisdiction``), managed by the unit's Organization, inactive once closed, part of its
    parent as of today."""
    facility = unit["level"] == "FACILITY"
    found: dict[str, Any] = {
        "resourceType": "Location",
        "id": unit_id(unit["code"]),
        "meta": profile("FacilityLocation" if facility else "JurisdictionLocation"),
        "identifier": [{"system": ORG_UNIT_SYSTEM, "value": unit["code"]}],
        "status": "active" if is_open(unit, today) else "inactive",
        "name": unit["name"],
        "type": [mcsd_type("facility" if facility else "jurisdiction")],
        "physicalType": {"coding": [{"system": PHYSICAL_TYPES, "code": "si" if facility else "jdn"}]},
    }
    found["managingOrganization"] = {"reference": f"Organization/{unit_id(unit['code'])}"}
    if unit["parent"]:
        found["partOf"] = {"reference": f"Location/{unit_id(unit['parent']['code'])}"}
    return found


def organization(unit: dict[str, Any], today: date) -> dict[str, Any]:
    """An org unit's Organization, which manages its Location: a facility's (mCSD ``facility``) or a
    jurisdiction's (mCSD ``jurisdiction``), part of its parent's, inactive once closed."""
    facility = unit["level"] == "FACILITY"
    found: dict[str, Any] = {
        "resourceType": "Organization",
        "id": unit_id(unit["code"]),
        "meta": profile("FacilityOrganization" if facility else "JurisdictionOrganization"),
        "identifier": [{"system": ORG_UNIT_SYSTEM, "value": unit["code"]}],
        "active": is_open(unit, today),
        "type": [mcsd_type("facility" if facility else "jurisdiction")],
        "name": unit["name"],
    }
    if unit["parent"]:
        found["partOf"] = {"reference": f"Organization/{unit_id(unit['parent']['code'])}"}
    return found


def practitioner(worker: dict[str, Any]) -> dict[str, Any]:
    """A worker as a Practitioner: names, gender, birth date, and the civil-service number as an identifier;
    inactive once departed."""
    identifiers = [{"system": WORKER_SYSTEM, "value": worker["id"]}]
    if worker["civilServiceNumber"]:
        identifiers.append({"system": CIVIL_SERVICE_SYSTEM, "value": worker["civilServiceNumber"]})
    name: dict[str, Any] = {"use": "official", "family": worker["familyName"]}
    if worker["givenNames"]:
        name["given"] = worker["givenNames"].split()
    found: dict[str, Any] = {
        "resourceType": "Practitioner",
        "id": worker["id"],
        "meta": profile("Practitioner"),
        "identifier": identifiers,
        "active": worker["status"] != "DEPARTED",
        "name": [name],
        "gender": GENDERS.get(worker["sex"], "unknown"),
    }
    if worker["birthDate"]:
        found["birthDate"] = worker["birthDate"]
    return found


def cadre_code(cadre: dict[str, Any]) -> dict[str, Any]:
    """A cadre as a PractitionerRole code: our cadre code, and its ISCO-08 unit group when it has one."""
    codings = [{"system": CADRE_SYSTEM, "code": cadre["code"], "display": cadre["name"]}]
    if cadre["isco08"]:
        codings.append({"system": ISCO08_SYSTEM, "code": cadre["isco08"]})
    return {"coding": codings, "text": cadre["name"]}


def in_force(posting: dict[str, Any], today: date) -> bool:
    """Whether a posting holds today: started on or before it, and not ended on or before it."""
    ended = posting["endedOn"]
    return date.fromisoformat(posting["startedOn"]) <= today and (ended is None or date.fromisoformat(ended) > today)


def practitioner_role(worker_id: str, posting: dict[str, Any], today: date) -> dict[str, Any]:
    """A posting as a PractitionerRole: its period runs from the posting's start to the last day in post (the
    day before the transfer or departure that ended it); active while it holds today."""
    facility = posting["facility"]["code"]
    period = {"start": posting["startedOn"]}
    if posting["endedOn"]:
        period["end"] = (date.fromisoformat(posting["endedOn"]) - timedelta(days=1)).isoformat()
    return {
        "resourceType": "PractitionerRole",
        "id": role_id(worker_id, facility, posting["startedOn"]),
        "meta": profile("PractitionerRole"),
        "active": in_force(posting, today),
        "period": period,
        "practitioner": {"reference": f"Practitioner/{worker_id}"},
        "organization": {"reference": f"Organization/{unit_id(facility)}"},
        "location": [{"reference": f"Location/{unit_id(facility)}"}],
        "code": [cadre_code(posting["cadre"])],
    }
