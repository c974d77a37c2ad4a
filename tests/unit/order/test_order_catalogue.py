"""The catalogue (GET /v1/items): prices from master data, available to promise from the stock
levels inventory's events tell, newest first whatever order they arrive in; pages; roles."""

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from order_harness import (
    a_place_command,
    auth,
    define,
    deliver,
    deliver_batch,
    http_client,
    order_service,
    place,
)

from services.inventory import events as inventory_events
from services.order import inbound
from services.order.commands import DefineItem
from services.order.handlers import define_item
from services.order.service import ROUTES
from shared.replay import rebuild_read_models
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings

ITEMS = (("CLOCK", 1_000), ("LAMP", 500))


def stock(sku: str, on_hand: int, reserved: int, available: int) -> dict[str, Any]:
    level = {"on_hand": on_hand, "reserved": reserved, "available": available}
    return {"sku": sku, "quantity": 1, "on_hand": on_hand, "level": level}


async def receive(runtime: ServiceRuntime, version: int, *level: int, sku: str = "CLOCK") -> None:
    """A StockReceived of the SKU's stream at `version`, telling `level` (on hand, reserved,
    available)."""
    data = stock(sku, *level)
    await deliver(runtime, "StockReceived", data, aggregate_id=sku, aggregate_version=version)


@asynccontextmanager
async def catalogue(folder: Path) -> AsyncIterator[tuple[ServiceRuntime, httpx.AsyncClient]]:
    async with order_service(folder) as runtime:
        await define(runtime, items=ITEMS)
        async with http_client(runtime) as client:
            yield runtime, client


async def get(client: httpx.AsyncClient, path: str, who: str = "shop") -> Any:
    response = await client.get(path, headers=auth(who))
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_channel_sees_prices_and_available_to_promise_and_staff_also_the_stock(
    tmp_path: Path,
) -> None:
    async with catalogue(tmp_path) as (runtime, client):
        await receive(runtime, 3, 10, 4, 6)

        by_channel = await get(client, "/v1/items/CLOCK")
        by_staff = await get(client, "/v1/items/CLOCK", "staff")
        listed = await get(client, "/v1/items", "ops")

        assert by_channel == {
            "sku": "CLOCK", "name": "Clock", "unit_price_cents": 1_000, "available": 6,
            "on_hand": None, "reserved": None, "reorder_point": None, "item_class": None,
        }  # fmt: skip
        assert by_staff == {
            **by_channel, "on_hand": 10, "reserved": 4, "reorder_point": 3, "item_class": "C"
        }  # fmt: skip
        # LAMP: defined, but the inventory told nothing of it yet.
        assert [(i["sku"], i["available"], i["on_hand"]) for i in listed] == [
            ("CLOCK", 6, 10),
            ("LAMP", 0, 0),
        ]


async def test_an_unknown_sku_is_a_404_problem_for_every_caller(tmp_path: Path) -> None:
    async with catalogue(tmp_path) as (runtime, client):
        await receive(runtime, 1, 5, 0, 5, sku="NEVER-DEFINED")

        answers = [
            await client.get("/v1/items/NEVER-DEFINED", headers=auth(who))
            for who in ("shop", "staff")
        ]
        anonymous = await client.get("/v1/items/CLOCK")

        assert [a.status_code for a in answers] == [404, 404]
        assert {a.headers["content-type"] for a in answers} == {"application/problem+json"}
        assert anonymous.status_code == 401


async def test_the_newest_level_counts_whatever_order_levels_arrive_in(tmp_path: Path) -> None:
    async with catalogue(tmp_path) as (runtime, client):
        await receive(runtime, 5, 20, 5, 15)
        await receive(runtime, 4, 20, 2, 18)  # older, late: another partition's event
        after_a_late_one = await get(client, "/v1/items/CLOCK", "staff")
        # One batch: a newer and then an older one of the same SKU.
        await deliver_batch(
            runtime,
            [
                ("StockReceived", stock("CLOCK", 30, 5, 25), {"aggregate_version": 8}),
                ("StockReceived", stock("CLOCK", 29, 5, 24), {"aggregate_version": 7}),
            ],
        )
        after_a_batch = await get(client, "/v1/items/CLOCK", "staff")

        levels = [
            (f["on_hand"], f["reserved"], f["available"]) for f in (after_a_late_one, after_a_batch)
        ]
        assert levels == [(20, 5, 15), (30, 5, 25)]


async def test_stock_events_tell_the_catalogue_and_one_without_a_level_changes_nothing(
    tmp_path: Path,
) -> None:
    async with catalogue(tmp_path) as (runtime, client):
        order_id = await place(runtime, a_place_command(lines=[("CLOCK", 2)]))
        reserved = {"order_id": str(order_id), "sku": "CLOCK", "quantity": 2, "reserved_total": 2}
        await deliver(
            runtime,
            "StockReserved",
            {**reserved, "level": {"on_hand": 10, "reserved": 2, "available": 8}},
            aggregate_version=2,
        )
        after_reservation = (await get(client, "/v1/items/CLOCK"))["available"]
        pull = {"sku": "CLOCK", "pull_id": str(uuid4()), "blocked": 8}
        await deliver(
            runtime,
            "StockSaleStopped",
            {**pull, "level": {"on_hand": 10, "reserved": 2, "available": 0}},
            aggregate_version=3,
        )
        stopped = (await get(client, "/v1/items/CLOCK"))["available"]
        # Published before inventory told levels: it moves nothing here.
        await deliver(
            runtime, "StockShipped", {"order_id": str(order_id), "sku": "CLOCK", "quantity": 2}
        )

        assert (after_reservation, stopped) == (8, 0)
        assert (await get(client, "/v1/items/CLOCK"))["available"] == 0


