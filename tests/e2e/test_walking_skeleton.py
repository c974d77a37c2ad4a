"""The walking skeleton, end to end over HTTP, against embedded and against scale-out."""

from uuid import uuid4

import pytest

from tests.e2e.clients import Api, eventually
from tests.e2e.stack import inject

pytestmark = pytest.mark.e2e


def _sku(name: str) -> str:
    return f"{name}-{uuid4().hex[:6]}".upper()


async def test_an_order_with_stock_is_released_and_reaches_fulfillment(api: Api) -> None:
    sku = _sku("RETRO-CLOCK")
    await api.define_item(sku, price_cents=4_999)
    await api.receive(sku, 10)

    order_id = await api.place_order("customer-1", [(sku, 2)])

    async def released_and_requested() -> None:
        order = await api.order(order_id)
        assert order["status"] == "released", order
        assert [s["status"] for s in await api.shipments(order_id)] == ["awaiting_pick"]

    await eventually(released_and_requested, timeout=30)
    order = await api.order(order_id)
    assert order["total_cents"] == 9_998
    handoffs = [(entry["service"], entry["event"]) for entry in order["timeline"]]
    assert handoffs[0] == ("order", "OrderPlaced")
    assert ("credit", "CreditApprovalRecorded") in handoffs
    assert ("inventory", "StockReservationRecorded") in handoffs
    assert handoffs[-1] == ("order", "OrderReleased")
    assert (await api.stock(sku))["reserved"] == 2


async def test_an_order_without_stock_is_held_for_backorder(api: Api) -> None:
    sku = _sku("RARE-VASE")
    await api.define_item(sku)

    order_id = await api.place_order("customer-2", [(sku, 1)])

    async def held() -> None:
        order = await api.order(order_id)
        assert (order["status"], order["holds"]) == ("on_hold", ["backorder"]), order

    await eventually(held, timeout=30)
    assert await api.shipments(order_id) == []


async def test_retrying_with_the_same_idempotency_key_creates_one_order(api: Api) -> None:
    sku = _sku("LAVA-LAMP")
    await api.define_item(sku)
    key = str(uuid4())

    first = await api.place_order("customer-3", [(sku, 1)], key=key)
    again = await api.place_order("customer-3", [(sku, 1)], key=key)
    other_body = await api.request(
        "POST",
        "/v1/orders",
        role="channel",
        json={"customer_id": "customer-3", "lines": [{"sku": sku, "quantity": 2}]},
        headers={"Idempotency-Key": key},
    )

    assert again == first
    assert other_body.status_code == 422
    assert other_body.headers["content-type"] == "application/problem+json"


async def test_an_order_for_an_unknown_sku_is_refused_naming_the_line(api: Api) -> None:
    response = await api.request(
        "POST",
        "/v1/orders",
        role="channel",
        json={"customer_id": "customer-4", "lines": [{"sku": "NO-SUCH-SKU", "quantity": 1}]},
        headers={"Idempotency-Key": str(uuid4())},
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "lines.0.sku", "message": "unknown SKU 'NO-SUCH-SKU'"}
    ]


async def test_poison_on_a_topic_is_dead_lettered_and_pulls_an_andon(api: Api) -> None:
    marker = uuid4().hex

    await inject(api.stack, "order.events", key=marker, value=b"{not json " + marker.encode())

    async def andons_for_each_consumer() -> None:
        pulls = [p for p in await api.andon_pulls() if marker in p["details"]["payload_excerpt"]]
        assert sorted(p["target_id"] for p in pulls) == ["credit", "fulfillment", "inventory"]
        assert all("malformed envelope" in p["reason"] for p in pulls)

    await eventually(andons_for_each_consumer, timeout=30)


async def test_an_order_naming_one_sku_on_two_lines_is_refused(api: Api) -> None:
    response = await api.request(
        "POST",
        "/v1/orders",
        role="channel",
        json={
            "customer_id": "customer-5",
            "lines": [{"sku": "DESK-FAN", "quantity": 1}, {"sku": "DESK-FAN", "quantity": 2}],
        },
        headers={"Idempotency-Key": str(uuid4())},
    )

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "lines"
    assert "lines 0 and 1" in error["message"]


async def test_requests_without_a_valid_key_or_role_are_refused(api: Api) -> None:
    no_key = await api.client.get(api.stack.url_for("/v1/orders"))
    wrong_key = await api.client.get(
        api.stack.url_for("/v1/orders"), headers={"Authorization": "Bearer not-a-key"}
    )
    channel_as_ops = await api.request(
        "PUT", "/v1/items/ANY-SKU", role="channel", json={"name": "x", "unit_price_cents": 1}
    )

    assert (no_key.status_code, wrong_key.status_code) == (401, 401)
    assert no_key.headers["content-type"] == "application/problem+json"
    assert channel_as_ops.status_code == 403


async def test_a_channel_sees_only_its_own_orders(api: Api) -> None:
    sku = _sku("TEAPOT")
    await api.define_item(sku)
    order_id = await api.place_order("customer-6", [(sku, 1)])

    as_staff = await api.request("GET", f"/v1/orders/{order_id}", role="staff")
    as_other_channel = await api.request("GET", f"/v1/orders/{order_id}", role="other_channel")
    listed_for_other = await api.request("GET", "/v1/orders", role="other_channel")

    assert as_staff.status_code == 200
    assert as_other_channel.status_code == 404
    assert order_id not in [o["order_id"] for o in listed_for_other.json()]
