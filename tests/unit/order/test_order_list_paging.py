"""GET /v1/orders pages by cursor both ways, filters, refuses bad cursors and feeds changes."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from order_builders import NOW
from order_harness import a_place_command, auth, define, http_client, order_service, place

from services.order.commands import CancelOrder
from shared.clock import FrozenClock
from shared.paging import encode
from shared.runtime import ServiceRuntime
from shared.testing.feeds import follow

STAFF = {"Authorization": "Bearer key-staff"}


@asynccontextmanager
async def placed(
    folder: Path, count: int, *, step: timedelta = timedelta(0)
) -> AsyncIterator[tuple[ServiceRuntime, httpx.AsyncClient, list[UUID]]]:
    """`count` orders of acme through the shop channel, `step` apart (0: all at one time)."""
    clock = FrozenClock(NOW)
    async with order_service(folder, clock) as runtime:
        await define(runtime)
        orders = []
        for _ in range(count):
            orders.append(await place(runtime, a_place_command()))
            clock.advance(step)
        async with http_client(runtime) as client:
            yield runtime, client, orders


async def test_pages_follow_each_other_in_both_orders_with_each_order_once(
    tmp_path: Path,
) -> None:
    # Half the orders share one placing time: the order id breaks the tie across pages.
    async with placed(tmp_path, 7, step=timedelta(0)) as (_, client, orders):
        newest_first, requests = await follow(client, "/v1/orders?limit=3", STAFF)
        oldest_first, _ = await follow(client, "/v1/orders?limit=3&order=asc", STAFF)

    ids = [row["order_id"] for row in newest_first]
    assert requests == 3
    assert sorted(ids) == sorted(str(order) for order in orders)
    assert [row["order_id"] for row in oldest_first] == list(reversed(ids))


async def test_filters_narrow_every_page_by_status_customer_channel_and_time(
    tmp_path: Path,
) -> None:
    async with placed(tmp_path, 6, step=timedelta(minutes=1)) as (runtime, client, orders):
        await runtime.send(CancelOrder(order_id=orders[1], channel="shop", reason="test"))
        await runtime.send(CancelOrder(order_id=orders[4], channel="shop", reason="test"))
        start, end = NOW + timedelta(minutes=2), NOW + timedelta(minutes=5)
        window = {"from": start.isoformat(), "to": end.isoformat(), "limit": 2, "order": "asc"}

        cancelled, _ = await follow(client, "/v1/orders?status=cancelled&limit=1", STAFF)
        in_window, _ = await follow(client, str(httpx.URL("/v1/orders", params=window)), STAFF)
        others = await client.get("/v1/orders?customer_id=globex", headers=STAFF)
        foreign = await client.get("/v1/orders?channel=other-shop", headers=STAFF)

    assert [row["order_id"] for row in cancelled] == [str(orders[4]), str(orders[1])]
    assert [row["order_id"] for row in in_window] == [str(o) for o in orders[2:5]]
    assert (others.json(), foreign.json()) == ([], [])


async def test_a_malformed_or_foreign_cursor_is_a_422_naming_it(tmp_path: Path) -> None:
    async with placed(tmp_path, 1) as (_, client, _orders):
        bad = {
            "not base64": "%%%",
            "not json": encode([]).replace("W10", "W1"),
            "not a list": "eyJhIjoxfQ",
            "another list": encode(["invoices", "desc", NOW.isoformat(), "x"]),
            "another order": encode(["orders", "asc", NOW.isoformat(), "x"]),
            "a naive time": encode(["orders", "desc", "2025-03-01T09:30:00", "x"]),
            "a number for a time": encode(["orders", "desc", 5, "x"]),
            "a time before year 1": encode(["orders", "desc", "0001-01-01T00:00+01:00", "x"]),
            "too short": encode(["orders", "desc", NOW.isoformat()]),
            "a NUL in an id": encode(["orders", "desc", NOW.isoformat(), "a\x00"]),
            "a lone surrogate": encode(["orders", "desc", NOW.isoformat(), "\ud800"]),
        }
        answers = {
            name: await client.get("/v1/orders", params={"cursor": cursor}, headers=STAFF)
            for name, cursor in bad.items()
        }
        token = await client.get("/v1/orders?updated_since=bad", headers=STAFF)
        early = await client.get(
            "/v1/orders", params={"from": "0001-01-01T00:00:00+01:00"}, headers=STAFF
        )

    for name, answer in {**answers, "a bad token": token, "a time before 1": early}.items():
        assert answer.status_code == 422, (name, answer.text)
        assert answer.headers["content-type"] == "application/problem+json", name
    assert answers["not json"].json()["errors"][0]["field"] == "query.cursor"
    assert token.json()["errors"][0]["field"] == "query.updated_since"


async def test_the_change_feed_lists_each_change_once_in_order_and_links_the_next_poll(
    tmp_path: Path,
) -> None:
    async with placed(tmp_path, 5) as (runtime, client, orders):
        first, requests = await _drain(client, "/v1/orders?updated_since=0&limit=2")
        await runtime.send(CancelOrder(order_id=orders[3], channel="shop", reason="test"))
        await runtime.send(CancelOrder(order_id=orders[0], channel="shop", reason="test"))
        changed, polls = await _drain(client, requests[-1])
        quiet, _ = await _drain(client, polls[-1])

    assert sorted(row["order_id"] for row in first) == sorted(str(o) for o in orders)
    assert [(row["order_id"], row["status"]) for row in changed] == [
        (str(orders[3]), "cancelled"),
        (str(orders[0]), "cancelled"),
    ]
    assert quiet == []


async def test_a_channels_feed_has_only_its_orders_and_a_feed_refuses_list_filters(
    tmp_path: Path,
) -> None:
    async with placed(tmp_path, 2) as (_, client, _orders):
        foreign = await client.get("/v1/orders?updated_since=0", headers=auth("other-shop"))
        refused = await client.get(
            "/v1/orders?updated_since=0&status=held&order=desc", headers=STAFF
        )

    assert foreign.json() == []
    assert 'rel="next"' in foreign.headers["link"]
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"query.status", "query.order"}


async def _drain(client: httpx.AsyncClient, url: str) -> tuple[list[dict[str, Any]], list[str]]:
    """A feed's rows until a page comes back short; and the requests made (the last: the next
    poll)."""
    rows: list[dict[str, Any]] = []
    requests = [url]
    while True:
        response = await client.get(requests[-1], headers=STAFF)
        assert response.status_code == 200, response.text
        rows += response.json()
        requests.append(response.links["next"]["url"])
        if len(response.json()) < int(httpx.URL(url).params.get("limit", 100)):
            return rows, requests


async def test_the_catalogue_links_its_next_page_like_every_list(tmp_path: Path) -> None:
    async with placed(tmp_path, 0) as (_, client, _orders):
        first = await client.get("/v1/items?limit=1", headers=STAFF)
        second = await client.get(first.links["next"]["url"], headers=STAFF)
        last = await client.get(second.links["next"]["url"], headers=STAFF)

    assert "/v1/items?limit=1&cursor=" in first.links["next"]["url"]
    pages = [first.json(), second.json(), last.json()]
    assert [[i["sku"] for i in page] for page in pages] == [["CLOCK"], ["LAMP"], []]
    assert "link" not in last.headers
