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
    customer = await api.new_customer("customer-1")

    order_id = await api.place_order(customer, [(sku, 2)])

    async def released_and_shipping() -> None:
        order = await api.order(order_id)
        assert order["status"] in ("released", "shipped"), order
        assert len(await api.shipments(order_id)) == 1

    await eventually(released_and_shipping, timeout=30)
    order = await api.order(order_id)
    assert order["total_cents"] == 9_998
    handoffs = [(entry["service"], entry["event"]) for entry in order["timeline"]]
    assert ("order", "OrderPlaced") in handoffs
    assert "credit" in [service for service, _ in handoffs]
    assert "inventory" in [service for service, _ in handoffs]
    assert ("order", "OrderReleased") in handoffs
    # Reserved, or already shipped by the simulator: either way two units are spoken for.
    assert (await api.stock(sku))["available"] == 8


async def test_an_order_without_stock_is_held_for_backorder(api: Api) -> None:
    sku = _sku("RARE-VASE")
    await api.define_item(sku)
    customer = await api.new_customer("customer-2")

    order_id = await api.place_order(customer, [(sku, 1)])

    async def held() -> None:
        order = await api.order(order_id)
        assert (order["status"], order["holds"]) == ("on_hold", ["backorder"]), order

    await eventually(held, timeout=30)
    assert await api.shipments(order_id) == []


async def test_retrying_with_the_same_idempotency_key_creates_one_order(api: Api) -> None:
    sku = _sku("LAVA-LAMP")
    await api.define_item(sku)
    customer = await api.new_customer("customer-3")
    key = str(uuid4())
    body = api.order_body(customer, [(sku, 1)])

    first = (await api.post_order(body, key=key)).json()["order_id"]
    again = (await api.post_order(body, key=key)).json()["order_id"]
    other_body = await api.post_order({**body, "lines": [{"sku": sku, "quantity": 2}]}, key=key)

    assert again == first
    assert other_body.status_code == 422
    assert other_body.headers["content-type"] == "application/problem+json"


async def test_an_order_for_an_unknown_sku_is_refused_naming_the_line(api: Api) -> None:
    customer = await api.new_customer("customer-4")

    response = await api.post_order(
        api.order_body(customer, [("NO-SUCH-SKU", 1)]), key=str(uuid4())
    )

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "lines.0.sku"
    assert "NO-SUCH-SKU" in error["message"]


async def test_poison_on_a_topic_is_dead_lettered_and_pulls_an_andon(api: Api) -> None:
    marker = uuid4().hex

    await inject(api.stack, "order.events", key=marker, value=b"{not json " + marker.encode())

    async def andons_for_each_consumer() -> None:
        # Of every pull (other tests' too), the dead letters of this poison.
        pulls = [
            p for p in await api.andon_pulls() if marker in p["details"].get("payload_excerpt", "")
        ]
        # Andon reads order.events too: its own dead letter pulls an andon like the others.
        expected = ["andon", "credit", "fulfillment", "inventory"]
        assert sorted(p["target_id"] for p in pulls) == expected
        assert all("malformed envelope" in p["reason"] for p in pulls)

    await eventually(andons_for_each_consumer, timeout=30)


async def test_an_order_naming_one_sku_on_two_lines_is_refused(api: Api) -> None:
    customer = await api.new_customer("customer-5")
    sku = await api.new_item("desk-fan")
    body = api.order_body(customer, [(sku, 1), (sku, 2)])

    response = await api.post_order(body, key=str(uuid4()))

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
    order_id = await api.place_order(await api.new_customer("customer-6"), [(sku, 1)])

    as_staff = await api.request("GET", f"/v1/orders/{order_id}", role="staff")
    as_other_channel = await api.request("GET", f"/v1/orders/{order_id}", role="other_channel")
    listed_for_other = await api.request("GET", "/v1/orders", role="other_channel")

    assert as_staff.status_code == 200
    assert as_other_channel.status_code == 404
    assert order_id not in [o["order_id"] for o in listed_for_other.json()]
