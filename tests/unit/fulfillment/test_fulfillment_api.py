"""Fulfillment HTTP API: shipments, invoices, payments and the WMS/TMS callback."""

from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from services.fulfillment.domain import invoice_id_for, shipment_id_for
from shared.topics import TMS_CONFIRMATIONS
from tests.unit.fulfillment.builders import ORDER_EVENTS, released
from tests.unit.fulfillment.harness import Harness, as_ops, as_staff


async def a_shipped_order(service: Harness) -> tuple[UUID, str]:
    """An order whose one shipment shipped: (order id, invoice id); the invoice is 12,498 cents."""
    order_id = uuid4()
    await service.deliver(ORDER_EVENTS, "OrderReleased", released(order_id), order_id=order_id)
    shipment_id = str(shipment_id_for(order_id, 1))
    shipped = {
        "shipment_id": shipment_id,
        "order_id": str(order_id),
        "carrier": "DHL",
        "tracking_number": "JD1",
    }
    await service.deliver(TMS_CONFIRMATIONS, "Shipped", shipped, order_id=order_id)
    return order_id, str(invoice_id_for(UUID(shipment_id)))


async def pay(client: httpx.AsyncClient, invoice_id: str, amount: int) -> httpx.Response:
    body = {"invoice_id": invoice_id, "amount_cents": amount}
    return await client.post("/v1/payments", json=body, headers=as_ops())


async def test_payments_settle_an_invoice_and_record_each_step(
    service: Harness, client: httpx.AsyncClient
) -> None:
    order_id, invoice_id = await a_shipped_order(service)

    first = await pay(client, invoice_id, 10_000)
    last = await pay(client, invoice_id, 2_498)

    assert first.status_code == 201, first.text
    assert (first.json()["open_cents"], first.json()["status"]) == (2_498, "open")
    assert (last.json()["paid_cents"], last.json()["status"]) == (12_498, "paid")
    paid = [
        m for m in await service.outgoing() if m.event_type in ("PaymentRecorded", "InvoicePaid")
    ]
    assert [(m.event_type, m.correlation_id) for m in paid] == [
        ("PaymentRecorded", str(order_id)),
        ("PaymentRecorded", str(order_id)),
        ("InvoicePaid", str(order_id)),
    ]
    assert paid[0].data == {
        "invoice_id": invoice_id,
        "order_id": str(order_id),
        "customer_id": "acme",
        "amount_cents": 10_000,
        "paid_cents": 10_000,
    }


async def test_an_overpayment_is_refused_with_422_and_changes_nothing(
    service: Harness, client: httpx.AsyncClient
) -> None:
    order_id, invoice_id = await a_shipped_order(service)

    refused = await pay(client, invoice_id, 12_499)

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == "amount_cents"
    [invoice] = (await client.get(f"/v1/invoices?order_id={order_id}", headers=as_staff())).json()
    assert (invoice["paid_cents"], invoice["status"]) == (0, "open")


@pytest.mark.parametrize("amount", [0, -100])
async def test_a_payment_of_nothing_is_refused_naming_the_field(
    service: Harness, client: httpx.AsyncClient, amount: int
) -> None:
    _, invoice_id = await a_shipped_order(service)

    refused = await pay(client, invoice_id, amount)

    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["amount_cents"]


async def test_a_payment_for_an_unknown_invoice_is_404(client: httpx.AsyncClient) -> None:
    response = await pay(client, str(uuid4()), 100)

    assert response.status_code == 404


async def test_only_ops_record_payments(service: Harness, client: httpx.AsyncClient) -> None:
    _, invoice_id = await a_shipped_order(service)
    body = {"invoice_id": invoice_id, "amount_cents": 100}

    as_staff_member = await client.post("/v1/payments", json=body, headers=as_staff())
    anonymous = await client.post("/v1/payments", json=body)

    assert (as_staff_member.status_code, anonymous.status_code) == (403, 401)


