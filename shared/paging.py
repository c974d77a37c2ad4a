"""Cursor paging and change feeds, the same on every list endpoint.

A list is read by keyset: rows in the order of a unique key (a time, then the primary key),
`limit` at a time, each page starting after the key of the previous page's last row. The
client gets that position as an opaque cursor in the `Link: <...>; rel="next"` header (RFC
8288; the body stays a plain JSON array), so a page costs one index range scan however large
the table is, and rows inserted meanwhile neither shift nor repeat a page.

`updated_since` turns a list into a change feed: rows in the order they last changed (their
change mark and primary key, see shared/changes.py), oldest change first. Start with
`updated_since=0`; every answer links the next request, also when it is empty, and a client that
follows the links forever sees every row's latest state, each change once. A row that changed
several times between two requests appears once, as it is now.

A cursor is base64url of a JSON array: the listing's name, the direction (or `feed`) and the
key. Anything else sent as one is refused with a 422 naming the parameter.
"""

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, Self, TypeVar
from urllib.parse import quote

from fastapi import Depends, Query, Request, Response
from pydantic import AwareDatetime

from shared.changes import MARK, horizon
from shared.db import Connection, Row
from shared.envelope import parse_time
from shared.errors import InvalidRequestError

Direction = Literal["asc", "desc"]
KeyType = type[str] | type[int] | type[datetime]
START = "0"
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
_FEED = "feed"
_MAX_CURSOR = 1_000


@dataclass(frozen=True)
class Listing:
    """How one endpoint lists: `source` (FROM ... [JOIN ...]), the `columns` it selects, its
    `order` (unique: sort columns, then the primary key), its `row_key` (the primary key) and
    the table alias that holds the change mark."""

    name: str
    source: str
    columns: str
    order: tuple[tuple[str, KeyType], ...]
    row_key: tuple[tuple[str, KeyType], ...]
    default: Direction = "desc"
    alias: str = ""
    # False for a list without a change feed (its table has no change mark).
    feed: bool = True

    def mark(self) -> str:
        return f"{self.alias}.{MARK}" if self.alias else MARK


def encode(parts: Sequence[Any]) -> str:
    """An opaque cursor: base64url (unpadded) of the compact JSON array."""
    text = json.dumps(list(parts), separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


@dataclass
class Where:
    """The filters of one request, as SQL conditions with numbered parameters."""

    conditions: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)
    # Filters a change feed may not take (a row leaving a status would vanish from it).
    list_only: list[str] = field(default_factory=list)

    def add(self, condition: str, *values: Any, param: str, feed: bool = False) -> Self:
        """`condition` with `{}` for each value, as `param` of the query string named it."""
        self.conditions.append(condition.format(*(self.arg(v) for v in values)))
        if not feed:
            self.list_only.append(param)
        return self

    def equal(self, column: str, value: Any, *, param: str = "", feed: bool = False) -> Self:
        """`column = value` unless `value` is None (not asked for)."""
        if value is None:
            return self
        return self.add(f"{column} = {{}}", value, param=param or column, feed=feed)

    def between(self, column: str, start: datetime | None, end: datetime | None) -> Self:
        """`start <= column < end`, either side left open when None."""
        if start is not None:
            self.add(f"{column} >= {{}}", utc(start, "from"), param="from")
        if end is not None:
            self.add(f"{column} < {{}}", utc(end, "to"), param="to")
        return self

    def arg(self, value: Any) -> str:
        self.args.append(value)
        return f"${len(self.args)}"

    def sql(self) -> str:
        return f" WHERE {' AND '.join(self.conditions)}" if self.conditions else ""


_Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="rows per page, at most 500")]
_Order = Annotated[
    Direction | None,
    Query(description="`desc`: newest first; `asc`: oldest first (default per list)"),
]
_Cursor = Annotated[
    str | None,
    Query(
        max_length=_MAX_CURSOR,
        description="where the page starts: from the `next` link of the previous page",
        openapi_examples={
            "next": {
                "summary": "as a next link gives it",
                "value": encode(["orders", "desc", "2026-01-01T00:00:00+00:00", "a"]),
            }
        },
    ),
]


