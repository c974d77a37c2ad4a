"""A channel reads the catalogue: prices and what can be promised, which drops as orders
reserve stock, and tells nothing of any order behind it."""

import json
from typing import Any

import pytest

from tests.e2e.clients import Api, Role, eventually

pytestmark = pytest.mark.e2e


async def _item(api: Api, sku: str, role: Role = "channel") -> dict[str, Any]:
    response = await api.request("GET", f"/v1/items/{sku}", role=role)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _available(api: Api, sku: str, expected: int) -> None:
    async def promised() -> None:
        assert (await _item(api, sku))["available"] == expected

    await eventually(promised, timeout=30)


async def _catalogue(api: Api) -> dict[str, dict[str, Any]]:
    """Every item, page by page, as the channel reads them."""
    items = await api.every_page("/v1/items", role="channel", params={"limit": "50"})
    return {item["sku"]: item for item in items}


async def test_a_channel_sees_what_it_can_promise_drop_as_orders_reserve_and_nothing_else(
    api: Api,
) -> None:
    # Red customers: every order waits for a credit review, so what it reserved stays reserved.
    mine, theirs = (
        await api.new_customer("atp", light="red"),
        await api.new_customer("rival", light="red"),
    )
    sku = await api.new_item("atp", stock=10, price_cents=2_500)
    await _available(api, sku, 10)
    rival_order = api.order_body(theirs, [(sku, 3)])
    placed = await api.request("POST", "/v1/orders", role="other_channel", json=rival_order)
    assert placed.status_code == 202, placed.text
    await _available(api, sku, 7)

    await api.place_order(mine, [(sku, 2)])

    await _available(api, sku, 5)
    item, listed = await _item(api, sku), await _catalogue(api)
    assert item == {
        "sku": sku, "name": sku.title(), "unit_price_cents": 2_500, "available": 5,
        "on_hand": None, "reserved": None, "reorder_point": None, "item_class": None,
    }  # fmt: skip
    assert listed[sku] == item
    # The other channel's order is a quantity here, nothing more: no id, customer or reference.
    said = json.dumps([item, listed])
    secrets = (placed.json()["order_id"], theirs, rival_order["external_id"], "other-shop")
    assert [secret for secret in secrets if secret in said] == []
    staff = await _item(api, sku, role="staff")
    assert (staff["on_hand"], staff["reserved"], staff["available"]) == (10, 5, 5)


async def test_an_unknown_sku_is_not_found(api: Api) -> None:
    response = await api.request("GET", "/v1/items/NO-SUCH-SKU-ANYWHERE", role="channel")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