async def test_shipments_and_invoices_are_listed_per_order(
    service: Harness, client: httpx.AsyncClient
) -> None:
    order_id, invoice_id = await a_shipped_order(service)
    await a_shipped_order(service)

    shipments = await client.get(
        "/v1/shipments", params={"order_id": str(order_id)}, headers=as_staff()
    )
    invoices = await client.get(
        "/v1/invoices", params={"order_id": str(order_id)}, headers=as_staff()
    )
    everything = await client.get("/v1/shipments", headers=as_staff())

    [shipment] = shipments.json()
    assert (shipment["status"], shipment["release_no"], shipment["carrier"]) == (
        "shipped",
        1,
        "DHL",
    )
    assert [i["invoice_id"] for i in invoices.json()] == [invoice_id]
    assert len(everything.json()) == 2


class TestConfirmationCallback:
    async def a_released_order(self, service: Harness) -> tuple[UUID, dict[str, str]]:
        """An order released in one shipment: its id, and the ids a confirmation of it names."""
        order_id = uuid4()
        await service.deliver(ORDER_EVENTS, "OrderReleased", released(order_id), order_id=order_id)
        return order_id, {
            "shipment_id": str(shipment_id_for(order_id, 1)),
            "order_id": str(order_id),
        }

    async def confirm(
        self, client: httpx.AsyncClient, kind: str, ids: dict[str, str], **fields: Any
    ) -> httpx.Response:
        """A WMS/TMS confirmation of `kind` (Picked, Packed, ...) through the HTTP callback."""
        body = {"type": kind, **ids, **fields}
        return await client.post("/v1/fulfillment/confirmations", json=body, headers=as_ops())

    async def test_a_wms_without_kafka_confirms_by_http_with_the_same_effect(
        self, service: Harness, client: httpx.AsyncClient
    ) -> None:
        order_id, ids = await self.a_released_order(service)

        packed = await self.confirm(client, "Packed", ids)
        shipped = await self.confirm(client, "Shipped", ids, carrier="UPS", tracking_number="1Z")

        assert (packed.status_code, packed.json()["status"]) == (202, "packed")
        assert shipped.json()["status"] == "shipped"
        outgoing = await service.outgoing()
        assert [m.event_type for m in outgoing] == [
            "ShipmentRequested",
            "ShipmentShipped",
            "InvoiceIssued",
        ]
        assert {m.correlation_id for m in outgoing} == {str(order_id)}

    async def test_a_short_pick_by_http_names_the_units_picked_per_sku(
        self, service: Harness, client: httpx.AsyncClient
    ) -> None:
        order_id, ids = await self.a_released_order(service)

        too_many = await self.confirm(
            client, "Picked", ids, lines=[{"sku": "RETRO-CLOCK", "quantity": 3}]
        )
        on_delivery = await self.confirm(
            client, "Delivered", ids, lines=[{"sku": "TEAPOT", "quantity": 0}]
        )
        picked = await self.confirm(
            client, "Picked", ids, lines=[{"sku": "RETRO-CLOCK", "quantity": 1}]
        )

        assert too_many.status_code == 422, too_many.text
        assert [e["field"] for e in too_many.json()["errors"]] == ["lines.0.quantity"]
        assert on_delivery.status_code == 422, on_delivery.text
        assert (picked.status_code, picked.json()["status"]) == (202, "picked")
        assert [m.event_type for m in await service.outgoing()] == ["ShipmentShortPicked"]
        shipments = await client.get(
            "/v1/shipments", params={"order_id": str(order_id)}, headers=as_staff()
        )
        assert shipments.json()[0]["short"] == [{"sku": "RETRO-CLOCK", "quantity": 1}]

    async def test_an_unknown_shipment_is_404_and_an_unknown_type_422(
        self, client: httpx.AsyncClient
    ) -> None:
        ids = {"shipment_id": str(uuid4()), "order_id": str(uuid4())}

        unknown = await self.confirm(client, "Picked", ids)
        bad_type = await self.confirm(client, "Lost", ids)

        assert (unknown.status_code, bad_type.status_code) == (404, 422)


