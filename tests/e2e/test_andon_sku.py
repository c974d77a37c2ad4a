"""Andon on a SKU: stop-sale in inventory, holds in order and fulfillment; resolve resumes all."""

from typing import Any

import pytest

from tests.e2e.clients import Api, eventually

pytestmark = pytest.mark.e2e

PRICE = 1_000


def _holds(*holds: str) -> Any:
    return lambda order: sorted(order["holds"]) == sorted(holds)


async def _stock_is(api: Api, sku: str, **expected: Any) -> dict[str, Any]:
    async def settled() -> dict[str, Any]:
        stock = await api.stock(sku)
        assert {name: stock[name] for name in expected} == expected, stock
        return stock

    return await eventually(settled, timeout=30, interval=0.1)


async def test_a_sku_pull_stops_its_sale_holds_its_orders_and_resolving_completes_them(
    api: Api,
) -> None:
    sku = await api.new_item("pulled", stock=10, price_cents=PRICE)
    # Reserved but unreleased: a red customer's order waits for its credit review.
    reviewed = await api.place_order(await api.new_customer("red", light="red"), [(sku, 1)])
    # Reserved in part, backordered for the rest (a C customer waits for the complete order).
    backordered = await api.place_order(await api.new_customer("green"), [(sku, 12)])
    await api.wait_for_order(reviewed, _holds("credit_review"))
    await api.wait_for_order(backordered, _holds("backorder"))
    await _stock_is(api, sku, reserved=10, backordered=3)

    pull_id = await api.pull("sku", sku, category="quality", reason="e2e: cracked housings")

    await api.wait_for_order(reviewed, _holds("andon", "credit_review"))
    await api.wait_for_order(backordered, _holds("andon", "backorder"))
    # The andon hold alone keeps the order back once its credit review is approved.
    await api.decide_review(reviewed, "approve")
    await api.wait_for_order(
        reviewed, lambda o: o["status"] == "on_hold" and o["holds"] == ["andon"]
    )
    assert await api.shipments(reviewed) == []
    # A new order is refused a reservation: backordered, and held from the start.
    placed_while_pulled = await api.place_order(await api.new_customer("green"), [(sku, 1)])
    await api.wait_for_order(placed_while_pulled, _holds("andon", "backorder"))
    assert (await api.order(placed_while_pulled))["lines"][0]["reserved"] == 0
    # A receipt goes to stock, not to the waiting backorders: every free unit is blocked.
    await api.receive(sku, 5)
    stock = await _stock_is(api, sku, on_hand=15, reserved=10, blocked=5, available=0)
    assert stock["stopped_by"] == [pull_id], stock
    assert stock["backordered"] == 4, stock
    board = await api.andon_pull(pull_id)
    assert board["open"] and board["target_kind"] == "sku" and board["target_id"] == sku
    assert {reviewed, backordered, placed_while_pulled} <= set(map(str, board["affected_orders"]))

    resolved = await api.resolve(pull_id)

    assert resolved["open"] is False and resolved["ticket"]["status"] == "resolved"
    for order_id in (reviewed, backordered, placed_while_pulled):
        order = await api.complete(order_id)
        assert order["holds"] == [], order
    stock = await _stock_is(api, sku, on_hand=1, reserved=0, blocked=0, backordered=0)
    assert stock["stopped_by"] == [], stock


async def test_a_shipment_released_while_its_sku_is_pulled_is_not_picked_until_resolved(
    api: Api,
) -> None:
    """Fulfillment holds *waiting* shipments (not yet at the WMS) of a pulled SKU.

    A wave takes a waiting shipment within a fraction of a second, and the order service holds
    every unreleased order of a pulled SKU, so a shipment can only be seen waiting for a pull
    when its release comes after the pull: an order that already has a release (kept at the
    WMS by pausing the simulator, so it can still be changed) asks for one more unit; its red
    customer's new credit review keeps that unit unreleased until we approve it after the pull.
    """
    customer = await api.new_customer("red", light="red")
    sku = await api.new_item("held-pick", stock=5, price_cents=PRICE)
    await api.tune_simulator(paused=True)
    try:
        order_id = await api.place_order(customer, [(sku, 1)])
        await api.wait_for_order(order_id, _holds("credit_review"))
        await api.decide_review(order_id, "approve")
        await _shipments_are(api, order_id, [("picking", [])])
        changed = await api.change_order(order_id, lines=[{"sku": sku, "quantity": 2}])
        assert changed.status_code in (200, 202), changed.text
        await api.wait_for_order(order_id, _holds("credit_review"))
        await _stock_is(api, sku, reserved=2)

        pull_id = await api.pull("sku", sku, category="quality")
        await _stock_is(api, sku, stopped_by=[pull_id])
        await api.decide_review(order_id, "approve")

        await _shipments_are(api, order_id, [("picking", []), ("waiting", [pull_id])])
        # The order itself had a release already: fulfillment stops it, the order service not.
        assert "andon" not in (await api.order(order_id))["holds"]
    finally:
        await api.tune_simulator(paused=False)
    # The first shipment ships (waves keep running), the held one stays waiting.
    await _shipments_are(api, order_id, [("shipped|delivered", []), ("waiting", [pull_id])])

    await api.resolve(pull_id)

    await _shipments_are(api, order_id, [("shipped|delivered", []), ("shipped|delivered", [])])
    await api.complete(order_id)


async def _shipments_are(
    api: Api, order_id: str, expected: list[tuple[str, list[str]]]
) -> list[dict[str, Any]]:
    """The order's shipments in release order: status (a|b for either) and held_by."""

    async def settled() -> list[dict[str, Any]]:
        shipments = sorted(await api.shipments(order_id), key=lambda s: s["release_no"])
        seen = [(s["status"], [str(p) for p in s["held_by"]]) for s in shipments]
        assert len(seen) == len(expected), seen
        for (status, held_by), (wanted, wanted_held_by) in zip(seen, expected, strict=True):
            assert status in wanted.split("|") and held_by == wanted_held_by, seen
        return shipments

    return await eventually(settled, timeout=30, interval=0.1)
