"""Inventory HTTP API: ops record receipts, staff read stock; bad input is refused whole."""

from uuid import uuid4

import httpx
from inventory_harness import Inventory, an_inbound


def auth(key: str) -> dict[str, str]:
    """A fresh Idempotency-Key with each request, as a careful integrator sends."""
    return {"Authorization": f"Bearer {key}", "Idempotency-Key": str(uuid4())}


async def test_a_receipt_answers_with_the_new_stock_level(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/v1/inventory/TEAPOT/receipts", json={"quantity": 7}, headers=auth("ops-key")
    )

    assert response.status_code == 202
    assert response.json() == {
        "sku": "TEAPOT", "on_hand": 7, "reserved": 0, "available": 7,
        "blocked": 0, "backordered": 0, "reorder_point": 0, "quarantined": 0, "stopped_by": [],
    }  # fmt: skip


async def test_a_receipt_with_a_bad_quantity_is_422_and_stores_nothing(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post(
        "/v1/inventory/TEAPOT/receipts", json={"quantity": 0}, headers=auth("ops-key")
    )

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "quantity" in response.text
    listing = await http.get("/v1/inventory", headers=auth("staff-key"))
    assert listing.json() == []


async def test_only_ops_may_record_receipts_and_channels_may_not_read_stock(
    http: httpx.AsyncClient,
) -> None:
    staff = await http.post(
        "/v1/inventory/TEAPOT/receipts", json={"quantity": 1}, headers=auth("staff-key")
    )
    channel = await http.get("/v1/inventory/TEAPOT", headers=auth("channel-key"))
    anonymous = await http.get("/v1/inventory")

    assert (staff.status_code, channel.status_code, anonymous.status_code) == (403, 403, 401)


async def test_staff_list_every_sku_and_its_backorders_in_serving_order(
    http: httpx.AsyncClient, inventory: Inventory
) -> None:
    await inventory.receive("DESK-FAN", 5)
    regular = await inventory.place({"TEAPOT": 2}, priority=1)
    strategic = await inventory.place({"TEAPOT": 1}, priority=15)

    listing = await http.get("/v1/inventory", headers=auth("staff-key"))
    waiting = await http.get("/v1/inventory/TEAPOT/backorders", headers=auth("staff-key"))

    assert [(s["sku"], s["available"], s["backordered"]) for s in listing.json()] == [
        ("DESK-FAN", 5, 0),
        ("TEAPOT", 0, 3),
    ]
    assert [(b["order_id"], b["quantity"]) for b in waiting.json()] == [
        (str(strategic), 1),
        (str(regular), 2),
    ]


async def test_staff_see_a_stopped_skus_free_stock_as_blocked_and_the_pulls_stopping_it(
    http: httpx.AsyncClient, inventory: Inventory
) -> None:
    await inventory.receive("TEAPOT", 5)
    pull_id = uuid4()
    data = {"pull_id": str(pull_id), "target_kind": "sku", "target_id": "TEAPOT"}
    await inventory.deliver(an_inbound("AndonPulled", data, source="andon"))

    response = await http.get("/v1/inventory/TEAPOT", headers=auth("staff-key"))

    assert response.json() == {
        "sku": "TEAPOT", "on_hand": 5, "reserved": 0, "available": 0, "blocked": 5,
        "backordered": 0, "reorder_point": 0, "quarantined": 0, "stopped_by": [str(pull_id)],
    }  # fmt: skip
