"""Scarce stock goes by priority, not first-come-first-served."""

from typing import Any

import pytest

from tests.e2e.clients import RELEASED_OR_LATER, Api, eventually, policy_changed

pytestmark = pytest.mark.e2e


async def test_a_receipt_goes_to_the_strategic_order_placed_after_the_regular_one(
    api: Api,
) -> None:
    regular = await api.new_customer("regular", tier="regular")  # no revenue yet: class C
    strategic = await api.new_big_customer("strategic", tier="strategic")
    sku = await api.new_item("scarce")

    first = await api.place_order(regular, [(sku, 3)])
    await api.wait_for_status(first, "on_hold", holds=["backorder"])
    second = await api.place_order(strategic, [(sku, 3)])
    await api.wait_for_status(second, "on_hold", holds=["backorder"])
    regular_order, strategic_order = await api.order(first), await api.order(second)
    assert (regular_order["segment"][0], strategic_order["segment"][0]) == ("C", "A")
    assert strategic_order["priority"] > regular_order["priority"], (
        strategic_order,
        regular_order,
    )

    await api.receive(sku, 3)

    served = await api.wait_for_order(second, lambda o: o["lines"][0]["reserved"] == 3)
    assert "backorder" not in served["holds"], served
    waiting = await api.order(first)
    assert (waiting["status"], waiting["holds"]) == ("on_hold", ["backorder"]), waiting
    assert waiting["lines"][0]["reserved"] == 0

    async def all_of_it_to_the_strategic_order() -> None:
        stock = await api.stock(sku)
        assert stock["available"] == 0 and stock["on_hand"] - stock["reserved"] == 0, stock

    await eventually(all_of_it_to_the_strategic_order, timeout=20)


# A protection level on the strategic order's segment (AC: an A customer, an unclassified item)
# keeps the last units of every SKU from orders below its priority weight, the regular one's.
PROTECT_AC = {"AC": {"protection_level": 2}}


def timeline_entries(order: dict[str, Any], event: str) -> list[dict[str, Any]]:
    return [entry for entry in order["timeline"] if entry["event"] == event]


async def test_protected_stock_backorders_the_regular_order_and_serves_the_strategic_one(
    api: Api,
) -> None:
    regular = await api.new_customer("regular", tier="regular")
    strategic = await api.new_big_customer("strategic", tier="strategic")
    sku = await api.new_item("protected", stock=2)

    async with policy_changed(api, segments=PROTECT_AC):
        first = await api.place_order(regular, [(sku, 2)])
        await api.wait_for_status(first, "on_hold", holds=["backorder"])
        second = await api.place_order(strategic, [(sku, 2)])
        released = await api.wait_for_release(second)

    assert released["lines"][0]["reserved"] == 2 and "backorder" not in released["holds"]
    waiting = await api.order(first)
    assert (waiting["status"], waiting["lines"][0]["reserved"]) == ("on_hold", 0), waiting
    assert [b["order_id"] for b in await api.backorders(sku)] == [first]


async def test_a_strategic_order_takes_a_regular_orders_unreleased_reservation(api: Api) -> None:
    regular = await api.new_customer("regular", tier="regular")
    strategic = await api.new_big_customer("strategic", tier="strategic")
    sku = await api.new_item("bumped", stock=4)
    missing = await api.new_item("missing")  # keeps the regular order (wait_complete) unreleased

    async with policy_changed(api, segments=PROTECT_AC):
        first = await api.place_order(regular, [(sku, 2), (missing, 1)])
        await api.wait_for_order(first, lambda o: o["lines"][0]["reserved"] == 2)
        second = await api.place_order(strategic, [(sku, 4)])
        served = await api.wait_for_order(
            second, lambda o: o["lines"][0]["reserved"] == 4 and o["status"] in RELEASED_OR_LATER
        )

    bumped = await api.wait_for_order(first, lambda o: bool(timeline_entries(o, "StockBumped")))
    assert (bumped["status"], bumped["holds"]) == ("on_hold", ["backorder"]), bumped
    assert bumped["lines"][0]["reserved"] == 0
    [yielded] = timeline_entries(bumped, "ReservationYielded")
    assert (yielded["service"], yielded["detail"]["to_order_id"]) == ("order", second)
    assert f"({served['priority']})" in yielded["detail"]["reason"]
    [moved] = timeline_entries(bumped, "StockBumped")
    assert (moved["service"], moved["detail"]["quantity"]) == ("inventory", 2)
    taken = [e for e in timeline_entries(served, "StockReserved") if "taken_from" in e["detail"]]
    assert [(e["detail"]["taken_from"], e["detail"]["quantity"]) for e in taken] == [(first, 2)]
    assert [b["order_id"] for b in await api.backorders(sku)] == [first]
