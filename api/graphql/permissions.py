"""Who may resolve a field, declared beside it; every rule is ``api.access``'s.

A field or mutation names the roles it needs (``@field(*ANYONE)``, ``@mutation(*ADMINS)``); a
worker's personal fields are ``@personal_field``. Each declaration adds a strawberry permission
whose check asks ``api.access`` before the resolver runs and lets that module's own
``Unauthenticated`` or ``Forbidden`` through: clients read the same code and message as when each
resolver asked itself. strawberry's schema directives for permissions are left off, so the schema
does not change.

The declarations are also typed: strawberry's own ``strawberry.field(description=...)`` is untyped
for mypy.
"""

from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types.field import StrawberryField

from api.access import Role, check_reads_personal_data, require
from api.graphql.context import Info

Resolver = Callable[..., Any]
Declaration = Callable[[Resolver], StrawberryField]


class HoldsRole(BasePermission):
    """Lets through a user who holds one of ``roles`` (``api.access.require`` raises for anyone else)."""

    def __init__(self, roles: tuple[Role, ...]) -> None:
        self.roles = roles

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        require(info.context.user, *self.roles)
        return True


class ReadsPersonalData(BasePermission):
    """Lets through a user who may see personal data (``api.access.check_reads_personal_data``)."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        check_reads_personal_data(info.context.user)
        return True


def checked_by(permission: BasePermission) -> list[FieldExtension]:
    """The field extensions that run ``permission`` before a resolver, with no schema directive."""
    return [PermissionExtension([permission], use_directives=False)]


def field(*roles: Role, description: str | None = None) -> Declaration:
    """A query field only users holding one of ``roles`` may resolve; with no roles, whoever may read its parent."""

    def declare(resolver: Resolver) -> StrawberryField:
        extensions = checked_by(HoldsRole(roles)) if roles else []
        return strawberry.field(resolver, description=description, extensions=extensions)

    return declare


def mutation(*roles: Role) -> Declaration:
    """A mutation only users holding one of ``roles`` may send."""

    def declare(resolver: Resolver) -> StrawberryField:
        return strawberry.mutation(resolver, extensions=checked_by(HoldsRole(roles)))

    return declare


def personal_field(resolver: Resolver) -> StrawberryField:
    """A worker's personal field (a name, a birth date, a number): never for planners."""
    return strawberry.field(resolver, extensions=checked_by(ReadsPersonalData()))
