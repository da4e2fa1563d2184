"""Who may do what (DESIGN, "Interfaces"): roles, and HR managers' scopes in the org tree."""

import enum
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain.identity import org_unit_id
from domain.ledger import Ledger
from domain.org_unit import OrgUnit
from domain.worker import Worker


class Role(enum.Enum):
    ADMIN = "ADMIN"
    HR_MANAGER = "HR_MANAGER"
    AUDITOR = "AUDITOR"
    PLANNER = "PLANNER"


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    scope_code: str | None = None


class Unauthenticated(Exception):
    """Raised when a request carries no valid token."""

    code = "UNAUTHENTICATED"


class Forbidden(Exception):
    """Raised when the user's role or scope does not allow the request."""

    code = "FORBIDDEN"


def require(user: User | None, *roles: Role) -> User:
    """The user, when they hold one of ``roles``.

    Raises:
        Unauthenticated: no user.
        Forbidden: another role.
    """
    if user is None:
        raise Unauthenticated("Send a token: Authorization: Bearer <token>.")
    if user.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise Forbidden(f"{user.name} is a {user.role.value}; this needs {allowed}.")
    return user


def chain(ledger: Ledger, code: str, day: date) -> list[str]:
    """The unit and its ancestors on ``day``, from the ledger itself (never stale)."""
    found = [code]
    while len(found) < 16:
        try:
            unit = ledger.repository.get(org_unit_id(found[-1]))
        except AggregateNotFoundError:  # an unknown unit: the command itself will say so
            break
        assert isinstance(unit, OrgUnit)
        parent = unit.parent_on(day)
        if parent is None or parent in found:
            break
        found.append(parent)
    return found


def check_facility_in_scope(ledger: Ledger, user: User, facility_code: str | None, day: date) -> None:
    """HR managers act only inside their unit and its descendants, as of the effective date.

    Raises:
        Forbidden: the facility is outside the user's scope.
    """
    if user.role is Role.ADMIN:
        return
    if user.scope_code is None or facility_code is None or user.scope_code not in chain(ledger, facility_code, day):
        where = facility_code or "no facility"
        raise Forbidden(f"{user.name} may act inside {user.scope_code} only; on {day.isoformat()} this is {where}.")


class UnknownWorker(Exception):
    """Raised when no worker has that id (the command itself then refuses with NOT_FOUND)."""


def load_worker(ledger: Ledger, worker_id: UUID) -> Worker:
    """The worker aggregate.

    Raises:
        UnknownWorker: no such worker.
    """
    try:
        worker = ledger.repository.get(worker_id)
    except AggregateNotFoundError:
        raise UnknownWorker(str(worker_id)) from None
    if not isinstance(worker, Worker):
        raise UnknownWorker(str(worker_id))
    return worker


def facility_of(ledger: Ledger, worker_id: UUID, day: date) -> str | None:
    """The worker's facility on ``day`` (None when not posted)."""
    return load_worker(ledger, worker_id).facility_on(day)


def last_facility(ledger: Ledger, worker_id: UUID) -> str | None:
    """The last facility the worker was posted or transferred to, whenever that was."""
    placed = [e.facility_code for e in load_worker(ledger, worker_id).in_force() if e.facility_code is not None]
    return placed[-1] if placed else None
