"""Short picks: the WMS finds fewer units than it was asked to pick. What it found ships and is
invoiced; the rest is backordered or cancelled by the order's segment rule."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from shared.envelope import Envelope
from shared.topics import WMS_CONFIRMATIONS
from tests.e2e.clients import Api, eventually
from tests.e2e.stack import inject

pytestmark = pytest.mark.e2e

PRICE = 1_500


@asynccontextmanager
async def a_picking_shipment(api: Api, order_id: str) -> AsyncIterator[str]:
    """The order's shipment, sent to a WMS that answers nothing until the block ends (then the
    simulator confirms what is left: its late Picked and Packed change nothing)."""
    await api.tune_simulator(paused=True)
    try:

        async def picking() -> str:
            shipments = await api.shipments(order_id)
            assert [s["status"] for s in shipments] == ["picking"], await api.order(order_id)
            [shipment] = shipments
            return str(shipment["shipment_id"])

        yield await eventually(picking, timeout=30)
    finally:
        await api.tune_simulator(paused=False)


async def confirm(api: Api, kind: str, shipment_id: str, order_id: str, **extra: Any) -> None:
    """The HTTP callback of a WMS without Kafka."""
    body = {"type": kind, "shipment_id": shipment_id, "order_id": order_id, **extra}
    response = await api.request("POST", "/v1/fulfillment/confirmations", json=body)
    assert response.status_code == 202, response.text


async def picked_on_the_topic(api: Api, shipment_id: str, order_id: str, sku: str, n: int) -> None:
    """A WMS's `Picked` on wms.confirmations, as a CloudEvent of its own."""
    picked = Envelope(
        event_id=uuid4(),
        event_type="Picked",
        event_version=1,
        source="wms-e2e",
        aggregate_id=shipment_id,
        aggregate_version=1,
        occurred_at=datetime.now(UTC),
        correlation_id=UUID(order_id),
        causation_id=None,
        data={
            "shipment_id": shipment_id,
            "order_id": order_id,
            "lines": [{"sku": sku, "quantity": n}],
        },
    )
    await inject(api.stack, WMS_CONFIRMATIONS, key=order_id, value=picked.to_json())


async def short_of(api: Api, order_id: str, short: list[dict[str, Any]]) -> None:
    async def recorded() -> None:
        [shipment] = await api.shipments(order_id)
        assert (shipment["status"], shipment["short"]) == ("picked", short), shipment

    await eventually(recorded, timeout=30)


async def invoiced(api: Api, order_id: str, count: int = 1) -> list[dict[str, Any]]:
    async def issued() -> list[dict[str, Any]]:
        invoices = await api.invoices(order_id)
        assert len(invoices) == count, invoices
        return invoices

    return await eventually(issued, timeout=60)


async def test_a_ship_partial_order_ships_the_3_of_5_picked_and_backorders_the_2_missing(
    api: Api,
) -> None:
    # Class A or B customers have the segment rule ship_partial in the default policy.
    customer = await api.new_big_customer("short-partial", classes=("A", "B"))
    sku = await api.new_item("short-partial", stock=5, price_cents=PRICE)
    order_id = await api.place_order(customer, [(sku, 5)])

    async with a_picking_shipment(api, order_id) as shipment_id:
        # The WMS reports on its topic that it found 3 of the 5.
        await picked_on_the_topic(api, shipment_id, order_id, sku, 3)
        await short_of(api, order_id, [{"sku": sku, "quantity": 2}])

    order = await api.wait_for_order(
        order_id,
        lambda o: o["lines"][0]["shipped"] == 3 and o["holds"] == ["backorder"],
        within=60,
    )
    assert (order["status"], order["lines"][0]["quantity"]) == ("partially_shipped", 5)
    [invoice] = await invoiced(api, order_id)
    assert [(line["sku"], line["quantity"]) for line in invoice["lines"]] == [(sku, 3)]
    assert invoice["total_cents"] == 3 * PRICE
    # The 2 not found were written off; the order waits for 2 more.
    await api.wait_for_stock(sku, on_hand=0, reserved=0, backordered=2)

    await api.receive(sku, 2)

    await api.wait_for_order(order_id, lambda o: o["status"] == "shipped", within=60)
    invoices = await invoiced(api, order_id, count=2)
    assert sorted(i["total_cents"] for i in invoices) == [2 * PRICE, 3 * PRICE]


async def test_a_wait_complete_order_ships_the_3_of_5_picked_and_cancels_the_2_missing(
    api: Api,
) -> None:
    customer = await api.new_customer("short-complete")  # class C: rule wait_complete
    sku = await api.new_item("short-complete", stock=5, price_cents=PRICE)
    order_id = await api.place_order(customer, [(sku, 5)])

    async with a_picking_shipment(api, order_id) as shipment_id:
        await confirm(api, "Picked", shipment_id, order_id, lines=[{"sku": sku, "quantity": 3}])
        await short_of(api, order_id, [{"sku": sku, "quantity": 2}])

    order = await api.wait_for_status(order_id, "shipped", within=60)
    assert [(line["quantity"], line["shipped"], line["cancelled"]) for line in order["lines"]] == [
        (3, 3, 2)
    ]
    assert order["total_cents"] == 3 * PRICE
    [invoice] = await invoiced(api, order_id)
    assert invoice["total_cents"] == 3 * PRICE

    # Exposure holds only what is still owed: the 3 shipped units.
    async def exposure() -> None:
        assert (await api.customer(customer))["exposure_cents"] == 3 * PRICE

    await eventually(exposure, timeout=30)
    await api.wait_for_stock(sku, on_hand=0, reserved=0, backordered=0)
    await api.complete(order_id)
