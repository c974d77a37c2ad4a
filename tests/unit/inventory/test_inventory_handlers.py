"""Inventory use cases through the consumer runtime on SQLite: events out, read models, rebuild."""

from uuid import UUID, uuid4

from inventory_harness import Inventory, an_inbound

from shared.envelope import Envelope
from shared.replay import rebuild_read_models


def order_changed(
    order_id: UUID, lines: dict[str, int], changes: dict[str, int]
) -> dict[str, object]:
    return {
        "order_id": str(order_id),
        "lines": [{"sku": sku, "quantity": q} for sku, q in lines.items()],
        "changes": [{"sku": sku, "quantity_delta": d} for sku, d in changes.items()],
        "total_cents": 0,
    }


async def test_a_placed_order_reserves_each_line_and_backorders_the_shortfall(
    inventory: Inventory,
) -> None:
    await inventory.receive("TEAPOT", 3)
    await inventory.receive("LAVA-LAMP", 10)

    order_id = await inventory.place({"TEAPOT": 5, "LAVA-LAMP": 2})

    events = await inventory.published("StockReserved", "StockBackordered")
    assert [(e.event_type, e.data["sku"], e.data["quantity"]) for e in events] == [
        ("StockReserved", "LAVA-LAMP", 2),
        ("StockReserved", "TEAPOT", 3),
        ("StockBackordered", "TEAPOT", 2),
    ]
    assert {e.correlation_id for e in events} == {order_id}
    assert await inventory.level("TEAPOT") == {
        "sku": "TEAPOT", "on_hand": 3, "reserved": 3, "available": 0,
        "blocked": 0, "backordered": 2, "reorder_point": 0, "quarantined": 0, "stopped_by": [],
    }  # fmt: skip


async def test_a_receipt_serves_the_strategic_order_placed_second_keyed_by_that_order(
    inventory: Inventory,
) -> None:
    regular = await inventory.place({"RARE-VASE": 1}, priority=1)
    strategic = await inventory.place({"RARE-VASE": 1}, priority=15)

    await inventory.receive("RARE-VASE", 1)

    [reserved] = await inventory.published("StockReserved")
    assert (UUID(reserved.data["order_id"]), reserved.correlation_id) == (strategic, strategic)
    assert [b["order_id"] for b in await inventory.backorders("RARE-VASE")] == [str(regular)]


async def test_cancelling_releases_the_order_and_hands_its_stock_to_the_next_in_line(
    inventory: Inventory,
) -> None:
    await inventory.receive("DESK-FAN", 4)
    cancelled = await inventory.place({"DESK-FAN": 4})
    waiting = await inventory.place({"DESK-FAN": 3})

    await inventory.deliver(an_inbound("OrderCancelled", {"order_id": str(cancelled)}))

    released = await inventory.published("StockReleased")
    assert [(e.data["quantity"], e.data["reason"]) for e in released] == [(4, "cancelled")]
    [*_, handed_on] = await inventory.published("StockReserved")
    assert (handed_on.correlation_id, handed_on.data["reserved_total"]) == (waiting, 3)
    level = await inventory.level("DESK-FAN")
    assert (level["reserved"], level["available"], level["backordered"]) == (3, 1, 0)


async def test_a_rejected_order_releases_with_the_reason_rejected(inventory: Inventory) -> None:
    await inventory.receive("TEAPOT", 2)
    order_id = await inventory.place({"TEAPOT": 2})

    await inventory.deliver(an_inbound("OrderRejected", {"order_id": str(order_id)}))

    [released] = await inventory.published("StockReleased")
    assert released.data["reason"] == "rejected"
    assert (await inventory.level("TEAPOT"))["available"] == 2


async def test_a_change_re_reserves_only_the_difference_per_changed_line(
    inventory: Inventory,
) -> None:
    await inventory.receive("TEAPOT", 10)
    await inventory.receive("LAVA-LAMP", 10)
    order_id = await inventory.place({"TEAPOT": 2, "LAVA-LAMP": 6})

    await inventory.deliver(
        an_inbound(
            "OrderChanged",
            order_changed(order_id, {"TEAPOT": 5, "LAVA-LAMP": 1}, {"TEAPOT": 3, "LAVA-LAMP": -5}),
        )
    )

    reserved = await inventory.published("StockReserved")
    assert (reserved[-1].data["quantity"], reserved[-1].data["reserved_total"]) == (3, 5)
    [released] = await inventory.published("StockReleased")
    assert released.data == {
        "order_id": str(order_id), "sku": "LAVA-LAMP", "quantity": 5,
        "reason": "changed", "reserved_total": 1, "backordered_total": 0,
        "level": {"on_hand": 10, "reserved": 1, "available": 9},
    }  # fmt: skip


