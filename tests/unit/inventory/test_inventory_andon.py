"""Andon reactions through the consumer runtime on SQLite: stop-sale, resume, redelivery."""

from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from inventory_harness import Inventory, an_inbound, running_inventory

from shared.envelope import Envelope
from shared.replay import rebuild_read_models


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.integration)])
async def inventory(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Inventory]:
    """Every test on both runtimes' databases (PostgreSQL only where its server runs)."""
    dsn = request.getfixturevalue("postgres_dsn") if request.param == "postgres" else ""
    async with running_inventory(tmp_path, postgres_dsn=dsn) as inventory:
        yield inventory


def andon(event_type: str, pull_id: UUID, kind: str, target_id: str) -> Envelope:
    data = {"pull_id": str(pull_id), "target_kind": kind, "target_id": target_id}
    if event_type == "AndonPulled":
        data |= {"reason": "cracked lids", "category": "quality", "automatic": False}
    else:
        data |= {"root_cause": "bad batch", "fix": "supplier swapped", "seconds_to_resolve": 60}
    return an_inbound(event_type, data, source="andon")


async def pull(inventory: Inventory, sku: str, *, kind: str = "sku") -> UUID:
    pull_id = uuid4()
    await inventory.deliver(andon("AndonPulled", pull_id, kind, sku))
    return pull_id


async def resolve(inventory: Inventory, pull_id: UUID, sku: str, *, kind: str = "sku") -> None:
    await inventory.deliver(andon("AndonResolved", pull_id, kind, sku))


async def test_a_sku_pull_stops_the_sale_shows_the_stock_blocked_and_backorders_new_orders(
    inventory: Inventory,
) -> None:
    await inventory.receive("TEAPOT", 10)
    await inventory.place({"TEAPOT": 4})

    pull_id = await pull(inventory, "TEAPOT")
    later = await inventory.place({"TEAPOT": 2})

    [stopped] = await inventory.published("StockSaleStopped")
    assert stopped.data == {
        "sku": "TEAPOT", "pull_id": str(pull_id), "blocked": 6,
        "level": {"on_hand": 10, "reserved": 4, "available": 0},
    }  # fmt: skip
    [backordered] = await inventory.published("StockBackordered")
    assert (backordered.correlation_id, backordered.data["quantity"]) == (later, 2)
    assert len(await inventory.published("StockReserved")) == 1
    assert await inventory.level("TEAPOT") == {
        "sku": "TEAPOT", "on_hand": 10, "reserved": 4, "available": 0, "blocked": 6,
        "backordered": 2, "reorder_point": 0, "quarantined": 0, "stopped_by": [str(pull_id)],
    }  # fmt: skip


async def test_receipts_and_released_stock_during_a_stop_sale_are_blocked_too(
    inventory: Inventory,
) -> None:
    await inventory.receive("DESK-FAN", 3)
    cancelled = await inventory.place({"DESK-FAN": 3})
    await pull(inventory, "DESK-FAN")

    await inventory.receive("DESK-FAN", 2)
    await inventory.deliver(an_inbound("OrderCancelled", {"order_id": str(cancelled)}))

    level = await inventory.level("DESK-FAN")
    assert (level["on_hand"], level["reserved"]) == (5, 0)
    assert (level["blocked"], level["available"]) == (5, 0)


async def test_resolving_the_pull_resumes_the_sale_and_serves_waiting_orders_by_priority(
    inventory: Inventory,
) -> None:
    pull_id = await pull(inventory, "RARE-VASE")
    regular = await inventory.place({"RARE-VASE": 2}, priority=1)
    strategic = await inventory.place({"RARE-VASE": 2}, priority=15)
    await inventory.receive("RARE-VASE", 3)
    assert await inventory.published("StockReserved") == []

    await resolve(inventory, pull_id, "RARE-VASE")

    [resumed] = await inventory.published("StockSaleResumed")
    assert resumed.data == {
        "sku": "RARE-VASE", "pull_id": str(pull_id),
        "level": {"on_hand": 3, "reserved": 0, "available": 3},
    }  # fmt: skip
    reserved = await inventory.published("StockReserved")
    # Each reservation travels in its own order's flow, strategic first.
    served = [(e.correlation_id, e.data["quantity"]) for e in reserved]
    assert served == [(strategic, 2), (regular, 1)]
    level = await inventory.level("RARE-VASE")
    assert (level["blocked"], level["available"], level["stopped_by"]) == (0, 0, [])


