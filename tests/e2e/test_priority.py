"""Scarce stock goes by priority, not first-come-first-served."""

import pytest

from tests.e2e.clients import Api, eventually

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
