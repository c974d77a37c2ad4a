"""Changes and cancellation: re-reserve only the difference, refuse after shipment, release."""

from typing import Any

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


async def _readdressed_at(api: Api, step: str, city: str, **slow: int) -> str:
    """An order moved to `city` once its shipment reached `step`: the simulated WMS/TMS is
    `slow` meanwhile, so the change lands before its next answer. Returns the order id."""
    customer = await api.new_customer("mover")
    sku = await api.new_item("address", stock=5, price_cents=PRICE)
    await api.tune_simulator(**slow)
    try:
        order_id = await api.place_order(customer, [(sku, 1)])

        async def reached() -> None:
            assert [s["status"] for s in await api.shipments(order_id)] == [step]

        await eventually(reached, timeout=30)
        ship_to = {**api.order_body(customer, [])["ship_to"], "city": city}
        response = await api.change_order(order_id, ship_to=ship_to)
    finally:
        await api.tune_simulator()
    assert response.status_code == 200, response.text
    return order_id


async def _outward(api: Api, topic: str, order_id: str, event_type: str) -> Envelope:
    """The first `event_type` of the order on an outward topic, as the TMS (simulator) reads it."""

    def of_order(read: list[Envelope]) -> list[Envelope]:
        return [
            e for e in read if e.event_type == event_type and e.data.get("order_id") == order_id
        ]

    read = await read_topics(api.stack, [topic], lambda r: bool(of_order(r)), within=60)
    return of_order(read)[0]


async def _timeline_event(api: Api, order_id: str, event: str) -> dict[str, Any]:
    order = await api.wait_for_order(
        order_id, lambda o: any(e["event"] == event for e in o["timeline"])
    )
    return next(e for e in order["timeline"] if e["event"] == event)


async def test_an_address_changed_after_release_before_the_pick_goes_out_with_the_request(
    api: Api,
) -> None:
    # The warehouse takes 8 s to pick: the change lands after the release, while the pick is
    # under way, before the shipment is packed and the carrier asked.
    order_id = await _readdressed_at(api, "picking", "Manchester", pick_delay_ms=8_000)

    requested = await _outward(api, "tms.shipment-requests", order_id, "ShipmentRequested")
    assert requested.data["ship_to"]["city"] == "Manchester"
    changed = await _timeline_event(api, order_id, "ShipmentAddressChanged")
    assert (changed["service"], changed["detail"]["amended"]) == ("fulfillment", False)
    assert (await api.order(order_id))["ship_to"]["city"] == "Manchester"


async def test_an_address_changed_once_the_carrier_has_the_request_is_sent_as_an_amendment(
    api: Api,
) -> None:
    # The carrier collects 10 s after the request: the amendment reaches it before then.
    order_id = await _readdressed_at(api, "packed", "Leeds", ship_delay_ms=10_000)

    amended = await _outward(api, "tms.shipment-requests", order_id, "ShipmentRequestAmended")
    assert amended.data["ship_to"]["city"] == "Leeds"
    # The simulator took it: its carrier collects for the new address.
    shipped = await _outward(api, "tms.confirmations", order_id, "Shipped")
    assert shipped.data["ship_to"]["city"] == "Leeds"
    changed = await _timeline_event(api, order_id, "ShipmentAddressChanged")
    assert changed["detail"]["amended"] is True


async def test_a_line_added_for_a_sku_with_an_open_andon_pull_holds_the_order(api: Api) -> None:
    # Red: every order waits for a credit review, so both stay unreleased.
    customer = await api.new_customer("red", light="red")
    sku = await api.new_item("kept", stock=5, price_cents=PRICE)
    stopped = await api.new_item("stopped", stock=5, price_cents=PRICE)
    order_id = await api.place_order(customer, [(sku, 1)])
    witness = await api.place_order(customer, [(stopped, 1)])
    pull_id = await api.pull("sku", stopped)
    try:
        # The order service has noted the pull once it holds the order that had the SKU.
        await api.wait_for_order(witness, lambda o: "andon" in o["holds"])
        assert "andon" not in (await api.order(order_id))["holds"]

        response = await api.change_order(order_id, lines=_lines(sku, 1) + _lines(stopped, 1))

        assert response.status_code == 200, response.text
        assert response.json()["status"] == "on_hold"
        await api.wait_for_order(order_id, lambda o: "andon" in o["holds"])
    finally:
        await api.resolve(pull_id)


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
