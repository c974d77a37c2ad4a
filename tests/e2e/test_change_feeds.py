"""Change feeds: an integrator syncing with `updated_since` while orders keep changing sees
every order's latest state, each change once; every list pages by cursor."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest

from tests.e2e.clients import Api, eventually

pytestmark = pytest.mark.e2e

ORDERS = 2_000
# Red customers: each order waits for a credit review (no warehouse work unless approved).
# Several, so that credit does not serialise every answer on one account.
CUSTOMERS = 20
AT_ONCE = 64
PAGE = 500
# What an integrator keeps of an order; `updated_at` tells one change from the next.
KEPT = ("status", "holds", "total_cents", "updated_at")


class SyncClient:
    """Follows the order feed's `next` links from the start, keeping each order's latest state
    and every state it was shown, polling again after a short page."""

    def __init__(self, api: Api, customers: set[str]) -> None:
        self.api = api
        self.customers = customers
        self.shown: dict[str, list[tuple[Any, ...]]] = {}

    async def run(self) -> None:
        url = f"/v1/orders?updated_since=0&limit={PAGE}"
        while True:
            response = await self.api.request("GET", url, role="staff")
            assert response.status_code == 200, response.text
            rows = response.json()
            for row in rows:
                if row["customer_id"] in self.customers:
                    self.shown.setdefault(row["order_id"], []).append(_kept(row))
            url = response.links["next"]["url"]
            if len(rows) < PAGE:
                await asyncio.sleep(0.2)

    def latest(self, reading: "asyncio.Task[None]") -> dict[str, tuple[Any, ...]]:
        """Each order's last state shown; the reading task's error if it stopped."""
        if reading.done():
            reading.result()
        return {order_id: states[-1] for order_id, states in self.shown.items()}


def _kept(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[field] for field in KEPT)


@contextlib.asynccontextmanager
async def syncing(
    api: Api, customers: set[str]
) -> AsyncIterator[tuple[SyncClient, "asyncio.Task[None]"]]:
    client = SyncClient(api, customers)
    task = asyncio.create_task(client.run())
    try:
        yield client, task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def place_and_change(api: Api, customers: list[str], sku: str) -> list[str]:
    """ORDERS orders, AT_ONCE at a time. Then, while the feed is read, every tenth changed,
    every tenth cancelled, every tenth rejected by credit and every two hundredth approved
    (on through the warehouse: released, shipped, delivered)."""
    gate = asyncio.Semaphore(AT_ONCE)
    placed: list[str] = []

    async def place(i: int) -> None:
        async with gate:
            placed.append(await api.place_order(customers[i % len(customers)], [(sku, 1)]))

    async def move_on(i: int, order_id: str) -> None:
        async with gate:
            if i % 10 == 0:
                await _change(api, order_id, sku, 2)
            if i % 10 == 1:
                assert (await api.cancel_order(order_id)).status_code == 200
            elif i % 200 == 2 or i % 10 == 2:
                await _decide(api, order_id, "approve" if i % 200 == 2 else "reject")

    await asyncio.gather(*(place(i) for i in range(ORDERS)))
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


async def every_order(api: Api, customers: list[str]) -> dict[str, tuple[Any, ...]]:
    """The customers' orders as the list shows them now, page by page by cursor."""
    found: dict[str, tuple[Any, ...]] = {}
    for customer_id in customers:
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
    customers = [await api.new_customer("sync", light="red") for _ in range(CUSTOMERS)]
    sku = await api.new_item("sync", stock=2 * ORDERS, price_cents=100)

    async with syncing(api, set(customers)) as (client, reading):
        placed = await place_and_change(api, customers, sku)

        async def caught_up() -> None:
            # Equal to the list read after it: the flows have settled and nothing was missed.
            assert client.latest(reading) == await every_order(api, customers)

        await eventually(caught_up, timeout=120, interval=1)

    assert sorted(client.shown) == sorted(placed)
    for order_id, states in client.shown.items():
        # Each state once, in the order the changes happened: none repeated, none out of turn.
        times = [datetime.fromisoformat(state[KEPT.index("updated_at")]) for state in states]
        assert times == sorted(set(times)), (order_id, states)


# Each list and what identifies one of its rows.
LISTS = {
    "/v1/orders": ("order_id",),
    "/v1/shipments": ("shipment_id",),
    "/v1/invoices": ("invoice_id",),
    "/v1/andon/pulls": ("pull_id",),
    "/v1/gaps?open=false": ("order_id", "step"),
    "/v1/credit/reviews?open=false": ("order_id", "review_no"),
    "/v1/inventory": ("sku",),
    "/v1/returns": ("return_id",),
    "/v1/complaints": ("complaint_id",),
}


async def test_every_list_pages_by_cursor_refuses_a_bad_one_and_offers_a_change_feed(
    api: Api,
) -> None:
    # At least two rows in every list but gaps: shipped and invoiced orders, reviews, pulls,
    # returns and complaints.
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
    # After the pulls: returns and complaints count as defects, and enough of them pull too.
    for order_id in shipped:
        await _return_and_complain(api, order_id, sku)

    for path, key in LISTS.items():
        joiner = "&" if "?" in path else "?"
        pages = await _pages(api, f"{path}{joiner}limit=1", key, at_most=3)
        feed = await api.request("GET", f"{path}{joiner}updated_since=0&limit=5", role="ops")
        bad = await api.request("GET", f"{path}{joiner}cursor=bm90LWEtY3Vyc29y", role="ops")

        assert path.startswith("/v1/gaps") or len(pages) >= 2, (path, pages)
        assert len(set(pages)) == len(pages), (path, pages)
        assert feed.status_code == 200 and "updated_since=" in feed.links["next"]["url"], path
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.cursor"


async def _return_and_complain(api: Api, order_id: str, sku: str) -> None:
    returned = await api.record_return(order_id, [(sku, 1)])
    complained = await api.complain(order_id, sku)
    assert (returned.status_code, complained.status_code) == (201, 201), (
        returned.text,
        complained.text,
    )

    async def known_to_fulfillment() -> None:
        assert await api.every_page("/v1/returns", params={"order_id": order_id})

    await eventually(known_to_fulfillment, timeout=30, interval=0.2)


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
