"""Pages of a list (Relay's connections): opaque cursors, page sizes, and where a page ends."""

import base64

import strawberry

from api.graphql.errors import ClientError
from domain.errors import N_

MAX_PAGE = 500


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


def encode_cursor(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode()


def decode_cursor(cursor: str | None) -> str | None:
    """What ``cursor`` encodes; None for no cursor.

    Raises:
        ClientError: ``cursor`` is not one this API gave out (BAD_USER_INPUT).
    """
    if cursor is None:
        return None
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise ClientError(
            N_("after: {cursor!r} is not a cursor this API gave out."), "BAD_USER_INPUT", cursor=cursor
        ) from None


def page_size(first: int | None) -> int:
    """How many items a page holds when the client asks for ``first``.

    Raises:
        ClientError: ``first`` is not between 1 and ``MAX_PAGE`` (BAD_USER_INPUT).
    """
    if first is None:
        return 50
    if not 0 < first <= MAX_PAGE:
        raise ClientError(
            N_("first must be between 1 and {most}; got {first}."), "BAD_USER_INPUT", most=MAX_PAGE, first=first
        )
    return first


def page_info(cursors: list[str], more: bool) -> PageInfo:
    """Where a page whose items have ``cursors`` ends, and whether ``more`` follow."""
    return PageInfo(has_next_page=more, end_cursor=cursors[-1] if cursors else None)