def test_every_inventory_event_that_tells_a_level_is_heard_by_the_catalogue() -> None:
    telling = {
        event.event_type() for event in inventory_events.PUBLISHED if "level" in event.model_fields
    }
    heard = {
        name for name, route in ROUTES.items() if issubclass(route.model, inbound.StockChanged)
    }

    assert telling == heard


async def test_units_short_picked_or_returned_move_what_the_catalogue_promises(
    tmp_path: Path,
) -> None:
    async with catalogue(tmp_path) as (runtime, client):
        await receive(runtime, 3, 10, 4, 6)
        short = {
            "order_id": str(uuid4()),
            "sku": "CLOCK",
            "quantity": 2,
            "shipment_id": str(uuid4()),
            "step": "picked",
            "backordered": False,
            "on_hand": 8,
            "level": {"on_hand": 8, "reserved": 2, "available": 6},
        }
        await deliver(runtime, "StockShortPicked", short, aggregate_id="CLOCK", aggregate_version=4)
        after_short_pick = await get(client, "/v1/items/CLOCK", "staff")
        returned = {
            "sku": "CLOCK",
            "quantity": 3,
            "disposition": "restock",
            "order_id": str(uuid4()),
            "return_id": str(uuid4()),
            "on_hand": 11,
            "quarantined": 0,
            "level": {"on_hand": 11, "reserved": 2, "available": 9},
        }
        await deliver(runtime, "StockReturned", returned, aggregate_id="CLOCK", aggregate_version=5)
        after_return = await get(client, "/v1/items/CLOCK", "staff")

        assert [(f["on_hand"], f["available"]) for f in (after_short_pick, after_return)] == [
            (8, 6),
            (11, 9),
        ]


async def test_pages_walk_every_item_once_in_sku_order(tmp_path: Path) -> None:
    skus = [f"SKU-{n:02}" for n in range(7)]
    async with catalogue(tmp_path) as (runtime, client):
        for sku in reversed(skus):
            await define_item(
                DefineItem(sku=sku, name=sku, unit_price_cents=100), runtime.unit_of_work()
            )
        pages, url = [], "/v1/items?limit=3"
        while True:
            found = await client.get(url, headers=auth("shop"))
            assert found.status_code == 200, found.text
            pages.append([item["sku"] for item in found.json()])
            if (url := found.links.get("next", {}).get("url")) is None:
                break
            # An item added between two pages, before the cursor, shifts nothing after it.
            await define_item(
                DefineItem(sku=f"AAA-{len(pages)}", name="late", unit_price_cents=1),
                runtime.unit_of_work(),
            )

        # A full page links the next, so the last full one is followed by an empty one.
        assert pages == [["CLOCK", "LAMP", "SKU-00"], skus[1:4], skus[4:7], []]


def _cursor_of(key: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "query",
    [
        "cursor=not-a-cursor",
        f"cursor={_cursor_of([7])}",
        f"cursor={_cursor_of(['CLOCK', 'LAMP'])}",
        f"cursor={_cursor_of({'after': 'CLOCK'})}",
        "limit=0",
        "limit=501",
        "limit=ten",
    ],
)
async def test_a_bad_cursor_or_limit_is_refused_naming_the_field(
    tmp_path: Path, query: str
) -> None:
    async with catalogue(tmp_path) as (_, client):
        response = await client.get(f"/v1/items?{query}", headers=auth("shop"))

        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == [f"query.{query.split('=')[0]}"]


async def test_a_rebuild_of_the_read_models_keeps_the_stock_inventory_told(
    tmp_path: Path,
) -> None:
    async with catalogue(tmp_path) as (runtime, client):
        await receive(runtime, 2, 9, 1, 8)

        report = await rebuild_read_models(runtime.db, runtime.definition)

        assert report.identical
        assert (await get(client, "/v1/items/CLOCK"))["available"] == 8


@pytest.mark.integration
async def test_concurrent_levels_of_two_skus_end_at_the_newest_on_postgres(
    postgres_dsn: str, tmp_path: Path
) -> None:
    # Members and lanes write the same hot rows at once, in any order: no deadlock, newest wins.
    settings = ServiceSettings(database_url=postgres_dsn, namespace=f"c{uuid4().hex[:8]}")
    versions = list(range(1, 41))
    try:
        async with order_service(tmp_path, settings=settings) as runtime:
            await define(runtime, items=ITEMS)
            await asyncio.gather(*(deliver_batch(runtime, _levels(v)) for v in versions[::-1]))
            async with http_client(runtime) as client:
                listed = await get(client, "/v1/items", "staff")

            assert [(i["sku"], i["available"]) for i in listed] == [
                ("CLOCK", 40),
                ("LAMP", 40),
            ]
    finally:
        async with (
            order_service(tmp_path, settings=settings) as runtime,
            runtime.db.transaction() as conn,
        ):
            await conn.execute(f'DROP SCHEMA "{settings.schema_for("order")}" CASCADE')


def _levels(version: int) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Both SKUs at `version`, in an order that alternates with the version."""
    skus = ("CLOCK", "LAMP") if version % 2 else ("LAMP", "CLOCK")
    envelope = {"aggregate_version": version}
    return [("StockReceived", stock(sku, version, 0, version), envelope) for sku in skus]
