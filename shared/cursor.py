"""Paged lists: `?limit=&cursor=` answered with `{"items": [...], "next_cursor": ...}`.

Keyset paging: a cursor holds the sort key of the last item a page gave, and the next page
starts after it. So a page is one range read of an index however deep the client goes, and
items added or removed between two pages neither repeat nor skip the others (an offset would).
Clients treat a cursor as opaque text (it is base64url of the key as JSON): what a list sorts
by may change without changing its contract.
"""

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from shared.errors import InvalidRequestError

T = TypeVar("T")
Key = tuple[str | int, ...]

Limit = Annotated[int, Query(ge=1, le=500, description="Items per page, at most 500")]
Cursor = Annotated[
    str | None,
    Query(max_length=500, description="`next_cursor` of the previous page; none for the first"),
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Send as `cursor` for the next page; null on the last page"
    )


def encode_cursor(key: Key) -> str:
    text = json.dumps(list(key), separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, shape: tuple[type[str | int], ...]) -> Key | None:
    """The key `cursor` holds (None for the first page), of the types in `shape`.

    Raises:
        InvalidRequestError: not a cursor of this list (422 naming `query.cursor`).
    """
    if cursor is None:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        key = None
    if not (
        isinstance(key, list)
        and len(key) == len(shape)
        and all(type(value) is kind for value, kind in zip(key, shape, strict=True))
    ):
        raise InvalidRequestError(
            "cursor is not one this list gave: send a page's `next_cursor` unchanged",
            errors=[{"field": "query.cursor", "message": "not a cursor of this list"}],
        )
    return tuple(key)


def page(rows: Sequence[T], limit: int, key: Callable[[T], Key]) -> Page[T]:
    """The page of `rows`, read with `limit + 1`: the one beyond says that more follow."""
    items = list(rows[:limit])
    more = len(rows) > limit
    return Page(items=items, next_cursor=encode_cursor(key(items[-1])) if more else None)
