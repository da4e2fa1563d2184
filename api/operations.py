"""Operations on the ledger in the words of the API: the pages, the exports and the batches run GraphQL
operations in-process, on the schema of ``/graphql``, as a user.

So they have no SQL and no access rule of their own: every figure comes from the same resolvers (and the
same projection query functions) as the API's answers, and every refusal from the same checks
(``api.access``), with the same stable code.
"""

from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError

from api.access import User
from api.graphql.context import Context, Services
from api.graphql.errors import code_of
from api.graphql.schema import schema
from api.tokens import Caller
from domain import errors as domain_errors


@dataclass(frozen=True)
class Refusal:
    """Why an operation was refused: a stable code, and the message's template and parameters (for the
    page to say it in the reader's language), or its English text when it has no template."""

    code: str
    message: str
    template: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    inner: "Refusal | None" = None

    @classmethod
    def of(cls, error: GraphQLError) -> "Refusal":
        original = error.original_error
        # The schema's ErrorCodes extension has put the code in the extensions.
        code = str((error.extensions or {}).get("code") or code_of(error))
        if isinstance(original, domain_errors.Refusal):
            return cls.of_refusal(code, original)
        return cls(code, error.message)

    @classmethod
    def of_refusal(cls, code: str, refusal: domain_errors.Refusal) -> "Refusal":
        inner = cls.of_refusal(refusal.inner.code, refusal.inner) if refusal.inner is not None else None
        return cls(code, refusal.message, refusal.template, dict(refusal.params), inner)


class Refused(Exception):
    """Raised when an operation is refused; carries the refusal."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


async def execute(services: Services, user: User, document: str, variables: dict[str, Any] | None = None) -> Any:
    """The data of ``document`` run as ``user``.

    Raises:
        Refused: the operation was refused (its first error).
    """
    context = Context.reading(services, Caller(user))
    result = await schema.execute(document, variable_values=variables, context_value=context)
    if result.errors:
        raise Refused(Refusal.of(result.errors[0]))
    return result.data
