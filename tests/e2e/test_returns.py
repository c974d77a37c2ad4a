"""Returns: an authorised return's goods are received and inspected (restock or quarantine),
credited against the invoice (lowering what is owed, or refunded once paid), and the credit
exposure follows."""

from typing import Any

import pytest

from tests.e2e.clients import Api, eventually

pytestmark = pytest.mark.e2e

PRICE = 2_000


async def a_shipped_order(api: Api, customer: str, sku: str, quantity: int) -> str:
    order_id = await api.place_order(customer, [(sku, quantity)])

    async def invoiced() -> None:
        invoices = await api.invoices(order_id)
        assert [invoice["total_cents"] for invoice in invoices] == [quantity * PRICE]

    await eventually(invoiced, timeout=60)
    # The order service, too, knows the units shipped (a return may name only those).
    await api.wait_for_status(order_id, "shipped", within=30)
    return order_id


async def authorise(api: Api, order_id: str, sku: str, quantity: int) -> str:
    response = await api.record_return(order_id, [(sku, quantity)], reason="arrived scratched")
    assert response.status_code == 201, response.text
    return str(response.json()["return_id"])


async def receive(api: Api, return_id: str, *lines: tuple[str, int, str]) -> dict[str, Any]:
    """Ops at the dock; the warehouse learns of the authorisation a moment after it (404)."""
    body = {"lines": [{"sku": s, "quantity": q, "disposition": d} for s, q, d in lines]}

    async def received() -> dict[str, Any]:
        response = await api.request("POST", f"/v1/returns/{return_id}/receipt", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return await eventually(received, timeout=30, interval=0.2)


async def test_a_return_of_1_of_3_unpaid_units_is_restocked_credited_and_lowers_exposure(
    api: Api,
) -> None:
    customer = await api.new_customer("returns-open")
    sku = await api.new_item("returns-open", stock=3, price_cents=PRICE)
    order_id = await a_shipped_order(api, customer, sku, 3)
    await api.wait_for_exposure(customer, 3 * PRICE)

    return_id = await authorise(api, order_id, sku, 1)
    received = await receive(api, return_id, (sku, 1, "restock"))

    [note] = received["credit_notes"]
    assert [(line["sku"], line["quantity"]) for line in note["lines"]] == [(sku, 1)]
    assert (note["total_cents"], note["applied_cents"], note["refund_cents"]) == (PRICE, PRICE, 0)
    [invoice] = await api.invoices(order_id)
    assert (invoice["credited_cents"], invoice["open_cents"]) == (PRICE, 2 * PRICE)
    await api.wait_for_exposure(customer, 2 * PRICE)
    await api.wait_for_stock(sku, on_hand=1, quarantined=0, available=1)

    async def on_the_timeline() -> None:
        events = [entry["event"] for entry in (await api.order(order_id))["timeline"]]
        assert {"ReturnRecorded", "ReturnReceived", "CreditNoteIssued"} <= set(events), events

    await eventually(on_the_timeline, timeout=30)
    # What is still owed completes the order.
    await api.pay_all(order_id)
    await api.wait_for_status(order_id, "completed", within=30)
    await api.wait_for_exposure(customer, 0)


async def test_a_return_after_the_order_was_paid_is_refunded_and_quarantined(api: Api) -> None:
    customer = await api.new_customer("returns-paid")
    sku = await api.new_item("returns-paid", stock=3, price_cents=PRICE)
    order_id = await a_shipped_order(api, customer, sku, 3)
    await api.complete(order_id)
    await api.wait_for_exposure(customer, 0)

    return_id = await authorise(api, order_id, sku, 1)
    received = await receive(api, return_id, (sku, 1, "quarantine"))

    [note] = received["credit_notes"]
    assert (note["applied_cents"], note["refund_cents"]) == (0, PRICE)
    [invoice] = await api.invoices(order_id)
    assert (invoice["refunded_cents"], invoice["open_cents"]) == (PRICE, 0)
    await api.wait_for_stock(sku, on_hand=0, quarantined=1, available=0)
    # A refund owes the customer money; it never makes them owe more or less.
    await api.wait_for_exposure(customer, 0)
    again = await api.request(
        "POST",
        f"/v1/returns/{return_id}/receipt",
        json={"lines": [{"sku": sku, "quantity": 1, "disposition": "restock"}]},
    )
    assert again.status_code == 409, again.text
