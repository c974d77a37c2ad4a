"""Fulfillment use cases through the real consumer path, unit of work and SQLite."""

from typing import Any
from uuid import UUID, uuid4

from services.fulfillment import views
from services.fulfillment.commands import ReceiptLine, ReceiveReturn, ReleasePickWave
from services.fulfillment.domain import invoice_id_for, shipment_id_for
from shared.paging import PageQuery, Where
from shared.replay import rebuild_read_models
from shared.topics import TMS_CONFIRMATIONS, WMS_CONFIRMATIONS
from tests.unit.fulfillment.builders import ORDER_EVENTS, released
from tests.unit.fulfillment.harness import Harness


async def release(service: Harness, order_id: UUID, **fields: Any) -> str:
    await service.deliver(
        ORDER_EVENTS, "OrderReleased", released(order_id, **fields), order_id=order_id
    )
    return str(shipment_id_for(order_id, fields.get("release_no", 1)))


async def confirm(
    service: Harness, kind: str, shipment_id: str, order_id: UUID, **units: int
) -> None:
    """A confirmation on its topic; `units` (SKU=quantity) confirms fewer than asked."""
    topic = WMS_CONFIRMATIONS if kind in ("Picked", "Packed") else TMS_CONFIRMATIONS
    data: dict[str, Any] = {"shipment_id": shipment_id, "order_id": str(order_id)}
    if kind == "Shipped":
        data |= {"carrier": "DHL", "tracking_number": "JD0001"}
    if units:
        data["lines"] = [{"sku": sku.replace("_", "-"), "quantity": q} for sku, q in units.items()]
    await service.deliver(topic, kind, data, order_id=order_id)


async def shipments_of(service: Harness, order_id: UUID) -> list[dict[str, Any]]:
    async with service.runtime.db.transaction() as conn:
        found = await views.shipments.shipments(
            conn, Where().equal("order_id", str(order_id)), PageQuery()
        )
    return [row.model_dump(mode="json") for row in found.rows]


async def invoices_of(service: Harness, order_id: UUID) -> list[dict[str, Any]]:
    async with service.runtime.db.transaction() as conn:
        found = await views.invoices.invoices(
            conn, Where().equal("order_id", str(order_id)), PageQuery()
        )
    return [row.model_dump(mode="json") for row in found.rows]


async def test_a_release_becomes_one_waiting_shipment_even_when_it_arrives_twice(
    service: Harness,
) -> None:
    order_id = uuid4()

    shipment_id = await release(service, order_id)
    await release(service, order_id)

    [shipment] = await shipments_of(service, order_id)
    assert (shipment["shipment_id"], shipment["status"]) == (shipment_id, "waiting")
    assert shipment["lines"] == [
        {"sku": "RETRO-CLOCK", "quantity": 2},
        {"sku": "TEAPOT", "quantity": 1},
    ]
    assert await service.outgoing() == []


async def test_a_wave_takes_higher_priority_first_then_the_earlier_deadline(
    service: Harness,
) -> None:
    regular_first, urgent, strategic = uuid4(), uuid4(), uuid4()
    await release(service, regular_first, priority=1, deadline_hours=1)
    await release(service, urgent, priority=5, deadline_hours=2)
    await release(service, strategic, priority=5, deadline_hours=1)

    sent = await service.runtime.send(ReleasePickWave(size=2))

    picks = await service.outgoing()
    assert sent == 2
    assert [(p.topic, p.event_type) for p in picks] == [("wms.pick-requests", "PickRequested")] * 2
    assert [p.data["order_id"] for p in picks] == [str(strategic), str(urgent)]
    # Each request travels in its own order's flow (the Kafka key), not in the wave's.
    assert [p.correlation_id for p in picks] == [str(strategic), str(urgent)]
    assert [s["status"] for s in await shipments_of(service, regular_first)] == ["waiting"]


async def test_a_second_wave_takes_what_the_first_left_and_requests_nothing_twice(
    service: Harness,
) -> None:
    orders = [uuid4() for _ in range(3)]
    for order_id in orders:
        await release(service, order_id)

    await service.runtime.send(ReleasePickWave(size=2))
    await service.runtime.send(ReleasePickWave(size=2))
    third = await service.runtime.send(ReleasePickWave(size=2))

    assert third == 0
    assert sorted(p.data["order_id"] for p in await service.outgoing()) == sorted(map(str, orders))


async def test_confirmations_take_a_shipment_to_the_tms_then_ship_and_invoice_it(
    service: Harness,
) -> None:
    order_id = uuid4()
    shipment_id = await release(service, order_id)
    await service.runtime.send(ReleasePickWave())

    for kind in ("Picked", "Packed", "Shipped", "Delivered"):
        await confirm(service, kind, shipment_id, order_id)

    assert await service.outgoing_types() == [
        ("wms.pick-requests", "PickRequested"),
        ("tms.shipment-requests", "ShipmentRequested"),
        ("fulfillment.events", "ShipmentShipped"),
        ("fulfillment.events", "InvoiceIssued"),
        ("fulfillment.events", "ShipmentDelivered"),
    ]
    [shipment] = await shipments_of(service, order_id)
    assert (shipment["status"], shipment["carrier"], shipment["tracking_number"]) == (
        "delivered",
        "DHL",
        "JD0001",
    )
    assert set(shipment["times"]) == {
        "planned",
        "pick_requested",
        "picked",
        "packed",
        "shipped",
        "delivered",
    }


