"""ABC classes come from the order history; the segment's policy then sets priority and deadline."""

from datetime import datetime, timedelta

import pytest

from tests.e2e.clients import Api, eventually

pytestmark = pytest.mark.e2e

PRICE = 1_000
# Revenue (units at 10.00) of ten customers, 100 units in all, and the known answer: A while the
# customers ranked above have less than 80% of revenue, B while they have less than 95%.
HISTORY = {
    "c01": (50, "A"),  # 0 above
    "c02": (20, "A"),  # 50 above
    "c03": (8, "A"),  # 70 above
    "c04": (8, "A"),  # 78 above
    "c05": (6, "B"),  # 86 above
    "c06": (4, "B"),  # 92 above
    "c07": (1, "C"),  # 96 above
    "c08": (1, "C"),
    "c09": (1, "C"),
    "c10": (1, "C"),
}


async def _generated_history(api: Api) -> tuple[dict[str, str], dict[str, str]]:
    """Each customer buys its own SKU once, so items rank exactly as customers do."""
    customers, skus = {}, {}
    for name, (units, _) in HISTORY.items():
        customers[name] = await api.new_customer(name, tier="vip" if name == "c05" else "regular")
        skus[name] = await api.new_item(f"item-{name}", price_cents=PRICE)
        await api.place_order(customers[name], [(skus[name], units)])
    return customers, skus


async def _placed_minutes_to_deadline(order: dict[str, object]) -> float:
    timeline = order["timeline"]
    assert isinstance(timeline, list)
    placed = datetime.fromisoformat(timeline[0]["at"])
    deadline = datetime.fromisoformat(str(order["deadline"]))
    return (deadline - placed) / timedelta(minutes=1)


async def test_classes_from_a_generated_history_match_the_known_answer_then_set_the_segment(
    fresh_api: Api,
) -> None:
    api = fresh_api
    customers, skus = await _generated_history(api)

    async def classified() -> dict[str, str]:
        await api.run_classification()
        found = {
            name: (await api.customer(customer_id))["customer_class"]
            for name, customer_id in customers.items()
        }
        assert found == {name: expected for name, (_, expected) in HISTORY.items()}
        return found

    await eventually(classified, timeout=60, interval=0.5)

    a_with_a_item = await api.place_order(customers["c01"], [(skus["c01"], 1)])
    vip_b_with_a_item = await api.place_order(customers["c05"], [(skus["c01"], 1)])
    c_with_c_item = await api.place_order(customers["c10"], [(skus["c10"], 1)])

    # Default policy: weight = customer (A 3, B 2, C 1) + item (A 2, B 1, C 0), times the tier
    # factor (vip 2); response target 60 / 240 / 1440 minutes by customer class.
    expected = {
        a_with_a_item: ("AA", 5, 60),
        vip_b_with_a_item: ("BA", 8, 240),
        c_with_c_item: ("CC", 1, 1440),
    }
    for order_id, (segment, priority, minutes) in expected.items():
        order = await api.order(order_id)
        assert (order["segment"], order["priority"]) == (segment, priority), order
        assert abs(await _placed_minutes_to_deadline(order) - minutes) < 1, order


async def test_a_customer_without_orders_is_class_c(fresh_api: Api) -> None:
    customer = await fresh_api.new_customer("idle")

    await fresh_api.run_classification()

    assert (await fresh_api.customer(customer))["customer_class"] == "C"