class TestReturns:
    async def authorised(self, service: Harness, order_id: UUID, clocks: int) -> str:
        """The order service authorised a return of `clocks` RETRO-CLOCKs; its return id."""
        return_id = str(uuid4())
        recorded = {
            "order_id": str(order_id),
            "return_no": 1,
            "lines": [{"sku": "RETRO-CLOCK", "quantity": clocks}],
            "reason": "cracked",
            "return_id": return_id,
        }
        await service.deliver(ORDER_EVENTS, "ReturnRecorded", recorded, order_id=order_id)
        return return_id

    async def test_received_goods_are_credited_against_the_open_invoice(
        self, service: Harness, client: httpx.AsyncClient
    ) -> None:
        order_id, invoice_id = await a_shipped_order(service)
        return_id = await self.authorised(service, order_id, 2)
        lines = [
            {"sku": "RETRO-CLOCK", "quantity": 1, "disposition": "restock"},
            {"sku": "RETRO-CLOCK", "quantity": 1, "disposition": "quarantine"},
        ]

        receipt = await client.post(
            f"/v1/returns/{return_id}/receipt", json={"lines": lines}, headers=as_ops()
        )
        again = await client.post(
            f"/v1/returns/{return_id}/receipt", json={"lines": lines}, headers=as_ops()
        )

        assert receipt.status_code == 201, receipt.text
        body = receipt.json()
        assert (body["status"], body["received"]) == ("received", lines)
        [note] = body["credit_notes"]
        assert (note["invoice_id"], note["total_cents"], note["applied_cents"]) == (
            invoice_id,
            2 * 4_999,
            2 * 4_999,
        )
        assert again.status_code == 409, again.text
        published = [m for m in await service.outgoing() if m.event_type != "ShipmentShipped"]
        assert [m.event_type for m in published] == [
            "InvoiceIssued",
            "ReturnReceived",
            "CreditNoteIssued",
        ]
        assert {m.correlation_id for m in published} == {str(order_id)}
        [invoice] = (
            await client.get("/v1/invoices", params={"order_id": str(order_id)}, headers=as_staff())
        ).json()
        assert (invoice["credited_cents"], invoice["open_cents"]) == (2 * 4_999, 2_500)

    async def test_a_paid_invoice_is_refunded_and_the_returns_list_shows_it(
        self, service: Harness, client: httpx.AsyncClient
    ) -> None:
        order_id, invoice_id = await a_shipped_order(service)
        await pay(client, invoice_id, 12_498)
        return_id = await self.authorised(service, order_id, 1)
        line = {"sku": "RETRO-CLOCK", "quantity": 1, "disposition": "restock"}

        await client.post(
            f"/v1/returns/{return_id}/receipt", json={"lines": [line]}, headers=as_ops()
        )

        listed = await client.get(
            "/v1/returns", params={"order_id": str(order_id)}, headers=as_staff()
        )
        [returned] = listed.json()
        [note] = returned["credit_notes"]
        assert (note["applied_cents"], note["refund_cents"]) == (0, 4_999)
        [invoice] = (
            await client.get("/v1/invoices", params={"order_id": str(order_id)}, headers=as_staff())
        ).json()
        assert (invoice["refunded_cents"], invoice["open_cents"], invoice["status"]) == (
            4_999,
            0,
            "paid",
        )

    async def test_an_unknown_return_is_404_and_units_it_did_not_authorise_422(
        self, service: Harness, client: httpx.AsyncClient
    ) -> None:
        order_id, _ = await a_shipped_order(service)
        return_id = await self.authorised(service, order_id, 1)
        too_many = {"lines": [{"sku": "RETRO-CLOCK", "quantity": 2, "disposition": "restock"}]}

        unknown = await client.post(
            f"/v1/returns/{uuid4()}/receipt", json=too_many, headers=as_ops()
        )
        mismatch = await client.post(
            f"/v1/returns/{return_id}/receipt", json=too_many, headers=as_ops()
        )
        by_staff = await client.post(
            f"/v1/returns/{return_id}/receipt", json=too_many, headers=as_staff()
        )

        assert (unknown.status_code, mismatch.status_code, by_staff.status_code) == (404, 422, 403)
        assert [e["field"] for e in mismatch.json()["errors"]] == ["lines.0.quantity"]
        [returned] = (await client.get("/v1/returns", headers=as_staff())).json()
        assert (returned["status"], returned["credit_notes"]) == ("authorised", [])