def _changed(order_id: UUID, city: str) -> dict[str, Any]:
    ship_to = released(order_id)["ship_to"] | {"city": city}
    return {"order_id": str(order_id), "lines": [], "changes": [], "ship_to": ship_to}


async def test_an_order_changed_before_the_pack_sends_its_new_address_with_the_request(
    service: Harness,
) -> None:
    order_id = uuid4()
    shipment_id = await release(service, order_id)
    await service.runtime.send(ReleasePickWave())

    await service.deliver(
        ORDER_EVENTS, "OrderChanged", _changed(order_id, "York"), order_id=order_id
    )
    await confirm(service, "Packed", shipment_id, order_id)

    sent = {m.event_type: m for m in await service.outgoing()}
    assert sent["ShipmentAddressChanged"].data["amended"] is False
    assert sent["ShipmentAddressChanged"].correlation_id == str(order_id)
    assert sent["ShipmentRequested"].data["ship_to"]["city"] == "York"


async def test_an_order_changed_once_the_tms_has_the_request_amends_it_and_after_shipping_not(
    service: Harness,
) -> None:
    order_id = uuid4()
    shipment_id = await release(service, order_id)
    await confirm(service, "Packed", shipment_id, order_id)

    await service.deliver(
        ORDER_EVENTS, "OrderChanged", _changed(order_id, "York"), order_id=order_id
    )
    await confirm(service, "Shipped", shipment_id, order_id)
    await service.deliver(
        ORDER_EVENTS, "OrderChanged", _changed(order_id, "Hull"), order_id=order_id
    )

    sent = [
        m
        for m in await service.outgoing()
        if "Address" in m.event_type or "Amended" in m.event_type
    ]
    assert [(m.topic, m.event_type, m.data["ship_to"]["city"]) for m in sent] == [
        ("fulfillment.events", "ShipmentAddressChanged", "York"),
        ("tms.shipment-requests", "ShipmentRequestAmended", "York"),
        ("fulfillment.events", "ShipmentAddressChangeRefused", "York"),
    ]
    assert sent[-1].data["requested"]["city"] == "Hull"


async def test_the_invoice_bills_exactly_what_shipped(service: Harness) -> None:
    order_id = uuid4()
    shipment_id = await release(service, order_id)

    await confirm(service, "Shipped", shipment_id, order_id)

    [invoice] = await invoices_of(service, order_id)
    assert invoice["invoice_id"] == str(invoice_id_for(UUID(shipment_id)))
    assert invoice["lines"] == [
        {"sku": "RETRO-CLOCK", "quantity": 2, "unit_price_cents": 4_999, "amount_cents": 9_998},
        {"sku": "TEAPOT", "quantity": 1, "unit_price_cents": 2_500, "amount_cents": 2_500},
    ]
    assert (invoice["total_cents"], invoice["paid_cents"], invoice["status"]) == (12_498, 0, "open")


async def test_late_and_repeated_confirmations_ship_and_invoice_once(service: Harness) -> None:
    order_id = uuid4()
    shipment_id = await release(service, order_id)
    await service.runtime.send(ReleasePickWave())

    for kind in ("Shipped", "Picked", "Shipped", "Packed", "Delivered", "Delivered"):
        await confirm(service, kind, shipment_id, order_id)

    assert await service.outgoing_types() == [
        ("wms.pick-requests", "PickRequested"),
        ("fulfillment.events", "ShipmentShipped"),
        ("fulfillment.events", "InvoiceIssued"),
        ("fulfillment.events", "ShipmentDelivered"),
    ]
    assert len(await invoices_of(service, order_id)) == 1


