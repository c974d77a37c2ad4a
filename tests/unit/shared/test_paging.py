"""Cursors round-trip as opaque text; the next link keeps the request's filters."""

from datetime import UTC, datetime

import pytest
from fastapi import Request, Response

from shared.errors import InvalidRequestError
from shared.paging import Page, decode, encode, linked


def test_a_cursor_is_unpadded_base64url_of_its_key_and_decodes_back() -> None:
    key = ["orders", "desc", datetime(2026, 1, 2, tzinfo=UTC).isoformat(), "a/b+c?"]

    cursor = encode(key)

    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert decode(cursor, param="cursor") == key


@pytest.mark.parametrize("cursor", ["", "!!!!", "e30", "bnVsbA"])
def test_anything_else_is_refused_naming_the_parameter(cursor: str) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        decode(cursor, param="cursor")

    assert refused.value.errors == [
        {"field": "query.cursor", "message": "not a cursor this API gave out"}
    ]


def test_the_next_link_keeps_the_filters_and_replaces_the_position() -> None:
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/v1/orders",
        "query_string": b"status=held&cursor=old&limit=2",
        "headers": [],
    }
    response = Response()

    assert linked(Request(scope), response, Page(["a"], {"cursor": "new=="})) == ["a"]
    linked(Request(scope), last := Response(), Page([], None))

    assert (
        response.headers["link"] == '</v1/orders?status=held&limit=2&cursor=new%3D%3D>; rel="next"'
    )
    assert "link" not in last.headers