class ListQuery:
    """The paging parameters of a list without a change feed (a FastAPI dependency)."""

    updated_since: str | None = None

    def __init__(
        self, limit: _Limit = DEFAULT_LIMIT, order: _Order = None, cursor: _Cursor = None
    ) -> None:
        self.limit = limit
        self.order = order
        self.cursor = cursor


class PageQuery(ListQuery):
    """The paging parameters every list with a change feed takes (a FastAPI dependency)."""

    def __init__(
        self,
        limit: _Limit = DEFAULT_LIMIT,
        order: _Order = None,
        cursor: _Cursor = None,
        updated_since: Annotated[
            str | None,
            Query(
                max_length=_MAX_CURSOR,
                description=(
                    "a change feed: rows in the order they last changed, after this sync token"
                    " (`0`: from the start; then the one in the `next` link). Every answer links"
                    " the next request, also an empty one: poll it to see each change once."
                ),
                openapi_examples={
                    "start": {"summary": "a first sync: every row", "value": START},
                    "next": {
                        "summary": "as a next link gives it",
                        "value": encode(["orders", _FEED, 454115, "a"]),
                    },
                },
            ),
        ] = None,
    ) -> None:
        super().__init__(limit, order, cursor)
        self.updated_since = updated_since


Paging = Annotated[PageQuery, Depends()]
ListPaging = Annotated[ListQuery, Depends()]
# A time range on the list's time (`from` <= t < `to`).
From = Annotated[
    AwareDatetime | None, Query(alias="from", description="at or after this time (ISO 8601)")
]
To = Annotated[AwareDatetime | None, Query(description="before this time (ISO 8601)")]

LINK_HEADER = {
    "description": (
        'RFC 8288: `<...>; rel="next"`, the request for the next page (a relative URL with its'
        " `cursor`, or `updated_since` in a change feed, where it is always present). Absent"
        " when a list has no more rows."
    ),
    "schema": {"type": "string"},
    "example": '</v1/orders?limit=100&cursor=WyJvcmRlcnMiLCJkZXNjIiwiMjAy...>; rel="next"',
}
LINKED: dict[int | str, dict[str, Any]] = {200: {"headers": {"Link": LINK_HEADER}}}


Item = TypeVar("Item")
Other = TypeVar("Other")


@dataclass(frozen=True)
class Page(Generic[Item]):
    """A page of rows as the database gave them, or as a view typed them (`with_rows`)."""

    rows: Sequence[Item]
    next: dict[str, str] | None  # the query parameters that ask for the next page

    def with_rows(self, rows: Sequence[Other]) -> "Page[Other]":
        return Page(rows, self.next)


async def fetch(conn: Connection, listing: Listing, where: Where, query: ListQuery) -> Page[Row]:
    """One page of `listing` under `where`: a list page, or a change-feed page."""
    if query.updated_since is not None:
        return await _feed(conn, listing, where, query)
    direction = query.order or listing.default
    columns = tuple(column for column, _ in listing.order)
    if query.cursor is not None:
        after = decode(query.cursor, param="cursor")
        _expect(after, [listing.name, direction], listing.order, param="cursor")
        _after(where, columns, after[2:], direction)
    rows = await _select(conn, listing, where, columns, direction, query.limit)
    if len(rows) < query.limit:
        return Page(rows, None)
    last = _key_of(rows[-1], listing.order)
    return Page(rows, {"cursor": encode([listing.name, direction, *last])})


async def _feed(conn: Connection, listing: Listing, where: Where, query: ListQuery) -> Page[Row]:
    refused = where.list_only + (["cursor"] if query.cursor else [])
    if query.order == "desc":
        refused.append("order")
    if refused:
        raise InvalidRequestError(
            "a change feed (updated_since) lists every change in order: no " + ", ".join(refused),
            errors=[{"field": f"query.{p}", "message": "not with updated_since"} for p in refused],
        )
    token = query.updated_since
    assert token is not None
    key = ((MARK, int), *listing.row_key)
    columns = (listing.mark(), *(column for column, _ in listing.row_key))
    if token != START:
        after = decode(token, param="updated_since")
        _expect(after, [listing.name, _FEED], key, param="updated_since")
        _after(where, columns, after[2:], "asc")
    if (final := horizon(conn.dialect)) is not None:
        where.conditions.append(f"{listing.mark()} < ({final})")
    rows = await _select(conn, listing, where, columns, "asc", query.limit)
    if rows:
        token = encode([listing.name, _FEED, *_key_of(rows[-1], key)])
    return Page(rows, {"updated_since": token})


