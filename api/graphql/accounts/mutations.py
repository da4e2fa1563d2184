"""The accounts' mutation: an ADMIN creates a user, who gets a token."""

import strawberry

from api import users
from api.access import ADMINS
from api.graphql.accounts.types import CreateUserInput, UserPayload
from api.graphql.context import Info
from api.graphql.errors import ClientError
from api.graphql.org_units.types import known_unit
from api.graphql.permissions import mutation
from api.settings import Settings
from projections import accounts


def new_user(input_: CreateUserInput) -> users.NewUser:
    """The user ``input_`` asks for, once their name and scope follow ``api.users``'s rules.

    Raises:
        ClientError: a name, role or scope ``api.users`` refuses, with its code.
    """
    try:
        return users.new_user(input_.name, input_.role, input_.scope_code)
    except users.UserRefused as error:
        raise ClientError(error.message, error.code) from None


async def create_account(info: Info, new: users.NewUser) -> UserPayload:
    """Stores ``new``'s account, created by the caller, and gives their token.

    Raises:
        ClientError: an account with that name exists (DUPLICATE_CODE).
    """
    creator, days = info.context.signed_in.name, Settings().token_days
    async with info.context.services.pool.acquire() as conn:  # the primary: a replica refuses writes
        try:
            account, token = await accounts.create(
                conn, new.name, new.role.value, new.scope_code, creator, token_days=days
            )
        except accounts.AccountExists as error:
            raise ClientError(str(error), "DUPLICATE_CODE") from None
    return UserPayload(name=account.name, role=new.role, scope_code=account.scope_code, token=token)


@strawberry.type
class AccountMutations:
    @mutation(*ADMINS)
    async def create_user(self, info: Info, input: CreateUserInput) -> UserPayload:
        new = new_user(input)
        if new.scope_code is not None:
            await known_unit(info, new.scope_code)
        return await create_account(info, new)
