"""Credit by traffic light: green passes, yellow is checked by threshold and limit, red reviewed."""

import pytest

from tests.e2e.clients import Api, eventually

pytestmark = pytest.mark.e2e

PRICE = 1_000  # cents per unit of every SKU here


async def _under_review(api: Api, order_id: str) -> None:
    await api.wait_for_status(order_id, "on_hold", holds=["credit_review"])

    async def listed() -> None:
        assert order_id in [str(r["order_id"]) for r in await api.open_reviews()]

    await eventually(listed, timeout=20)


async def test_a_yellow_order_below_the_threshold_and_within_the_limit_is_not_reviewed(
    api: Api,
) -> None:
    customer = await api.new_customer(
        "yellow", light="yellow", threshold_cents=10_000, limit_cents=100_000
    )
    sku = await api.new_item(stock=20, price_cents=PRICE)

    order_id = await api.place_order(customer, [(sku, 5)])

    order = await api.wait_for_release(order_id)
    assert "credit_review" not in order["holds"]
    assert order_id not in [str(r["order_id"]) for r in await api.open_reviews()]
    await api.wait_for_exposure(customer, 5 * PRICE)


async def test_a_yellow_order_above_the_threshold_is_held_for_credit_review(api: Api) -> None:
    customer = await api.new_customer(
        "yellow", light="yellow", threshold_cents=10_000, limit_cents=1_000_000
    )
    sku = await api.new_item(stock=20, price_cents=PRICE)

    order_id = await api.place_order(customer, [(sku, 11)])

    await _under_review(api, order_id)


async def test_a_yellow_order_over_the_credit_limit_is_held_for_credit_review(api: Api) -> None:
    customer = await api.new_customer(
        "yellow", light="yellow", threshold_cents=1_000_000, limit_cents=15_000
    )
    sku = await api.new_item(stock=40, price_cents=PRICE)
    first = await api.place_order(customer, [(sku, 10)])
    await api.wait_for_release(first)

    second = await api.place_order(customer, [(sku, 6)])

    await _under_review(api, second)
    await api.wait_for_exposure(customer, 10 * PRICE)


async def test_every_order_of_a_red_customer_is_reviewed_and_approval_releases_it(
    api: Api,
) -> None:
    customer = await api.new_customer("red", light="red")
    sku = await api.new_item(stock=5, price_cents=PRICE)
    order_id = await api.place_order(customer, [(sku, 1)])
    await _under_review(api, order_id)

    await api.decide_review(order_id, "approve")

    order = await api.wait_for_release(order_id)
    assert "credit_review" not in order["holds"]
    assert order_id not in [str(r["order_id"]) for r in await api.open_reviews()]
    await api.wait_for_exposure(customer, PRICE)


async def test_a_rejected_review_rejects_the_order_and_releases_its_stock_and_exposure(
    api: Api,
) -> None:
    customer = await api.new_customer(
        "yellow", light="yellow", threshold_cents=5_000, limit_cents=1_000_000
    )
    sku = await api.new_item(stock=10, price_cents=PRICE)
    approved = await api.place_order(customer, [(sku, 2)])
    await api.wait_for_release(approved)
    reviewed = await api.place_order(customer, [(sku, 6)])
    await _under_review(api, reviewed)
    await api.wait_for_order(reviewed, lambda o: o["lines"][0]["reserved"] == 6)

    await api.decide_review(reviewed, "reject", note="no payment history")

    await api.wait_for_status(reviewed, "rejected")

    async def reservation_released() -> None:
        # The approved order's 2 units stay taken whether or not the simulator shipped them yet.
        stock = await api.stock(sku)
        assert stock["available"] == 8 and stock["reserved"] <= 2, stock

    await eventually(reservation_released, timeout=30)
    await api.wait_for_exposure(customer, 2 * PRICE)