async def test_a_change_adding_a_new_sku_waits_with_the_orders_priority(
    inventory: Inventory,
) -> None:
    await inventory.receive("TEAPOT", 1)
    order_id = await inventory.place({"TEAPOT": 1}, priority=6)

    await inventory.deliver(
        an_inbound(
            "OrderChanged", order_changed(order_id, {"TEAPOT": 1, "FONDUE": 2}, {"FONDUE": 2})
        )
    )

    [backordered] = await inventory.published("StockBackordered")
    assert (backordered.data["sku"], backordered.data["priority"]) == ("FONDUE", 6)


async def test_a_shipment_lowers_on_hand_and_reserved_once_even_when_delivered_again(
    inventory: Inventory,
) -> None:
    await inventory.receive("LAVA-LAMP", 10)
    order_id = await inventory.place({"LAVA-LAMP": 4})
    shipped = an_inbound(
        "ShipmentShipped",
        {
            "shipment_id": str(uuid4()),
            "order_id": str(order_id),
            "release_no": 1,
            "lines": [{"sku": "LAVA-LAMP", "quantity": 4}],
        },
        source="fulfillment",
    )

    await inventory.deliver(shipped)
    await inventory.deliver(an_inbound(shipped.event_type, shipped.data, source="fulfillment"))

    assert len(await inventory.published("StockShipped")) == 1
    level = await inventory.level("LAVA-LAMP")
    assert (level["on_hand"], level["reserved"], level["available"]) == (6, 0, 6)


def shipped(order_id: UUID, shipment_id: UUID, sku: str, quantity: int) -> dict[str, object]:
    return {
        "shipment_id": str(shipment_id),
        "order_id": str(order_id),
        "release_no": 1,
        "lines": [{"sku": sku, "quantity": quantity}],
    }


def short_picked(
    order_id: UUID, shipment_id: UUID, sku: str, quantity: int, outcome: str
) -> dict[str, object]:
    return {
        "order_id": str(order_id),
        "shipment_id": str(shipment_id),
        "release_no": 1,
        "step": "picked",
        "lines": [{"sku": sku, "quantity": quantity, "unit_price_cents": 100}],
        "outcome": outcome,
        "cancelled_cents": 0,
        "total_cents": 500,
    }


class TestShortPicks:
    async def test_units_not_found_are_written_off_and_a_backorder_waits_for_them_again(
        self, inventory: Inventory
    ) -> None:
        await inventory.receive("TEAPOT", 5)
        order_id, shipment_id = await inventory.place({"TEAPOT": 5}), uuid4()
        short = short_picked(order_id, shipment_id, "TEAPOT", 2, "backordered")

        await inventory.deliver(an_inbound("OrderShortPicked", short))
        await inventory.deliver(an_inbound("OrderShortPicked", short))
        await inventory.deliver(
            an_inbound(
                "ShipmentShipped", shipped(order_id, shipment_id, "TEAPOT", 3), source="fulfillment"
            )
        )
        level = await inventory.level("TEAPOT")
        await inventory.receive("TEAPOT", 2)

        [written_off] = await inventory.published("StockShortPicked")
        assert written_off.data == {
            "order_id": str(order_id),
            "sku": "TEAPOT",
            "quantity": 2,
            "shipment_id": str(shipment_id),
            "step": "picked",
            "backordered": True,
            "on_hand": 3,
            "level": {"on_hand": 3, "reserved": 3, "available": 0},
        }
        [backordered] = await inventory.published("StockBackordered")
        assert backordered.data["quantity"] == 2
        assert (level["on_hand"], level["reserved"], level["backordered"]) == (0, 0, 2)
        [*_, reserved] = await inventory.published("StockReserved")
        assert (reserved.data["quantity"], reserved.data["reserved_total"]) == (2, 5)

    async def test_cancelled_units_are_written_off_and_the_line_settles_once_shipped(
        self, inventory: Inventory
    ) -> None:
        await inventory.receive("TEAPOT", 8)
        order_id, shipment_id = await inventory.place({"TEAPOT": 5}), uuid4()

        await inventory.deliver(
            an_inbound(
                "ShipmentShipped", shipped(order_id, shipment_id, "TEAPOT", 3), source="fulfillment"
            )
        )
        await inventory.deliver(
            an_inbound(
                "OrderShortPicked", short_picked(order_id, shipment_id, "TEAPOT", 2, "cancelled")
            )
        )

        level = await inventory.level("TEAPOT")
        assert (level["on_hand"], level["reserved"], level["available"]) == (3, 0, 3)
        assert await inventory.published("StockBackordered") == []
        assert len(await inventory.published("StockReserved")) == 1


