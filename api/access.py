"""Who may do what (DESIGN, "Who may do what"): every rule in one place.

GraphQL, the web pages, the imports and the exports all ask here. Commands are checked by the
ledger's guard (``command_guard``), inside the same attempt that records them, so the state a rule
was checked against is the state that is saved. Reads of personal data ask ``readable_workers``.

An HR manager's *scope* is their org unit and its descendants. A worker is in the scope *now* when
their home facility (``Worker.home_facility`` on the write side, ``mobility.homes`` on the read
side) lies in it following the tree as of today; a worker never posted is in the scope of the user
who recorded the hire.
"""

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import date
from uuid import UUID

import asyncpg

from domain import clock
from domain import commands as c
from domain.errors import N_, Refusal
from domain.identity import org_unit_id
from domain.ledger import Guard, no_later_check
from domain.org_unit import OrgUnit
from domain.staging import Staging
from domain.worker import Worker
from projections import mobility, org_units


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


class Unauthenticated(Refusal):
    """Raised when a request carries no valid token. A message template plus parameters, as the
    domain's refusals (``domain.errors.Refusal``)."""

    code = "UNAUTHENTICATED"


class Forbidden(Refusal):
    """Raised when the user's role or scope does not allow the request. A message template plus
    parameters, as the domain's refusals (``domain.errors.Refusal``)."""

    code = "FORBIDDEN"


ANYONE = (Role.ADMIN, Role.HR_MANAGER, Role.AUDITOR, Role.PLANNER)
PEOPLE = (Role.ADMIN, Role.HR_MANAGER, Role.AUDITOR)  # may read personal data (managers: in scope)
WRITERS = (Role.ADMIN, Role.HR_MANAGER)
ADMINS = (Role.ADMIN,)  # the org tree, cadres, populations and accounts
AUDITORS = (Role.ADMIN, Role.AUDITOR)  # the audit trail
MAX_DEPTH = 16  # an org tree is a handful of levels deep; a cycle must not loop forever


def signed_in(user: User | None) -> User:
    """The user who sent the request.

    Raises:
        Unauthenticated: no user.
    """
    if user is None:
        raise Unauthenticated(N_("Send a token: Authorization: Bearer <token>."))
    return user


def require(user: User | None, *roles: Role) -> User:
    """The user, when they hold one of ``roles``.

    Raises:
        Unauthenticated: no user.
        Forbidden: another role.
    """
    user = signed_in(user)
    if user.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise Forbidden(
            N_("{user} is a {role}; this needs {allowed}."), user=user.name, role=user.role.value, allowed=allowed
        )
    return user


def covers(user: User, chain: Iterable[str]) -> bool:
    """Whether a unit whose ancestors (itself first) are ``chain`` lies in the user's scope."""
    return user.role is Role.ADMIN or (user.scope_code is not None and user.scope_code in chain)


def holds_worker(user: User, home_chain: list[str] | None, hired_by: str) -> bool:
    """Whether a worker lies in the user's scope now, given their home facility's chain as of today
    (None for a worker never posted) and who recorded their hire."""
    if home_chain is None:
        return user.role is Role.ADMIN or hired_by == user.name
    return covers(user, home_chain)


def outside_scope(user: User) -> Forbidden:
    # Says nothing about the worker: not where they are, nor whether the command would have passed.
    return Forbidden(
        N_("{user} acts only on workers inside {scope}; this worker is outside it."),
        user=user.name,
        scope=user.scope_code,
    )


# Commands.


def staged_chain(staging: Staging, code: str, day: date) -> list[str]:
    """The unit and its ancestors on ``day``, from the ledger itself (never stale)."""
    found = [code]
    while len(found) < MAX_DEPTH:
        unit = staging.find(OrgUnit, org_unit_id(found[-1]))
        parent = unit.parent_on(day) if unit is not None else None
        if parent is None or parent in found:
            break
        found.append(parent)
    return found


def check_codes_exist(command: c.Command, staging: Staging) -> None:
    """Unknown facility and cadre codes are NOT_FOUND for everyone: codes are not secret.

    Raises:
        NotFound: a facility or cadre code that names nothing.
    """
    for f in fields(command):
        value = getattr(command, f.name)
        if value is None:
            continue
        if f.name.endswith("facility_code"):
            staging.org_unit(value)
        elif f.name == "cadre_code":
            staging.cadre(value)


