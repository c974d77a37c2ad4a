"""Change feeds: an integrator syncing with `updated_since` while orders keep changing sees
every order's latest state, each change once; every list pages by cursor."""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest

from tests.e2e.clients import Api, eventually

pytestmark = pytest.mark.e2e

ORDERS = 2_000
AT_ONCE = 32
PAGE = 500
# What an integrator keeps of an order; `updated_at` tells one change from the next.
START = [0.0]
KEPT = ("status", "holds", "total_cents", "updated_at")


class SyncClient:
    """Follows the order feed's `next` links from the start, keeping each order's latest state
    and every state it was shown, polling again after a short page."""

    def __init__(self, api: Api, customer_id: str) -> None:
        self.api = api
        self.customer_id = customer_id
        self.shown: dict[str, list[tuple[Any, ...]]] = {}
        self.requests = 0

    async def run(self) -> None:
        url = f"/v1/orders?updated_since=0&limit={PAGE}"
        while True:
            response = await self.api.request("GET", url, role="staff")
            assert response.status_code == 200, response.text
            self.requests += 1
            rows = response.json()
            for row in rows:
                if row["customer_id"] == self.customer_id:
                    self.shown.setdefault(row["order_id"], []).append(_kept(row))
            url = response.links["next"]["url"]
            if len(rows) < PAGE:
                await asyncio.sleep(0.05)

    def latest(self) -> dict[str, tuple[Any, ...]]:
        return {order_id: states[-1] for order_id, states in self.shown.items()}


def _kept(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[field] for field in KEPT)


@contextlib.asynccontextmanager
async def syncing(api: Api, customer_id: str) -> AsyncIterator[SyncClient]:
    client = SyncClient(api, customer_id)
    task = asyncio.create_task(client.run())
    try:
        yield client
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def place_and_change(api: Api, customer_id: str, sku: str) -> list[str]:
    """ORDERS orders of a red customer (each waits for a credit review), AT_ONCE at a time;
    every fifth one changed right after it is placed. Then, while the feed is read, every
    tenth is rejected by credit, every tenth cancelled, every hundredth approved (on through
    the warehouse, shipped and delivered) and every twentieth changed once more."""
    gate = asyncio.Semaphore(AT_ONCE)
    placed: list[str] = []

    async def place(i: int) -> None:
        async with gate:
            order_id = await api.place_order(customer_id, [(sku, 1)])
            placed.append(order_id)
            if i % 5 == 0:
                await _change(api, order_id, sku, 2)

    async def move_on(i: int, order_id: str) -> None:
        async with gate:
            if i % 20 == 0:
                await _change(api, order_id, sku, 3)
            if i % 10 == 1:
                assert (await api.cancel_order(order_id)).status_code == 200
            elif i % 100 == 0 or i % 10 == 2:
                await _decide(api, order_id, "approve" if i % 100 == 0 else "reject")

    await asyncio.gather(*(place(i) for i in range(ORDERS)))
    print(f"placing done {time.monotonic() - START[0]:.1f} s")  # noqa: T201
    await asyncio.gather(*(move_on(i, order_id) for i, order_id in enumerate(placed)))
    return placed


async def _change(api: Api, order_id: str, sku: str, quantity: int) -> None:
    response = await api.change_order(order_id, lines=[{"sku": sku, "quantity": quantity}])
    assert response.status_code in (200, 202), response.text


async def _decide(api: Api, order_id: str, decision: str) -> None:
    """Decide the order's credit review once credit has opened it (or reopened it after a
    change)."""

    async def decided() -> None:
        response = await api.request(
            "POST", f"/v1/credit/reviews/{order_id}/{decision}", json={"note": "sync"}
        )
        assert response.status_code == 200, response.text

    await eventually(decided, timeout=60, interval=0.2)


