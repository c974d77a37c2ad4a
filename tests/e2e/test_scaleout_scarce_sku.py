"""Scale-out, two inventory processes in one group: 200 concurrent orders for one scarce SKU."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.clients import Api, eventually
from tests.e2e.conftest import running_stack
from tests.e2e.stack import Stack

pytestmark = pytest.mark.e2e

STOCK = 50
ORDERS = 200
CUSTOMERS = 20
IN_FLIGHT = 20


@pytest.fixture(scope="module")
def two_inventories(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder: Path = tmp_path_factory.mktemp("scarce")
    with running_stack(
        "scaleout",
        folder,
        replicas={"inventory": 2},
        extra_env={"GAPLESS_KAFKA__PARTITIONS": "6", "GAPLESS_SEED_DEMO": "false"},
    ) as running:
        yield running


@pytest.fixture
async def api(two_inventories: Stack) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield Api(two_inventories, client)


async def test_two_inventory_members_never_oversell_a_scarce_sku(api: Api) -> None:
    # Paused, the simulator ships nothing: reserved units stay reserved and can be counted.
    await api.tune_simulator(paused=True)
    sku = await api.new_item("scarce", stock=STOCK)
    customers = [await api.new_customer(f"crowd{i}") for i in range(CUSTOMERS)]
    in_flight = asyncio.Semaphore(IN_FLIGHT)
    samples: list[dict[str, int]] = []

    async def place(n: int) -> str:
        async with in_flight:
            return await api.place_order(customers[n % CUSTOMERS], [(sku, 1)])

    async def watch_stock(stop: asyncio.Event) -> None:
        while not stop.is_set():
            samples.append(await api.stock(sku))
            await asyncio.sleep(0.05)

    stop = asyncio.Event()
    watcher = asyncio.create_task(watch_stock(stop))
    try:
        order_ids = await asyncio.gather(*(place(n) for n in range(ORDERS)))

        async def all_answered() -> list[dict[str, object]]:
            orders = [await api.order(order_id) for order_id in order_ids]
            unanswered = [
                o["order_id"]
                for o in orders
                if o["lines"][0]["reserved"] != 1 and "backorder" not in o["holds"]
            ]
            assert unanswered == [], f"{len(unanswered)} orders neither reserved nor backordered"
            return orders

        orders = await eventually(all_answered, timeout=90, interval=1)
    finally:
        stop.set()
        await watcher

    assert len(set(order_ids)) == ORDERS
    assert samples, "the stock was never sampled while the orders came in"
    assert all(s["reserved"] <= s["on_hand"] for s in samples), "reserved exceeded on hand"
    reserved_by_orders = sum(int(o["lines"][0]["reserved"]) for o in orders)  # type: ignore[index]
    stock = await api.stock(sku)
    assert reserved_by_orders == stock["reserved"] == STOCK, (reserved_by_orders, stock)
    assert stock["on_hand"] == STOCK and stock["available"] == 0
    assert sum(1 for o in orders if "backorder" in o["holds"]) == ORDERS - STOCK
