"""Pattern check: an order far outside the customer's own history waits for their confirmation."""

import pytest

from tests.e2e.clients import Api, eventually, policy_changed

pytestmark = pytest.mark.e2e

PRICE = 1_000
HISTORY = 3  # the default policy's min_history_orders


async def _customer_with_history(api: Api, *, stock: int = 50) -> tuple[str, str]:
    """A customer whose three earlier orders were 2 units each (median order value 2,000 cents)."""
    customer = await api.new_customer("habitual")
    sku = await api.new_item("usual", stock=stock, price_cents=PRICE)
    for _ in range(HISTORY):
        order_id = await api.place_order(customer, [(sku, 2)])
        await api.wait_for_release(order_id, within=30)
    return customer, sku


async def test_an_order_far_outside_the_history_is_held_and_goes_on_once_confirmed(
    api: Api,
) -> None:
    customer, sku = await _customer_with_history(api)

    unusual = await api.place_order(customer, [(sku, 20)])

    await api.wait_for_status(unusual, "on_hold", holds=["pattern_check"])
    confirmed = await api.confirm_order(unusual)
    assert confirmed.status_code in (200, 202, 204), confirmed.text
    order = await api.wait_for_order(
        unusual, lambda o: o["status"] in ("released", "shipped") and o["holds"] == []
    )
    assert order["lines"][0]["reserved"] == 20


async def test_a_change_from_2_to_500_units_puts_the_order_on_hold_for_confirmation(
    api: Api,
) -> None:
    # The history takes all the stock: the new order waits for more (a new customer is class C,
    # wait_complete), unreleased, so it can still change.
    customer, sku = await _customer_with_history(api, stock=2 * HISTORY)
    order_id = await api.place_order(customer, [(sku, 2)])
    await api.wait_for_status(order_id, "on_hold", holds=["backorder"])

    response = await api.change_order(order_id, lines=[{"sku": sku, "quantity": 500}])

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "on_hold"
    order = await api.wait_for_order(order_id, lambda o: "pattern_check" in o["holds"])
    assert order["lines"][0]["quantity"] == 500
    [held] = [e for e in order["timeline"] if e["detail"].get("hold") == "pattern_check"]
    assert "over 5x the median" in held["detail"]["reason"], held


async def test_an_order_like_the_history_is_not_held(api: Api) -> None:
    customer, sku = await _customer_with_history(api)

    usual = await api.place_order(customer, [(sku, 3)])

    order = await api.wait_for_order(usual, lambda o: o["status"] != "pending")
    assert "pattern_check" not in order["holds"], order


async def test_a_first_order_above_the_threshold_is_held(api: Api) -> None:
    customer = await api.new_customer("newcomer")
    sku = await api.new_item("pricey", stock=5, price_cents=60_000)

    order_id = await api.place_order(customer, [(sku, 2)])

    await api.wait_for_status(order_id, "on_hold", holds=["pattern_check"])


async def test_an_unconfirmed_order_is_cancelled_after_the_timeout_and_its_stock_released(
    api: Api,
) -> None:
    customer, _ = await _customer_with_history(api)
    other_sku = await api.new_item("unusual", stock=30, price_cents=PRICE)
    # 15 s: long enough to see the hold and the reservation first, even on a busy machine.
    async with policy_changed(api, confirmation_timeout_minutes=0.25):
        unusual = await api.place_order(customer, [(other_sku, 20)])
        await api.wait_for_status(unusual, "on_hold", holds=["pattern_check"])

    async def reserved_while_held() -> None:
        assert (await api.stock(other_sku))["reserved"] == 20

    await eventually(reserved_while_held, timeout=30)
    await api.wait_for_status(unusual, "cancelled", within=100)

    async def released() -> None:
        stock = await api.stock(other_sku)
        assert (stock["reserved"], stock["available"]) == (0, 30), stock

    await eventually(released, timeout=30)