def _after(where: Where, columns: Sequence[str], values: Sequence[Any], direction: str) -> None:
    operator = ">" if direction == "asc" else "<"
    placeholders = ", ".join(where.arg(value) for value in values)
    where.conditions.append(f"({', '.join(columns)}) {operator} ({placeholders})")


async def _select(
    conn: Connection,
    listing: Listing,
    where: Where,
    columns: Sequence[str],
    direction: str,
    limit: int,
) -> list[Row]:
    order = ", ".join(f"{column} {direction.upper()}" for column in columns)
    selected = f"{listing.columns}, {listing.mark()} AS {MARK}" if listing.feed else listing.columns
    sql = (
        f"SELECT {selected} FROM {listing.source}"
        f"{where.sql()} ORDER BY {order} LIMIT {where.arg(limit)}"
    )
    return await conn.fetch(sql, *where.args)


def _key_of(row: Row, key: Sequence[tuple[str, KeyType]]) -> list[Any]:
    values = []
    for column, kind in key:
        value = row[column.rsplit(".", 1)[-1]]
        values.append(parse_time(value).isoformat() if kind is datetime else value)
    return values


def decode(cursor: str, *, param: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise _bad(param, "not a cursor this API gave out") from error
    if not isinstance(parts, list):
        raise _bad(param, "not a cursor this API gave out")
    return parts


def _expect(
    parts: list[Any], head: list[str], key: Sequence[tuple[str, KeyType]], *, param: str
) -> None:
    """Check (and convert in place) a decoded cursor: `head`, then a value of each key type."""
    if parts[: len(head)] != head:
        raise _bad(param, f"a cursor of another list or order; this one is {'/'.join(head)}")
    values = parts[len(head) :]
    if len(values) != len(key):
        raise _bad(param, "not a cursor this API gave out")
    for i, ((_, kind), value) in enumerate(zip(key, values, strict=True)):
        parts[len(head) + i] = _typed(value, kind, param)


def _typed(value: Any, kind: KeyType, param: str) -> Any:
    if kind is int and type(value) is int and -(2**63) <= value < 2**63:
        return value
    if kind is str and isinstance(value, str) and _storable(value):
        return value
    if kind is datetime and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return utc(moment, param)
    raise _bad(param, "not a cursor this API gave out")


def utc(moment: datetime, param: str) -> datetime:
    """`moment` in UTC (how both databases compare times); a 422 when it has no UTC date."""
    try:
        return moment.astimezone(UTC)
    except OverflowError as error:
        raise _bad(param, "out of range") from error


def _storable(text: str) -> bool:
    """Text a database can compare: PostgreSQL refuses NUL and unpaired surrogates."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return "\x00" not in text and len(text) <= _MAX_CURSOR


def _bad(param: str, message: str) -> InvalidRequestError:
    return InvalidRequestError(
        f"invalid {param}: {message}", errors=[{"field": f"query.{param}", "message": message}]
    )


def linked(request: Request, response: Response, page: Page[Item]) -> list[Item]:
    """The page's rows, with `Link: <next>; rel="next"` set when there is a next request."""
    if page.next is not None:
        response.headers["Link"] = _next_link(request, page.next)
    return list(page.rows)


def _next_link(request: Request, next_params: Mapping[str, str]) -> str:
    params = dict(request.query_params)
    params.pop("cursor", None)
    params.pop("updated_since", None)
    query = "&".join(
        f"{name}={quote(value, safe='')}" for name, value in {**params, **next_params}.items()
    )
    return f'<{request.url.path}?{query}>; rel="next"'