@pytest.mark.parametrize("kind", ["order", "customer", "step"])
async def test_pulls_on_other_targets_leave_the_stock_alone(
    inventory: Inventory, kind: str
) -> None:
    await inventory.receive("TEAPOT", 5)

    pull_id = await pull(inventory, "TEAPOT", kind=kind)
    await inventory.place({"TEAPOT": 2})
    await resolve(inventory, pull_id, "TEAPOT", kind=kind)

    assert await inventory.published("StockSaleStopped", "StockSaleResumed") == []
    level = await inventory.level("TEAPOT")
    assert (level["reserved"], level["blocked"], level["available"]) == (2, 0, 3)


async def test_two_pulls_on_one_sku_keep_it_stopped_until_both_are_resolved(
    inventory: Inventory,
) -> None:
    await inventory.receive("LAVA-LAMP", 4)
    first = await pull(inventory, "LAVA-LAMP")
    second = await pull(inventory, "LAVA-LAMP")
    waiting = await inventory.place({"LAVA-LAMP": 1})

    await resolve(inventory, first, "LAVA-LAMP")

    level = await inventory.level("LAVA-LAMP")
    assert (level["available"], level["stopped_by"]) == (0, [str(second)])
    assert await inventory.published("StockSaleResumed", "StockReserved") == []

    await resolve(inventory, second, "LAVA-LAMP")

    [resumed, reserved] = await inventory.published("StockSaleResumed", "StockReserved")
    assert (resumed.data["pull_id"], reserved.correlation_id) == (str(second), waiting)
    assert (await inventory.level("LAVA-LAMP"))["available"] == 3


async def test_a_pull_and_its_resolution_sent_again_under_new_ids_take_effect_once(
    inventory: Inventory,
) -> None:
    # The harness already delivers every message twice; these are re-sent with new event ids.
    await inventory.receive("TEAPOT", 2)
    pull_id = await pull(inventory, "TEAPOT")
    await inventory.deliver(andon("AndonPulled", pull_id, "sku", "TEAPOT"))
    await inventory.place({"TEAPOT": 1})

    await resolve(inventory, pull_id, "TEAPOT")
    await resolve(inventory, pull_id, "TEAPOT")
    await inventory.deliver(andon("AndonPulled", pull_id, "sku", "TEAPOT"))

    assert len(await inventory.published("StockSaleStopped")) == 1
    assert len(await inventory.published("StockSaleResumed")) == 1
    level = await inventory.level("TEAPOT")
    assert (level["reserved"], level["available"], level["stopped_by"]) == (1, 1, [])


async def test_a_sku_stopped_before_any_stock_of_it_blocks_its_first_receipt(
    inventory: Inventory,
) -> None:
    await pull(inventory, "FONDUE")

    await inventory.receive("FONDUE", 7)

    level = await inventory.level("FONDUE")
    assert (level["on_hand"], level["blocked"], level["available"]) == (7, 7, 0)


async def test_the_stop_sale_read_models_rebuild_identically(inventory: Inventory) -> None:
    await inventory.receive("TEAPOT", 3)
    first = await pull(inventory, "TEAPOT")
    await pull(inventory, "TEAPOT")
    await inventory.place({"TEAPOT": 5})
    await inventory.receive("TEAPOT", 2)
    await resolve(inventory, first, "TEAPOT")

    report = await rebuild_read_models(
        inventory.runtime.db, inventory.runtime.definition, check_only=True
    )

    assert report.identical
    assert (await inventory.level("TEAPOT"))["blocked"] == 5
