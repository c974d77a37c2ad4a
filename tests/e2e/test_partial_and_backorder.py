"""Partial shipment and backorder follow the segment's rule; invoices equal what shipped."""

from typing import Any

import pytest

from tests.e2e.clients import Api, eventually

pytestmark = pytest.mark.e2e

PRICE = 1_500


def _units(documents: list[dict[str, Any]], sku: str) -> list[int]:
    return [line["quantity"] for doc in documents for line in doc["lines"] if line["sku"] == sku]


async def test_a_ship_partial_order_ships_what_is_reserved_and_the_rest_after_a_receipt(
    api: Api,
) -> None:
    # Class A or B customers have the segment rule ship_partial in the default policy.
    customer = await api.new_big_customer("big-spender", classes=("A", "B"))
    sku = await api.new_item("partial", stock=3, price_cents=PRICE)

    order_id = await api.place_order(customer, [(sku, 5)])

    order = await api.wait_for_order(
        order_id, lambda o: o["status"] == "partially_shipped" and o["holds"] == ["backorder"]
    )
    assert order["lines"][0]["shipped"] == 3
    [shipment] = await api.shipments(order_id)
    assert _units([shipment], sku) == [3]

    async def first_invoice() -> list[dict[str, Any]]:
        invoices = await api.invoices(order_id)
        assert len(invoices) == 1
        return invoices

    [invoice] = await eventually(first_invoice, timeout=30)
    assert (_units([invoice], sku), invoice["total_cents"]) == ([3], 3 * PRICE)

    await api.receive(sku, 2)

    order = await api.wait_for_order(
        order_id, lambda o: o["status"] == "shipped" and o["holds"] == [], within=60
    )
    assert order["lines"][0]["shipped"] == 5
    assert sorted(_units(await api.shipments(order_id), sku)) == [2, 3]

    async def both_invoices() -> list[dict[str, Any]]:
        invoices = await api.invoices(order_id)
        assert len(invoices) == 2
        return invoices

    invoices = await eventually(both_invoices, timeout=30)
    assert sorted(_units(invoices, sku)) == [2, 3]
    assert sorted(i["total_cents"] for i in invoices) == [2 * PRICE, 3 * PRICE]


async def test_a_wait_complete_order_is_released_only_once_every_line_is_reserved(
    api: Api,
) -> None:
    customer = await api.new_customer("small")  # no revenue yet: class C, rule wait_complete
    sku = await api.new_item("complete", stock=3, price_cents=PRICE)
    other = await api.new_item("plenty", stock=10, price_cents=PRICE)

    order_id = await api.place_order(customer, [(sku, 5), (other, 1)])

    order = await api.wait_for_order(
        order_id, lambda o: [line["reserved"] for line in o["lines"]] == [3, 1]
    )
    assert (order["status"], order["holds"], order["segment"][0]) == ("on_hold", ["backorder"], "C")
    assert await api.shipments(order_id) == []

    await api.receive(sku, 2)

    order = await api.wait_for_status(order_id, "shipped", within=60)
    [shipment] = await api.shipments(order_id)
    assert sorted((line["sku"], line["quantity"]) for line in shipment["lines"]) == sorted(
        [(sku, 5), (other, 1)]
    )

    async def invoiced() -> dict[str, Any]:
        [invoice] = await api.invoices(order_id)
        return invoice

    invoice = await eventually(invoiced, timeout=30)
    assert invoice["total_cents"] == 6 * PRICE
