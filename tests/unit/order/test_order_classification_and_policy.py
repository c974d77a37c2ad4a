"""ABC classification from the order history, and the versioned service policy."""

from datetime import timedelta
from pathlib import Path

from order_builders import NOW
from order_harness import a_place_command, define, order_service, place, published

from services.order.commands import ChangePolicy, ClassifyCustomersAndItems
from services.order.domain import DEFAULT_POLICY, POLICY_ID, ServicePolicy
from shared.clock import FrozenClock

# Revenue per customer (cents, CLOCK at 1_000): 80% A, the next 15% B, the rest C.
HISTORY = {"whale": 60, "shark": 20, "tuna": 10, "cod": 5, "sprat": 3, "krill": 2}
EXPECTED_CUSTOMERS = {
    "whale": "A",
    "shark": "A",
    "tuna": "B",
    "cod": "B",
    "sprat": "C",
    "krill": "C",
    "newcomer": "C",
}


async def test_classes_from_a_generated_history_match_the_known_answer(tmp_path: Path) -> None:
    clock = FrozenClock(NOW - timedelta(days=400))
    async with order_service(tmp_path, clock) as runtime:
        for customer in [*HISTORY, "newcomer"]:
            await define(runtime, customer=customer, items=[("CLOCK", 1_000), ("LAMP", 500)])
        # A year-old order of the newcomer does not count; neither would a cancelled one.
        await place(runtime, a_place_command("newcomer", [("LAMP", 1)]))
        clock.advance(timedelta(days=390))
        for customer, orders in HISTORY.items():
            for _ in range(orders):
                await place(runtime, a_place_command(customer, [("CLOCK", 1)]))

        classes = await runtime.send(ClassifyCustomersAndItems())
        again = await runtime.send(ClassifyCustomersAndItems())

        assert classes.customers == EXPECTED_CUSTOMERS
        assert classes.items == {"CLOCK": "A", "LAMP": "C"}
        assert again == classes
        recorded = await published(runtime, "CustomerClassified")
        assert {c["customer_id"]: c["customer_class"] for c in recorded} == {
            "whale": "A",
            "shark": "A",
            "tuna": "B",
            "cod": "B",
        }
        assert [i["sku"] for i in await published(runtime, "ItemClassified")] == ["CLOCK"]


async def test_a_classified_customer_gets_the_priority_and_deadline_of_its_segment(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime, tier="vip")
        await place(runtime, a_place_command(lines=[("CLOCK", 1)]))
        await runtime.send(ClassifyCustomersAndItems())

        await place(runtime, a_place_command(lines=[("CLOCK", 1)]))

        placed = await published(runtime, "OrderPlaced")
        assert [(p["segment"], p["priority"]) for p in placed] == [("CC", 2), ("AA", 10)]
        assert placed[1]["deadline"].startswith("2025-03-01T10:30")


async def test_the_policy_starts_at_the_default_and_each_change_is_a_new_version(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        before = (await runtime.current(ServicePolicy, POLICY_ID) or ServicePolicy()).current
        faster = DEFAULT_POLICY.segments.model_copy(
            update={"CC": DEFAULT_POLICY.segments.CC.model_copy(update={"priority_weight": 2})}
        )
        change = ChangePolicy(segments=faster, pattern_check=DEFAULT_POLICY.pattern_check)

        changed = await runtime.send(change)
        await runtime.send(change)

        assert before == DEFAULT_POLICY
        assert (changed.version, changed.segments.CC.priority_weight) == (2, 2)
        assert [p["version"] for p in await published(runtime, "PolicyChanged")] == [2]