def command_guard(user: User) -> Guard:
    """The ledger's guard for the commands ``user`` sends, in DESIGN's order of refusals: an unknown
    code, then a worker outside the scope now, then the domain's own rules, then the facility on the
    effective date (a transfer's origin) outside the scope, or, for a retraction, the worker outside
    it afterwards."""

    def guard(command: c.Command, staging: Staging) -> Callable[[], None]:
        if isinstance(command, c.HireWorker | c.WorkerCommand):
            check_codes_exist(command, staging)
        if user.role is Role.ADMIN:
            return no_later_check
        if user.role is not Role.HR_MANAGER or not isinstance(command, c.HireWorker | c.WorkerCommand):
            raise Forbidden(N_("{user} is a {role}; only an ADMIN may do this."), user=user.name, role=user.role.value)
        if isinstance(command, c.HireWorker):
            return no_later_check  # the first posting's facility must be in scope
        today = clock.now().date()
        worker = staging.worker(command.worker_id)
        if not worker_in_scope(user, staging, worker, today):
            raise outside_scope(user)
        if isinstance(command, c.RetractEvent):
            return lambda: check_still_in_scope(user, staging, worker, today)
        acts = where_it_acts(command, worker)
        if acts is None:
            return no_later_check
        facility, day = acts
        return lambda: check_facility(user, staging, facility, day)

    return guard


def worker_in_scope(user: User, staging: Staging, worker: Worker, today: date) -> bool:
    home = worker.timeline.home_facility(today)
    return holds_worker(user, staged_chain(staging, home, today) if home else None, worker.hired_by)


def reads_staged_worker(user: User, staging: Staging, worker: Worker, today: date) -> bool:
    """Whether ``user`` may read the personal data of ``worker`` as the ledger holds them (for an answer made
    before the read tables include a command): as ``readable_workers`` says of the read tables."""
    if user.role in (Role.ADMIN, Role.AUDITOR):
        return True
    return user.role is Role.HR_MANAGER and worker_in_scope(user, staging, worker, today)


def where_it_acts(command: c.WorkerCommand, worker: Worker) -> tuple[str, date] | None:
    """The facility a worker command acts in, and on which day: a posting's facility, or the worker's
    own on the effective date (a transfer's origin; for a worker not posted then, the last one)."""
    if isinstance(command, c.PostWorker):
        return command.facility_code, command.effective_on
    day = command.started_on if isinstance(command, c.RecordTraining) else getattr(command, "effective_on", None)
    if day is None:
        return None
    facility = worker.timeline.home_facility(day)
    return (facility, day) if facility is not None else None


def check_facility(user: User, staging: Staging, facility: str, day: date) -> None:
    if not covers(user, staged_chain(staging, facility, day)):
        raise Forbidden(
            N_("{user} may act inside {scope} only; on {day} this worker was at {facility}."),
            user=user.name,
            scope=user.scope_code,
            day=day,
            facility=facility,
        )


def check_still_in_scope(user: User, staging: Staging, worker: Worker, today: date) -> None:
    if not worker_in_scope(user, staging, worker, today):
        raise Forbidden(
            N_("{user} may act inside {scope} only; after this retraction the worker would be outside it."),
            user=user.name,
            scope=user.scope_code,
        )


# Reads.


def check_reads_personal_data(user: User | None) -> None:
    """Names, birth dates and civil-service numbers are not for planners (nor for a request without a user).

    Raises:
        Forbidden: a planner, or no user.
    """
    if user is None or user.role not in PEOPLE:
        raise Forbidden(N_("Planners see aggregates only, never names, birth dates or numbers."))


async def readable_workers(user: User, pool: asyncpg.Pool, schema: str, ids: list[UUID]) -> set[UUID]:
    """The workers among ``ids`` whose personal data (names, birth date, civil-service number,
    history) ``user`` may read: every one for an ADMIN or an AUDITOR, none for a PLANNER, and for an
    HR manager those in their scope now."""
    if user.role in (Role.ADMIN, Role.AUDITOR):
        return set(ids)
    if user.role is not Role.HR_MANAGER or not ids:
        return set()
    today = date.today()
    homes = await mobility.homes(pool, schema, ids, today)
    facilities = sorted({h.facility for h in homes.values() if h.facility is not None})
    chains = await org_units.chains(pool, schema, facilities, today, None) if facilities else {}
    return {
        worker_id
        for worker_id, home in homes.items()
        if holds_worker(user, chains.get(home.facility, [home.facility]) if home.facility else None, home.hired_by)
    }


async def check_worker_readable(user: User, pool: asyncpg.Pool, schema: str, worker_id: UUID) -> None:
    """A worker's record (personal data) is read only by those who may read it now.

    Raises:
        Forbidden: an HR manager, for a worker outside their scope now.
    """
    if worker_id not in await readable_workers(user, pool, schema, [worker_id]):
        raise Forbidden(
            N_("{user} reads workers inside {scope} only; this one is outside it."),
            user=user.name,
            scope=user.scope_code,
        )


async def check_unit_readable(user: User, pool: asyncpg.Pool, schema: str, code: str, day: date) -> None:
    """HR managers list the workers of units inside their scope only (following the tree on ``day``).

    Raises:
        Forbidden: the unit lies outside the user's scope.
    """
    if user.role is not Role.HR_MANAGER:
        return
    chain = (await org_units.chains(pool, schema, [code], day, None)).get(code, [code])
    if not covers(user, chain):
        raise Forbidden(
            N_("{user} reads inside {scope} only, not {code}."), user=user.name, scope=user.scope_code, code=code
        )
