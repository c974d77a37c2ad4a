"""SIGKILL the embedded process mid-flow: after a restart every order ends as without the kill."""

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.clients import Api, eventually
from tests.e2e.stack import Stack, embedded_stack

pytestmark = pytest.mark.e2e

STOCK = {"CRASH-CLOCK": 30, "CRASH-LAMP": 12, "CRASH-PLENTY": 1_000}
Order = list[tuple[str, int]]
# Scarce stock: who gets it depends on the order of placement, so these go one by one.
SCARCE: list[Order] = [
    [("CRASH-CLOCK" if i % 3 else "CRASH-LAMP", 1 + i % 2)]
    + ([("CRASH-LAMP" if i % 3 else "CRASH-CLOCK", 1)] if i % 4 == 0 else [])
    for i in range(40)
]
# Plenty of stock: placed as one concurrent burst right before the kill, so it lands mid-flow.
BURST: list[Order] = [[("CRASH-PLENTY", 1 + i % 3)] for i in range(15)]
CUSTOMERS = [*(f"customer-{i}" for i in range(5)), "customer-burst"]
# No schedule runs within the test: no pick waves, simulator or reclassification, whose timing
# would differ between the two runs. Released orders wait for their wave with a shipment each.
NO_SCHEDULES = {"GAPLESS_SCHEDULE_INTERVAL_SECONDS": "3600"}


async def _place_in_turn(api: Api, orders: list[Order], first: int) -> list[str]:
    return [
        await api.place_order(f"customer-{i % 5}", lines, key=f"order-{first + i}")
        for i, lines in enumerate(orders)
    ]


async def _place_at_once(api: Api, orders: list[Order]) -> list[str]:
    placing = (
        api.place_order("customer-burst", lines, key=f"burst-{i}") for i, lines in enumerate(orders)
    )
    return list(await asyncio.gather(*placing))


async def _final_state(api: Api, order_ids: list[str]) -> dict[str, Any]:
    async def settled() -> list[dict[str, Any]]:
        orders = [await api.order(order_id) for order_id in order_ids]
        assert all(o["status"] != "pending" for o in orders), [o["status"] for o in orders]
        for order in orders:
            expected = 1 if order["status"] == "released" else 0
            assert len(await api.shipments(order["order_id"])) == expected
        return orders

    orders = await eventually(settled, timeout=60)
    return {
        "orders": [
            (o["status"], o["holds"], [line["reserved"] for line in o["lines"]]) for o in orders
        ],
        "stock": {sku: await api.stock(sku) for sku in STOCK},
    }


def _unfinished_hand_offs(data_dir: Path) -> int:
    """Orders still pending, plus released orders the warehouse has no shipment for yet."""
    with closing(sqlite3.connect(data_dir / "order.db")) as orders:
        pending, released = orders.execute(
            "SELECT sum(status = 'pending'), sum(status = 'released') FROM order_summary"
        ).fetchone()
    with closing(sqlite3.connect(data_dir / "fulfillment.db")) as fulfillment:
        (recorded,) = fulfillment.execute("SELECT count(*) FROM shipment").fetchone()
    return int(pending or 0) + int(released or 0) - int(recorded)


async def _run(data_dir: Path, *, kill: bool) -> dict[str, Any]:
    stack = embedded_stack(data_dir, extra_env=NO_SCHEDULES)
    stack.start()
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            api = Api(stack, client)
            for customer in CUSTOMERS:
                await api.define_customer(customer)
            for sku, quantity in STOCK.items():
                await api.define_item(sku)
                await api.receive(sku, quantity)
            order_ids = await _place_in_turn(api, SCARCE[:20], 0)
            order_ids += await _place_at_once(api, BURST)
            if kill:
                stack.processes["embedded"].kill()
                assert _unfinished_hand_offs(data_dir) > 0, "the kill should land mid-flow"
                stack = _restart(stack)
                api = Api(stack, client)
            order_ids += await _place_in_turn(api, SCARCE[20:], 20)
            return await _final_state(api, order_ids)
    finally:
        stack.stop()


def _restart(killed: Stack) -> Stack:
    process = killed.processes["embedded"]
    restarted = embedded_stack(
        Path(killed.env["GAPLESS_DATA_DIR"]), port=process.port, extra_env=NO_SCHEDULES
    )
    restarted.start()
    return restarted


async def test_a_killed_embedded_process_loses_no_hand_off(tmp_path: Path) -> None:
    undisturbed = await _run(tmp_path / "undisturbed", kill=False)

    recovered = await _run(tmp_path / "killed", kill=True)

    assert recovered == undisturbed
    reserved_by_orders = sum(sum(reserved) for _, _, reserved in recovered["orders"])
    assert sum(s["reserved"] for s in recovered["stock"].values()) == reserved_by_orders
