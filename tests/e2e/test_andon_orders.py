"""Andon on an order or a customer: exactly their orders are held; resolve resumes them."""

import pytest

from tests.e2e.clients import Api, eventually

pytestmark = pytest.mark.e2e


async def test_an_order_pull_and_a_customer_pull_hold_exactly_their_orders_until_resolved(
    api: Api,
) -> None:
    # No stock yet: every order waits on backorder, so the holds can be seen before release.
    sku = await api.new_item("held")
    pulled_customer, other_customer = await api.new_customer(), await api.new_customer()
    first = await api.place_order(pulled_customer, [(sku, 1)])
    second = await api.place_order(pulled_customer, [(sku, 1)])
    pulled_order = await api.place_order(other_customer, [(sku, 1)])
    untouched = await api.place_order(other_customer, [(sku, 1)])
    for order_id in (first, second, pulled_order, untouched):
        await api.wait_for_status(order_id, "on_hold", holds=["backorder"])

    customer_pull = await api.pull("customer", pulled_customer, category="credit")
    order_pull = await api.pull("order", pulled_order, category="transport")

    for order_id in (first, second, pulled_order):
        await api.wait_for_status(order_id, "on_hold", holds=["andon", "backorder"])
    # Stock for all four: only the order no pull concerns goes on, the others stay held.
    await api.receive(sku, 4)
    await api.complete(untouched)
    for order_id in (first, second, pulled_order):
        order = await api.wait_for_status(order_id, "on_hold", holds=["andon"])
        assert order["lines"][0]["reserved"] == 1, order
        assert await api.shipments(order_id) == []
    board = {p["pull_id"]: p for p in await api.andon_board(open_only=True)}
    assert sorted(map(str, board[customer_pull]["affected_orders"])) == sorted([first, second])
    assert [str(o) for o in board[order_pull]["affected_orders"]] == [pulled_order]

    await api.resolve(customer_pull)

    for order_id in (first, second):
        await api.complete(order_id)
    assert (await api.order(pulled_order))["holds"] == ["andon"]
    await api.resolve(order_pull)
    await api.complete(pulled_order)


async def test_pulling_twice_on_one_target_is_one_open_pull_with_two_pullers(api: Api) -> None:
    customer = await api.new_customer("twice")

    first = await api.pull_andon("customer", customer, reason="first look", pulled_by="ann")
    again = await api.pull_andon("customer", customer, reason="second look", pulled_by="bob")

    assert (first.status_code, again.status_code) == (201, 200), (first.text, again.text)
    assert again.json()["pull_id"] == first.json()["pull_id"]
    [pull] = await api.open_pulls_on("customer", customer)
    assert str(pull["pull_id"]) == first.json()["pull_id"]
    assert pull["pull_count"] == 2 and pull["reason"] == "second look", pull
    assert [p["pulled_by"] for p in pull["pullers"]] == ["ann", "bob"], pull
    await api.resolve(str(pull["pull_id"]))
    # Once resolved, the next pull on the target is a new one.
    later = await api.pull_andon("customer", customer)
    assert later.status_code == 201 and later.json()["pull_id"] != first.json()["pull_id"]

    async def one_open() -> None:
        assert len(await api.open_pulls_on("customer", customer)) == 1

    await eventually(one_open, timeout=10)
    await api.resolve(later.json()["pull_id"])
