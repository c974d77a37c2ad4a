"""Changes and cancellation: re-reserve only the difference, refuse after shipment, release."""

import pytest

from shared.envelope import Envelope
from tests.e2e.clients import Api, eventually, read_topics

pytestmark = pytest.mark.e2e

PRICE = 1_000


def _lines(sku: str, quantity: int) -> list[dict[str, object]]:
    return [{"sku": sku, "quantity": quantity}]


async def _reserved(api: Api, sku: str, expected: int) -> None:
    async def reserved() -> None:
        assert (await api.stock(sku))["reserved"] == expected

    await eventually(reserved, timeout=30)


async def test_a_change_before_shipment_re_reserves_only_the_difference(api: Api) -> None:
    # Red: every order waits for a credit review, so it stays unreleased and unshipped.
    customer = await api.new_customer("red", light="red")
    sku = await api.new_item("change", stock=20, price_cents=PRICE)
    order_id = await api.place_order(customer, [(sku, 3)])
    await _reserved(api, sku, 3)

    more = await api.change_order(order_id, lines=_lines(sku, 5))
    assert more.status_code in (200, 202), more.text
    await _reserved(api, sku, 5)
    fewer = await api.change_order(order_id, lines=_lines(sku, 4))
    assert fewer.status_code in (200, 202), fewer.text
    await _reserved(api, sku, 4)

    def for_order(read: list[Envelope]) -> list[tuple[str, int]]:
        return [
            (e.event_type, e.data["quantity"])
            for e in read
            if str(e.data.get("order_id")) == order_id
            and e.event_type in ("StockReserved", "StockReleased")
        ]

    read = await read_topics(api.stack, ["inventory.events"], lambda r: len(for_order(r)) >= 3)
    assert for_order(read) == [("StockReserved", 3), ("StockReserved", 2), ("StockReleased", 1)]
    order = await api.order(order_id)
    assert order["lines"][0]["quantity"] == 4 and order["total_cents"] == 4 * PRICE


async def test_an_address_change_before_shipment_is_accepted(api: Api) -> None:
    customer = await api.new_customer("red", light="red")
    sku = await api.new_item("address", stock=5, price_cents=PRICE)
    order_id = await api.place_order(customer, [(sku, 1)])
    await _reserved(api, sku, 1)
    ship_to = {**api.order_body(customer, [])["ship_to"], "city": "Manchester"}

    response = await api.change_order(order_id, ship_to=ship_to)

    assert response.status_code in (200, 202), response.text
    await _reserved(api, sku, 1)


async def test_a_change_or_cancel_after_shipment_is_refused_saying_to_place_a_new_order(
    api: Api,
) -> None:
    customer = await api.new_customer("green")
    sku = await api.new_item("shipped", stock=5, price_cents=PRICE)
    order_id = await api.place_order(customer, [(sku, 1)])
    await api.wait_for_status(order_id, "shipped", within=60)

    change = await api.change_order(order_id, lines=_lines(sku, 2))
    cancel = await api.cancel_order(order_id)

    for response in (change, cancel):
        assert response.status_code == 409, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert "new order" in response.json()["detail"].lower(), response.json()
    assert (await api.order(order_id))["status"] == "shipped"


async def test_a_cancel_before_shipment_releases_stock_and_credit_exposure(api: Api) -> None:
    # A new customer is class C (wait_complete): one short line keeps the whole order unreleased.
    customer = await api.new_customer("canceller")
    sku = await api.new_item("kept", stock=10, price_cents=PRICE)
    short = await api.new_item("short", price_cents=PRICE)
    order_id = await api.place_order(customer, [(sku, 2), (short, 1)])
    await api.wait_for_status(order_id, "on_hold", holds=["backorder"])
    await _reserved(api, sku, 2)

    async def exposed(expected: int) -> None:
        assert (await api.customer(customer))["exposure_cents"] == expected

    await eventually(lambda: exposed(3 * PRICE), timeout=30)

    response = await api.cancel_order(order_id)

    assert response.status_code in (200, 202, 204), response.text
    await api.wait_for_status(order_id, "cancelled")
    await _reserved(api, sku, 0)
    await eventually(lambda: exposed(0), timeout=30)
    assert (await api.stock(sku))["available"] == 10


async def test_a_change_that_keeps_the_total_is_released_on_the_approval_it_had(api: Api) -> None:
    # A new customer is class C (wait_complete): the sold-out line keeps the order unreleased
    # until the change swaps it for one more clock. The total stays, so credit is not asked again.
    customer = await api.new_customer("same-total")
    clock = await api.new_item("clock", stock=5, price_cents=PRICE)
    sold_out = await api.new_item("sold-out", price_cents=PRICE)
    order_id = await api.place_order(customer, [(clock, 1), (sold_out, 1)])
    await api.wait_for_status(order_id, "on_hold", holds=["backorder"])

    changed = await api.change_order(order_id, lines=_lines(clock, 2))

    assert changed.status_code in (200, 202), changed.text
    order = await api.wait_for_release(order_id, within=60)
    assert order["total_cents"] == 2 * PRICE