class TestReturns:
    @staticmethod
    def received(order_id: UUID, return_id: UUID, *lines: tuple[str, int, str]) -> Envelope:
        data = {
            "return_id": str(return_id),
            "order_id": str(order_id),
            "return_no": 1,
            "lines": [{"sku": s, "quantity": q, "disposition": d} for s, q, d in lines],
        }
        return an_inbound("ReturnReceived", data, source="fulfillment")

    async def test_restocked_units_serve_a_backorder_and_quarantined_ones_are_kept_apart(
        self, inventory: Inventory
    ) -> None:
        # A shipped order whose line is long settled, and an order waiting for the SKU.
        await inventory.receive("TEAPOT", 2)
        shipped_order, shipment_id = await inventory.place({"TEAPOT": 2}), uuid4()
        await inventory.deliver(
            an_inbound(
                "ShipmentShipped",
                shipped(shipped_order, shipment_id, "TEAPOT", 2),
                source="fulfillment",
            )
        )
        waiting = await inventory.place({"TEAPOT": 1})
        receipt = self.received(
            shipped_order, uuid4(), ("TEAPOT", 1, "restock"), ("TEAPOT", 1, "quarantine")
        )

        await inventory.deliver(receipt)
        await inventory.deliver(an_inbound("ReturnReceived", receipt.data, source="fulfillment"))

        returned = await inventory.published("StockReturned")
        assert [
            (e.data["disposition"], e.data["on_hand"], e.data["quarantined"]) for e in returned
        ] == [
            ("restock", 1, 0),
            ("quarantine", 1, 1),
        ]
        # The restocked unit is available until the waiting order is served from it.
        assert [e.data["level"] for e in returned] == [
            {"on_hand": 1, "reserved": 0, "available": 1},
            {"on_hand": 1, "reserved": 0, "available": 1},
        ]
        [*_, served] = await inventory.published("StockReserved")
        assert served.correlation_id == waiting
        level = await inventory.level("TEAPOT")
        assert (level["on_hand"], level["reserved"], level["quarantined"]) == (1, 1, 1)
        assert (level["available"], level["backordered"]) == (0, 0)


async def test_an_item_definition_sets_the_reorder_point_that_later_demand_is_checked_against(
    inventory: Inventory,
) -> None:
    await inventory.deliver(
        an_inbound("ItemDefined", {"sku": "TEAPOT", "name": "Teapot", "reorder_point": 5})
    )
    await inventory.receive("TEAPOT", 10)

    await inventory.place({"TEAPOT": 6})

    [suggested] = await inventory.published("ReorderSuggested")
    assert suggested.data == {"sku": "TEAPOT", "available": 4, "reorder_point": 5}
    assert (await inventory.level("TEAPOT"))["reorder_point"] == 5


async def test_the_stock_read_models_rebuild_identically_from_the_event_store(
    inventory: Inventory,
) -> None:
    await inventory.receive("TEAPOT", 3)
    first = await inventory.place({"TEAPOT": 5, "DESK-FAN": 1}, priority=3)
    await inventory.place({"TEAPOT": 2}, priority=9)
    await inventory.deliver(
        an_inbound("OrderChanged", order_changed(first, {"TEAPOT": 4}, {"TEAPOT": -1}))
    )
    await inventory.receive("TEAPOT", 2)
    await inventory.deliver(an_inbound("OrderCancelled", {"order_id": str(first)}))
    second, shipment_id = await inventory.place({"TEAPOT": 2}), uuid4()
    await inventory.deliver(
        an_inbound(
            "OrderShortPicked", short_picked(second, shipment_id, "TEAPOT", 1, "backordered")
        )
    )

    report = await rebuild_read_models(
        inventory.runtime.db, inventory.runtime.definition, check_only=True
    )

    assert report.identical and report.events > 10
