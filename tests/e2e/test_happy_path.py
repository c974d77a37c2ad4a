"""A green customer with stock: released, shipped by the simulator, invoiced, paid, completed."""

from datetime import datetime

import pytest

from shared.envelope import Envelope
from tests.e2e.clients import Api, eventually, read_topics

pytestmark = pytest.mark.e2e


def _first(envelopes: list[Envelope], event_type: str, order_id: str) -> Envelope | None:
    return next(
        (
            e
            for e in envelopes
            if e.event_type == event_type and str(e.data.get("order_id")) == order_id
        ),
        None,
    )


async def _shipped_and_invoiced(api: Api, order_id: str) -> dict[str, object]:
    async def invoiced() -> dict[str, object]:
        order = await api.order(order_id)
        assert order["status"] == "shipped", order
        [invoice] = await api.invoices(order_id)
        return dict(invoice)

    return await eventually(invoiced, timeout=60, interval=0.2)


async def test_a_green_customer_with_stock_goes_from_placed_to_completed(api: Api) -> None:
    customer = await api.new_customer("green", light="green")
    sku = await api.new_item("clock", stock=10, price_cents=2_500)

    order_id = await api.place_order(customer, [(sku, 2)])

    await api.wait_for_release(order_id, within=30)
    invoice = await _shipped_and_invoiced(api, order_id)
    assert invoice["total_cents"] == 5_000
    [shipment] = await api.shipments(order_id)
    assert shipment["status"] in ("shipped", "delivered"), shipment
    paid = await api.pay(str(invoice["invoice_id"]), 5_000)
    assert paid.status_code in (200, 201, 202), paid.text
    order = await api.wait_for_status(order_id, "completed", within=30)
    assert [(line["sku"], line["quantity"], line["shipped"]) for line in order["lines"]] == [
        (sku, 2, 2)
    ]
    stock = await api.stock(sku)
    assert (stock["on_hand"], stock["reserved"]) == (8, 0)


async def test_the_timeline_shows_every_hand_off_with_its_service_and_time(api: Api) -> None:
    customer = await api.new_customer("timeline")
    sku = await api.new_item("lamp", stock=5, price_cents=1_200)
    order_id = await api.place_order(customer, [(sku, 1)])
    invoice = await _shipped_and_invoiced(api, order_id)
    paid = await api.pay(str(invoice["invoice_id"]), int(str(invoice["total_cents"])))
    assert paid.status_code in (200, 201, 202), paid.text

    order = await api.wait_for_status(order_id, "completed", within=30)

    timeline = order["timeline"]
    # Each entry's time is when its own service acted: a real, zoned time for every hand-off
    # (not sorted across services, whose clocks need not agree to the millisecond).
    assert all(datetime.fromisoformat(entry["at"]).tzinfo is not None for entry in timeline)
    services = {entry["service"] for entry in timeline}
    assert {"order", "credit", "inventory", "fulfillment"} <= services, timeline
    events = [entry["event"] for entry in timeline]
    placed, released = events.index("OrderPlaced"), events.index("OrderReleased")
    assert placed < released < events.index("OrderCompleted"), events
    handoffs = {(entry["service"], entry["event"]) for entry in timeline}
    assert {
        ("order", "OrderPlaced"),
        ("inventory", "StockReserved"),
        ("credit", "CreditApproved"),
        ("order", "OrderReleased"),
        ("fulfillment", "ShipmentShipped"),
        ("fulfillment", "InvoiceIssued"),
        ("fulfillment", "InvoicePaid"),
        ("order", "OrderCompleted"),
    } <= handoffs, timeline
    before_release = {entry["service"] for entry in timeline[placed:released]}
    assert {"credit", "inventory"} <= before_release, timeline
    after_release = {entry["service"] for entry in timeline[released:]}
    assert "fulfillment" in after_release, timeline


async def test_the_credit_and_stock_checks_run_concurrently_not_in_series(api: Api) -> None:
    customer = await api.new_customer("parallel")
    sku = await api.new_item("fan", stock=5)
    order_id = await api.place_order(customer, [(sku, 1)])

    def answered(read: list[Envelope]) -> bool:
        return all(
            _first(read, kind, order_id) is not None
            for kind in ("OrderPlaced", "CreditApproved", "StockReserved")
        )

    read = await read_topics(
        api.stack, ["order.events", "credit.events", "inventory.events"], answered
    )

    # Wall-clock comparisons of two processes' answers would be flaky (either may finish first,
    # and the clocks of scale-out processes are only as close as NTP keeps them). What proves
    # "parallel, not in series" soundly is the causal chain: each answer names OrderPlaced as its
    # cause, so each check started from the order alone and neither waited for the other's answer.
    placed = _first(read, "OrderPlaced", order_id)
    approved = _first(read, "CreditApproved", order_id)
    reserved = _first(read, "StockReserved", order_id)
    assert placed is not None and approved is not None and reserved is not None
    assert approved.causation_id == placed.event_id, approved
    assert reserved.causation_id == placed.event_id, reserved
    assert approved.correlation_id == reserved.correlation_id == placed.correlation_id
    # ... and the order's own timeline records both answers after the placement, before release.
    order = await api.wait_for_order(
        order_id, lambda o: "OrderReleased" in [entry["event"] for entry in o["timeline"]]
    )
    events = [(entry["service"], entry["event"]) for entry in order["timeline"]]
    services = [service for service, _ in events]
    placed_at = next(i for i, (_, event) in enumerate(events) if event == "OrderPlaced")
    released_at = next(i for i, (_, event) in enumerate(events) if event == "OrderReleased")
    assert "credit" in services[placed_at + 1 : released_at], events
    assert "inventory" in services[placed_at + 1 : released_at], events
