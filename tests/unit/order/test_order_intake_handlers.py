"""Intake on a real database: idempotency, validation, OrderPlaced, the pattern check."""

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from order_builders import NOW
from order_harness import a_place_command, define, details, order_service, place, published

from services.order import handlers
from services.order.commands import ConfirmOrder, ExpireConfirmations
from shared.clock import FrozenClock
from shared.commands import run_command
from shared.errors import InvalidRequestError
from shared.testing.database import count_rows


async def test_an_accepted_order_publishes_order_placed_with_its_terms(tmp_path: Path) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime, tier="strategic")

        order_id = await place(runtime, a_place_command(lines=[("CLOCK", 2), ("LAMP", 1)]))

        [placed] = await published(runtime, "OrderPlaced")
        assert placed["order_id"] == str(order_id)
        assert (placed["total_cents"], placed["segment"], placed["priority"]) == (2_500, "CC", 3)
        assert placed["backorder_rule"] == "wait_complete"
        assert placed["deadline"].startswith("2025-03-02T09:30")
        assert placed["ship_to"]["city"] == "Springfield"
        order = await details(runtime, order_id)
        assert order["status"] == "pending"
        assert [e["event"] for e in order["timeline"]] == ["OrderReceived", "OrderPlaced"]


async def test_the_same_key_and_body_give_the_same_order_and_another_body_is_refused(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        command = a_place_command(key="k-1")

        first = await place(runtime, command)
        again = await place(runtime, command.model_copy(update={"order_id": command.order_id}))
        with pytest.raises(InvalidRequestError):
            await place(runtime, a_place_command(lines=[("CLOCK", 3)], key="k-1"))

        assert again == first
        assert await count_rows(runtime.db, "order_summary") == 1


async def test_two_concurrent_requests_with_one_key_make_one_order(tmp_path: Path) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        command = a_place_command(key="k-2")
        rival = command.model_copy(update={"order_id": a_place_command().order_id})

        # Each in a transaction of its own (not one group commit): the unique key decides.
        [first], [second] = await asyncio.gather(
            *(
                run_command(handlers.place_orders, [c], runtime.unit_of_work())
                for c in (command, rival)
            )
        )

        assert first == second
        assert await count_rows(runtime.db, "order_summary") == 1


async def test_unknown_customer_and_sku_are_refused_naming_each_field_and_nothing_is_stored(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        events_before = await count_rows(runtime.db, "stored_event")

        with pytest.raises(InvalidRequestError) as refused:
            await place(runtime, a_place_command("nobody", [("CLOCK", 1), ("NOPE", 1)]))

        assert [e["field"] for e in refused.value.errors] == ["customer_id", "lines.1.sku"]
        assert await count_rows(runtime.db, "stored_event") == events_before
        assert await count_rows(runtime.db, "idempotency_record") == 0


async def test_an_order_far_above_the_customers_history_is_held_until_confirmed(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        for _ in range(3):
            await place(runtime, a_place_command(lines=[("CLOCK", 2)]))

        unusual = await place(runtime, a_place_command(lines=[("CLOCK", 11)]))
        held = await details(runtime, unusual)
        status = await runtime.send(ConfirmOrder(order_id=unusual, channel="shop"))

        assert (held["status"], held["holds"]) == ("on_hold", ["pattern_check"])
        assert status == "pending"


async def test_an_unconfirmed_order_is_cancelled_by_the_timeout_job(tmp_path: Path) -> None:
    clock = FrozenClock(NOW)
    async with order_service(tmp_path, clock) as runtime:
        await define(runtime, items=[("VASE", 200_000)])
        order_id = await place(runtime, a_place_command(lines=[("VASE", 1)]))

        await runtime.send(ExpireConfirmations())
        assert (await details(runtime, order_id))["status"] == "on_hold"
        clock.advance(timedelta(minutes=61))
        await runtime.send(ExpireConfirmations())

        assert (await details(runtime, order_id))["status"] == "cancelled"
        assert await published(runtime, "OrderCancelled") == [
            {"order_id": str(order_id), "reason": "not confirmed in time"}
        ]


async def test_orders_arriving_together_commit_once_each_with_its_own_outcome_and_flow(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        first = a_place_command(key="b-1")
        retried = first.model_copy(update={"order_id": a_place_command().order_id})
        reused = a_place_command(lines=[("CLOCK", 5)], key="b-1")
        unknown = a_place_command(lines=[("NOPE", 1)], key="b-2")
        last = a_place_command(key="b-3")

        outcomes = await handlers.place_orders(
            [first, retried, reused, unknown, last], runtime.unit_of_work()
        )

        assert outcomes[0] == outcomes[1] == handlers.Accepted(first.order_id, "pending")
        assert isinstance(outcomes[2], handlers.IdempotencyKeyReusedError)
        assert isinstance(outcomes[3], InvalidRequestError)
        assert outcomes[4] == handlers.Accepted(last.order_id, "pending")
        placed = await published(runtime, "OrderPlaced")
        assert [p["order_id"] for p in placed] == [str(first.order_id), str(last.order_id)]
        async with runtime.db.transaction() as conn:
            rows = await conn.fetch(
                "SELECT payload FROM outbox_message WHERE event_type = 'OrderPlaced' ORDER BY id"
            )
        flows = [json.loads(row["payload"])["correlationid"] for row in rows]
        assert flows == [str(first.order_id), str(last.order_id)]
        assert await count_rows(runtime.db, "idempotency_record") == 2


async def test_a_retry_under_a_new_key_answers_the_order_its_external_id_placed(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        first = a_place_command(key="lost-key")
        retry = first.model_copy(update={"order_id": uuid4(), "idempotency_key": "new-key"})
        reused = a_place_command(lines=[("LAMP", 9)], key="third-key").model_copy(
            update={"external_id": first.external_id}
        )

        placed = await place(runtime, first)
        [again] = await handlers.place_orders([retry], runtime.unit_of_work())
        [twin] = await handlers.place_orders([reused], runtime.unit_of_work())
        [by_new_key] = await handlers.place_orders([retry], runtime.unit_of_work())

        assert again == by_new_key == handlers.Accepted(placed, "pending")
        assert isinstance(twin, handlers.ExternalIdReusedError)
        assert await count_rows(runtime.db, "order_summary") == 1


async def test_the_answer_to_intake_tells_an_order_held_from_the_start(tmp_path: Path) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime, items=[("VASE", 200_000)])

        [unusual] = await handlers.place_orders(
            [a_place_command(lines=[("VASE", 1)])], runtime.unit_of_work()
        )

        assert isinstance(unusual, handlers.Accepted) and unusual.status == "on_hold"