async def every_order(api: Api, customer_id: str) -> dict[str, tuple[Any, ...]]:
    """The customer's orders as the list shows them now, page by page by cursor."""
    found: dict[str, tuple[Any, ...]] = {}
    url: str | None = f"/v1/orders?customer_id={customer_id}&limit={PAGE}&order=asc"
    while url is not None:
        response = await api.request("GET", url, role="staff")
        assert response.status_code == 200, response.text
        found |= {row["order_id"]: _kept(row) for row in response.json()}
        url = response.links.get("next", {}).get("url")
    return found


async def test_a_sync_client_sees_every_orders_latest_state_and_each_change_once(
    api: Api,
) -> None:
    customer_id = await api.new_customer("sync", light="red")
    sku = await api.new_item("sync", stock=4 * ORDERS, price_cents=100)
    started = time.monotonic()
    START[0] = started

    async with syncing(api, customer_id) as client:
        placed = await place_and_change(api, customer_id, sku)
        print(f"placed {time.monotonic() - started:.1f} s")  # noqa: T201

        async def caught_up() -> None:
            # Equal to the list read after it: the flows have settled and nothing was missed.
            assert client.latest() == await every_order(api, customer_id)

        await eventually(caught_up, timeout=120, interval=0.5)

    assert sorted(client.shown) == sorted(placed)
    for order_id, states in client.shown.items():
        # Each state once, in the order the changes happened: none repeated, none out of turn.
        times = [datetime.fromisoformat(state[KEPT.index("updated_at")]) for state in states]
        assert times == sorted(set(times)), (order_id, states)
    changed = sum(len(states) for states in client.shown.values())
    print(f"{ORDERS} orders, {changed} changes seen, {client.requests} requests,")  # noqa: T201
    print(f"{time.monotonic() - started:.1f} s")  # noqa: T201


# Each list and what identifies one of its rows.
LISTS = {
    "/v1/orders": ("order_id",),
    "/v1/shipments": ("shipment_id",),
    "/v1/invoices": ("invoice_id",),
    "/v1/andon/pulls": ("pull_id",),
    "/v1/gaps?open=false": ("order_id", "step"),
    "/v1/credit/reviews?open=false": ("order_id", "review_no"),
    "/v1/inventory": ("sku",),
}


async def test_every_list_pages_by_cursor_refuses_a_bad_one_and_offers_a_change_feed(
    api: Api,
) -> None:
    # At least two rows in every list but gaps: shipped and invoiced orders, reviews, pulls.
    green = await api.new_customer("lists")
    sku = await api.new_item("lists", stock=5)
    await api.new_item("lists", stock=1)  # a second stock level
    shipped = [await api.place_order(green, [(sku, 1)]) for _ in range(2)]
    for order_id in shipped:
        await api.complete(order_id)
    red = await api.new_customer("lists", light="red")
    for _ in range(2):
        reviewed = await api.place_order(red, [(sku, 1)])
        await api.wait_for_order(reviewed, lambda order: "credit_review" in order["holds"])
    await api.pull("customer", red)
    await api.pull("sku", sku)

    for path, key in LISTS.items():
        joiner = "&" if "?" in path else "?"
        pages = await _pages(api, f"{path}{joiner}limit=1", key, at_most=3)
        feed = await api.request("GET", f"{path}{joiner}updated_since=0&limit=5", role="ops")
        bad = await api.request("GET", f"{path}{joiner}cursor=bm90LWEtY3Vyc29y", role="ops")

        assert path.startswith("/v1/gaps") or len(pages) >= 2, (path, pages)
        assert len(set(pages)) == len(pages), (path, pages)
        assert feed.status_code == 200 and "updated_since=" in feed.links["next"]["url"], path
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.cursor"


async def _pages(api: Api, url: str | None, key: tuple[str, ...], *, at_most: int) -> list[Any]:
    """The ids of the rows on up to `at_most` pages, following `next` links."""
    seen: list[Any] = []
    for _ in range(at_most):
        if url is None:
            break
        response = await api.request("GET", url, role="ops")
        assert response.status_code == 200, response.text
        seen += [tuple(row[field] for field in key) for row in response.json()]
        url = response.links.get("next", {}).get("url")
    return seen
