"""Protection and bumps through the consumer runtime: who is told what, keyed by which order."""

from typing import Any
from uuid import UUID

from inventory_harness import Inventory, an_inbound

from shared.replay import rebuild_read_models

SKU = "RARE-VASE"
REGULAR, STRATEGIC = 1, 9


def answer(order_id: UUID, to: UUID, quantity: int) -> dict[str, Any]:
    return {
        "order_id": str(order_id),
        "sku": SKU,
        "quantity": quantity,
        "to_order_id": str(to),
        "reason": "e2e",
    }


def released(order_id: UUID, quantity: int, *, floor: int) -> dict[str, Any]:
    return {
        "order_id": str(order_id),
        "release_no": 1,
        "lines": [{"sku": SKU, "quantity": quantity, "unit_price_cents": 100}],
        "protection_floor": floor,
    }


async def test_a_bump_is_asked_of_the_order_holding_the_units_and_settled_on_both(
    inventory: Inventory,
) -> None:
    await inventory.receive(SKU, 4)
    regular = await inventory.place({SKU: 2}, priority=REGULAR, protection_floor=2)
    strategic = await inventory.place({SKU: 4}, priority=STRATEGIC)

    [request] = await inventory.published("StockBumpRequested")
    assert (request.correlation_id, request.data["for_order_id"]) == (regular, str(strategic))

    await inventory.deliver(an_inbound("ReservationYielded", answer(regular, strategic, 2)))

    bumped, taken = (await inventory.published("StockBumped", "StockReserved"))[-2:]
    assert (bumped.event_type, bumped.correlation_id) == ("StockBumped", regular)
    assert (bumped.data["quantity"], bumped.data["reserved_total"]) == (2, 0)
    assert (taken.correlation_id, taken.data["taken_from"]) == (strategic, str(regular))
    assert (await inventory.level(SKU))["reserved"] == 4
    assert [(b["order_id"], b["quantity"]) for b in await inventory.backorders(SKU)] == [
        (str(regular), 2)
    ]
    report = await rebuild_read_models(
        inventory.runtime.db, inventory.runtime.definition, check_only=True
    )
    assert report.identical


async def test_a_release_seen_before_the_bump_is_never_asked_for(inventory: Inventory) -> None:
    await inventory.receive(SKU, 4)
    regular = await inventory.place({SKU: 2}, priority=REGULAR, protection_floor=2)
    await inventory.deliver(an_inbound("OrderReleased", released(regular, 2, floor=2)))

    await inventory.place({SKU: 4}, priority=STRATEGIC)

    assert await inventory.published("StockBumpRequested") == []


async def test_a_kept_reservation_is_not_asked_again_and_the_next_order_is(
    inventory: Inventory,
) -> None:
    await inventory.receive(SKU, 6)
    first = await inventory.place({SKU: 2}, priority=REGULAR, protection_floor=2)
    second = await inventory.place({SKU: 2}, priority=REGULAR + 1, protection_floor=2)
    strategic = await inventory.place({SKU: 4}, priority=STRATEGIC)

    await inventory.deliver(an_inbound("ReservationKept", answer(first, strategic, 2)))

    asked = [e.correlation_id for e in await inventory.published("StockBumpRequested")]
    assert asked == [first, second]


async def test_without_a_protection_floor_a_release_touches_no_stock(
    inventory: Inventory,
) -> None:
    await inventory.receive(SKU, 4)
    order_id = await inventory.place({SKU: 2})

    await inventory.deliver(an_inbound("OrderReleased", released(order_id, 2, floor=0)))

    async with inventory.runtime.db.transaction() as conn:
        types = [r["event_type"] for r in await conn.fetch("SELECT event_type FROM stored_event")]
    assert "StockCommitted" not in types and types[-1] == "StockReserved"
