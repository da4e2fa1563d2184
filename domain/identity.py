"""Deterministic aggregate ids. A code maps to one id, so the event store's uniqueness of
(aggregate id, version) is what keeps codes unique, even under concurrent writers."""

from functools import lru_cache
from uuid import UUID, uuid5

NAMESPACE = UUID("4f6b1f7e-8c1e-5d59-9a57-2d3c6e0b7a11")


@lru_cache(maxsize=65536)
def org_unit_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"org-unit/{code}")


@lru_cache(maxsize=65536)
def cadre_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"cadre/{code}")


def civil_service_key(number: str) -> str:
    """What makes two civil-service numbers one: they are compared trimmed and case-folded, so
    ``mli-123`` is ``MLI-123``."""
    return number.strip().casefold()


@lru_cache(maxsize=65536)  # a hire looks its number up, then creates the registration
def civil_service_number_id(number: str) -> UUID:
    """The id of the registration of ``number``: from its key, written in capitals.

    Registrations recorded before numbers were compared by key took their id from the number as
    it was typed (:func:`typed_civil_service_number_id`); numbers are mostly typed in capitals, so
    those registrations keep this id.
    """
    return typed_civil_service_number_id(civil_service_key(number).upper())


def typed_civil_service_number_id(number: str) -> UUID:
    """The id a registration of ``number`` had before numbers were compared by key."""
    return uuid5(NAMESPACE, f"civil-service-number/{number}")


def command_receipt_id(command_id: str, recorded_by: str) -> UUID:
    """A command id belongs to the user who sent it: the same id from another user is another command."""
    return uuid5(NAMESPACE, f"command/{recorded_by}/{command_id}")


def legacy_command_receipt_id(command_id: str) -> UUID:
    """Where receipts were kept before command ids belonged to their sender (shared by all users)."""
    return uuid5(NAMESPACE, f"command/{command_id}")


@lru_cache(maxsize=65536)
def roster_id(facility_code: str) -> UUID:
    return uuid5(NAMESPACE, f"roster/{facility_code}")