class TestShortPicks:
    async def test_a_short_pick_ships_and_invoices_exactly_what_was_picked(
        self, service: Harness
    ) -> None:
        order_id = uuid4()
        shipment_id = await release(service, order_id)
        await service.runtime.send(ReleasePickWave())

        await confirm(service, "Picked", shipment_id, order_id, RETRO_CLOCK=1)
        for kind in ("Packed", "Shipped"):
            await confirm(service, kind, shipment_id, order_id)

        published = {m.event_type: m for m in await service.outgoing()}
        assert published["ShipmentShortPicked"].data == {
            "shipment_id": shipment_id,
            "order_id": str(order_id),
            "release_no": 1,
            "step": "picked",
            "lines": [{"sku": "RETRO-CLOCK", "quantity": 1}],
        }
        shipped = [{"sku": "RETRO-CLOCK", "quantity": 1}, {"sku": "TEAPOT", "quantity": 1}]
        assert published["ShipmentRequested"].data["lines"] == shipped
        assert published["ShipmentShipped"].data["lines"] == shipped
        [invoice] = await invoices_of(service, order_id)
        assert [(line["sku"], line["quantity"]) for line in invoice["lines"]] == [
            ("RETRO-CLOCK", 1),
            ("TEAPOT", 1),
        ]
        assert invoice["total_cents"] == 4_999 + 2_500
        [shipment] = await shipments_of(service, order_id)
        assert shipment["short"] == [{"sku": "RETRO-CLOCK", "quantity": 1}]

    async def test_a_pick_of_nothing_cancels_the_shipment_and_nothing_is_invoiced(
        self, service: Harness
    ) -> None:
        order_id = uuid4()
        shipment_id = await release(service, order_id)
        await service.runtime.send(ReleasePickWave())

        await confirm(service, "Picked", shipment_id, order_id, RETRO_CLOCK=0, TEAPOT=0)
        await confirm(service, "Shipped", shipment_id, order_id)

        assert await service.outgoing_types() == [
            ("wms.pick-requests", "PickRequested"),
            ("fulfillment.events", "ShipmentShortPicked"),
            ("fulfillment.events", "ShipmentCancelled"),
        ]
        [shipment] = await shipments_of(service, order_id)
        assert shipment["status"] == "cancelled"
        assert await invoices_of(service, order_id) == []

    async def test_a_confirmation_of_more_than_was_asked_is_dead_lettered(
        self, service: Harness
    ) -> None:
        order_id = uuid4()
        shipment_id = await release(service, order_id)

        await confirm(service, "Picked", shipment_id, order_id, TEAPOT=2)

        [dead] = service.dead_letters()
        assert "ConfirmationMismatchError" in (dead.header("dlq-error") or "")
        assert [s["status"] for s in await shipments_of(service, order_id)] == ["waiting"]


async def test_a_confirmation_for_an_unknown_shipment_is_dead_lettered(service: Harness) -> None:
    await confirm(service, "Picked", str(uuid4()), uuid4())

    [dead] = service.dead_letters()
    assert "ShipmentNotFoundError" in (dead.header("dlq-error") or "")


class TestCancel:
    async def test_a_cancelled_order_cancels_its_unshipped_shipments_and_tells_the_wms(
        self, service: Harness
    ) -> None:
        order_id = uuid4()
        picking = await release(service, order_id, release_no=1)
        await service.runtime.send(ReleasePickWave())
        await release(service, order_id, release_no=2)

        await service.deliver(
            ORDER_EVENTS,
            "OrderCancelled",
            {"order_id": str(order_id), "reason": "customer"},
            order_id=order_id,
        )

        assert [s["status"] for s in await shipments_of(service, order_id)] == ["cancelled"] * 2
        cancels = [m for m in await service.outgoing() if "Cancel" in m.event_type]
        assert [(m.topic, m.event_type, m.data["shipment_id"]) for m in cancels[:2]] == [
            ("wms.pick-requests", "PickCancelled", picking),
            ("fulfillment.events", "ShipmentCancelled", picking),
        ]
        assert [m.event_type for m in cancels[2:]] == ["ShipmentCancelled"]

    async def test_a_shipped_shipment_stays_shipped_when_its_order_is_cancelled(
        self, service: Harness
    ) -> None:
        order_id = uuid4()
        shipment_id = await release(service, order_id)
        await confirm(service, "Shipped", shipment_id, order_id)

        await service.deliver(
            ORDER_EVENTS,
            "OrderCancelled",
            {"order_id": str(order_id), "reason": "late"},
            order_id=order_id,
        )

        assert [s["status"] for s in await shipments_of(service, order_id)] == ["shipped"]
        assert "ShipmentCancelled" not in [t for _, t in await service.outgoing_types()]


async def test_the_read_models_rebuild_from_the_event_store_identically(
    service: Harness,
) -> None:
    order_id = uuid4()
    shipment_id = await release(service, order_id)
    await release(service, order_id, release_no=2)
    await service.runtime.send(ReleasePickWave())
    await confirm(service, "Picked", shipment_id, order_id, TEAPOT=0)
    for kind in ("Packed", "Shipped"):
        await confirm(service, kind, shipment_id, order_id)
    return_id = uuid4()
    returned = {
        "order_id": str(order_id),
        "return_no": 1,
        "lines": [{"sku": "RETRO-CLOCK", "quantity": 1}],
        "reason": "cracked",
        "return_id": str(return_id),
    }
    await service.deliver(ORDER_EVENTS, "ReturnRecorded", returned, order_id=order_id)
    line = ReceiptLine(sku="RETRO-CLOCK", quantity=1, disposition="quarantine")
    await service.runtime.send(ReceiveReturn(return_id=return_id, lines=(line,)))

    report = await rebuild_read_models(
        service.runtime.db, service.runtime.definition, check_only=True
    )

    assert report.events > 0 and report.identical
