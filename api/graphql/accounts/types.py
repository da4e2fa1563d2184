"""A new user's input, and the answer that carries their token (shown once)."""

import strawberry

from api.graphql.enums import Role


@strawberry.input
class CreateUserInput:
    name: str
    role: Role
    scope_code: str | None = None


@strawberry.type
class UserPayload:
    name: str
    role: Role
    scope_code: str | None
    token: str
