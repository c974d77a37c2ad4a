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

STOCK = {"CRASH-CLOCK": 30, "CRASH-LAMP": 12}
ORDERS = [
    ("CRASH-CLOCK" if i % 3 else "CRASH-LAMP", 1 + i % 2, "CRASH-LAMP" if i % 4 == 0 else None)
    for i in range(40)
]


def _lines(order: tuple[str, int, str | None]) -> list[tuple[str, int]]:
    first, quantity, second = order
    return [(first, quantity)] + ([(second, 1)] if second else [])


async def _place(api: Api, indexes: range) -> list[str]:
    # A burst of concurrent orders, so consumers are still busy when the process is killed.
    return list(
        await asyncio.gather(
            *(
                api.place_order(f"customer-{i % 5}", _lines(ORDERS[i]), key=f"order-{i}")
                for i in indexes
            )
        )
    )


async def _final_state(api: Api, order_ids: list[str]) -> dict[str, Any]:
    async def settled() -> list[dict[str, Any]]:
        orders = [await api.order(order_id) for order_id in order_ids]
        assert all(o["status"] != "pending" for o in orders), [o["status"] for o in orders]
        released = [o for o in orders if o["status"] == "released"]
        for order in released:
            assert len(await api.shipments(order["order_id"])) == 1
        return orders

    orders = await eventually(settled, within=60)
    return {
        "statuses": [(o["status"], o["holds"]) for o in orders],
        "stock": {sku: await api.stock(sku) for sku in STOCK},
    }


async def _run(data_dir: Path, *, kill_after: int | None) -> dict[str, Any]:
    stack = embedded_stack(data_dir)
    stack.start()
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            api = Api(stack, client)
            for sku, quantity in STOCK.items():
                await api.define_item(sku)
                await api.receive(sku, quantity)
            split = kill_after or len(ORDERS)
            order_ids = await _place(api, range(split))
            if kill_after is not None:
                stack.processes["embedded"].kill()
                assert _unfinished_orders(data_dir) > 0, "the kill should land mid-flow"
                stack = _restart(stack)
                api = Api(stack, client)
            order_ids += await _place(api, range(split, len(ORDERS)))
            return await _final_state(api, order_ids)
    finally:
        stack.stop()


def _unfinished_orders(data_dir: Path) -> int:
    with closing(sqlite3.connect(data_dir / "order.db")) as db:
        return int(
            db.execute("SELECT count(*) FROM order_summary WHERE status = 'pending'").fetchone()[0]
        )


def _restart(killed: Stack) -> Stack:
    process = killed.processes["embedded"]
    restarted = embedded_stack(Path(killed.env["GAPLESS_DATA_DIR"]), port=process.port)
    restarted.start()
    return restarted


async def test_a_killed_embedded_process_loses_no_hand_off(tmp_path: Path) -> None:
    undisturbed = await _run(tmp_path / "undisturbed", kill_after=None)

    recovered = await _run(tmp_path / "killed", kill_after=20)

    assert recovered == undisturbed
    released = [
        o for o, (s, _) in zip(ORDERS, undisturbed["statuses"], strict=True) if s == "released"
    ]
    released_units = sum(quantity for order in released for _, quantity in _lines(order))
    assert sum(s["reserved"] for s in undisturbed["stock"].values()) == released_units
