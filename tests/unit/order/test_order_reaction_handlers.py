"""Reactions on a real database: the whole life of an order, rejection, changes, rebuild."""

from datetime import timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from order_builders import SHIP_TO
from order_harness import (
    a_place_command,
    define,
    deliver,
    deliver_batch,
    details,
    order_service,
    place,
    published,
)

from services.order.commands import (
    CancelOrder,
    ChangeOrder,
    ChangePolicy,
    ClassifyCustomersAndItems,
    ConfirmOrder,
    RequestedLine,
)
from services.order.domain import DEFAULT_POLICY
from services.order.service import DEFINITION
from services.order.views import queries
from shared.envelope import parse_time
from shared.errors import NotFoundError
from shared.replay import rebuild_read_models
from shared.runtime import ServiceRuntime


async def _approve_and_reserve(
    runtime: ServiceRuntime, order_id: UUID, total: int, sku: str, quantity: int
) -> None:
    await deliver(
        runtime,
        "CreditApproved",
        {
            "order_id": str(order_id),
            "customer_id": "acme",
            "amount_cents": total,
            "exposure_cents": total,
        },
    )
    await deliver(
        runtime,
        "StockReserved",
        {"order_id": str(order_id), "sku": sku, "quantity": quantity, "reserved_total": quantity},
    )


async def test_an_order_is_released_shipped_invoiced_paid_and_completed(tmp_path: Path) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        order_id = await place(runtime, a_place_command(lines=[("CLOCK", 2)]))
        shipment, invoice = str(uuid4()), str(uuid4())
        lines = [{"sku": "CLOCK", "quantity": 2}]

        await _approve_and_reserve(runtime, order_id, 2_000, "CLOCK", 2)
        await deliver(
            runtime,
            "ShipmentShipped",
            {
                "shipment_id": shipment,
                "order_id": str(order_id),
                "release_no": 1,
                "lines": lines,
                "carrier": "ACME",
                "tracking_number": "T1",
            },
        )
        await deliver(
            runtime,
            "InvoiceIssued",
            {
                "invoice_id": invoice,
                "order_id": str(order_id),
                "shipment_id": shipment,
                "customer_id": "acme",
                "lines": lines,
                "total_cents": 2_000,
            },
        )
        await deliver(
            runtime,
            "InvoicePaid",
            {
                "invoice_id": invoice,
                "order_id": str(order_id),
                "customer_id": "acme",
                "total_cents": 2_000,
            },
        )

        [released] = await published(runtime, "OrderReleased")
        assert (released["release_no"], released["lines"]) == (
            1,
            [{"sku": "CLOCK", "quantity": 2, "unit_price_cents": 1_000}],
        )
        assert await published(runtime, "OrderCompleted") == [
            {"order_id": str(order_id), "total_cents": 2_000}
        ]
        order = await details(runtime, order_id)
        assert order["status"] == "completed"
        assert order["lines"] == [
            {
                "sku": "CLOCK",
                "quantity": 2,
                "reserved": 2,
                "shipped": 2,
                "cancelled": 0,
                "returned": 0,
            }
        ]
        assert [(e["service"], e["event"]) for e in order["timeline"]] == [
            ("order", "OrderReceived"),
            ("order", "OrderPlaced"),
            ("credit", "CreditApproved"),
            ("inventory", "StockReserved"),
            ("order", "OrderReleased"),
            ("fulfillment", "ShipmentShipped"),
            ("fulfillment", "InvoiceIssued"),
            ("fulfillment", "InvoicePaid"),
            ("order", "OrderCompleted"),
        ]
        async with runtime.db.transaction() as conn:
            found = await queries.customer(conn, "acme")
            assert found is not None and found.exposure_cents == 2_000


async def test_a_short_pick_of_a_wait_complete_order_cancels_the_units_not_found(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        order_id = await place(runtime, a_place_command(lines=[("CLOCK", 5)]))
        await _approve_and_reserve(runtime, order_id, 5_000, "CLOCK", 5)
        short = {
            "shipment_id": str(uuid4()),
            "order_id": str(order_id),
            "release_no": 1,
            "step": "picked",
            "lines": [{"sku": "CLOCK", "quantity": 2}],
        }

        await deliver(runtime, "ShipmentShortPicked", short)
        await deliver(runtime, "ShipmentShortPicked", short)

        assert await published(runtime, "OrderShortPicked") == [
            {
                **short,
                "lines": [{"sku": "CLOCK", "quantity": 2, "unit_price_cents": 1_000}],
                "outcome": "cancelled",
                "cancelled_cents": 2_000,
                "total_cents": 3_000,
            }
        ]
        order = await details(runtime, order_id)
        assert order["total_cents"] == 3_000
        assert [(line["quantity"], line["cancelled"]) for line in order["lines"]] == [(3, 2)]
        assert order["timeline"][-1]["event"] == "OrderShortPicked"


async def test_a_credit_decline_rejects_the_order(tmp_path: Path) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        order_id = await place(runtime, a_place_command())

        await deliver(
            runtime,
            "CreditDeclined",
            {"order_id": str(order_id), "amount_cents": 2_000, "reason": "red light"},
        )

        assert (await details(runtime, order_id))["status"] == "rejected"
        assert await published(runtime, "OrderRejected") == [
            {"order_id": str(order_id), "reason": "credit declined: red light"}
        ]


async def test_a_backordered_line_holds_the_order_and_a_review_holds_it_for_credit(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        order_id = await place(runtime, a_place_command())

        await deliver(
            runtime,
            "StockBackordered",
            {
                "order_id": str(order_id),
                "sku": "CLOCK",
                "quantity": 2,
                "priority": 1,
                "deadline": "2025-03-02T09:30:00Z",
            },
        )
        await deliver(
            runtime,
            "CreditReviewRequired",
            {
                "order_id": str(order_id),
                "customer_id": "acme",
                "amount_cents": 2_000,
                "reason": "red",
                "exposure_cents": 0,
            },
        )

        order = await details(runtime, order_id)
        assert (order["status"], order["holds"]) == ("on_hold", ["backorder", "credit_review"])


async def test_a_change_is_published_with_its_deltas_and_a_channel_cannot_touch_others_orders(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        order_id = await place(runtime, a_place_command(lines=[("CLOCK", 2)]))
        change = ChangeOrder(
            order_id=order_id,
            channel="shop",
            lines=(RequestedLine(sku="CLOCK", quantity=1), RequestedLine(sku="LAMP", quantity=2)),
        )

        with pytest.raises(NotFoundError):
            await runtime.send(change.model_copy(update={"channel": "other-shop"}))
        await runtime.send(change)

        [changed] = await published(runtime, "OrderChanged")
        assert changed["changes"] == [
            {"sku": "CLOCK", "quantity_delta": -1},
            {"sku": "LAMP", "quantity_delta": 2},
        ]
        assert changed["total_cents"] == 2_000
        assert [line["sku"] for line in (await details(runtime, order_id))["lines"]] == [
            "CLOCK",
            "LAMP",
        ]


async def _with_history(runtime: ServiceRuntime) -> None:
    """acme's earlier orders: the default policy's min_history_orders, 2 clocks each."""
    await define(runtime)
    for _ in range(3):
        await place(runtime, a_place_command(lines=[("CLOCK", 2)]))


async def test_a_change_far_outside_the_history_waits_for_confirmation_like_a_new_order(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await _with_history(runtime)
        order_id = await place(runtime, a_place_command(lines=[("CLOCK", 2)]))
        usual = ChangeOrder(
            order_id=order_id, channel="shop", lines=(RequestedLine(sku="CLOCK", quantity=3),)
        )
        unusual = usual.model_copy(update={"lines": (RequestedLine(sku="CLOCK", quantity=500),)})

        after_usual = await runtime.send(usual)
        after_unusual = await runtime.send(unusual)

        assert after_usual == "pending"
        assert after_unusual == "on_hold"
        order = await details(runtime, order_id)
        assert order["holds"] == ["pattern_check"]
        [held] = await published(runtime, "OrderHeld")
        assert held["hold"] == "pattern_check" and "over 5x the median" in held["reason"]


async def test_staff_may_cancel_any_order_and_the_read_models_rebuild_identically(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        order_id = await place(runtime, a_place_command())
        await _approve_and_reserve(runtime, order_id, 2_000, "CLOCK", 2)
        await place(runtime, a_place_command(lines=[("LAMP", 1)]))

        await runtime.send(CancelOrder(order_id=order_id, channel=None, reason="duplicate"))
        await deliver(
            runtime,
            "CreditReleased",
            {
                "order_id": str(order_id),
                "customer_id": "acme",
                "amount_cents": 2_000,
                "exposure_cents": 0,
                "reason": "cancelled",
            },
        )
        report = await rebuild_read_models(runtime.db, runtime.definition, check_only=True)

        assert report.identical
        assert (await details(runtime, order_id))["status"] == "cancelled"


def _approved(order_id: UUID, exposure: int) -> dict[str, object]:
    return {
        "order_id": str(order_id),
        "customer_id": "acme",
        "amount_cents": 2_000,
        "exposure_cents": exposure,
    }


@pytest.mark.parametrize("one_batch", [False, True], ids=["two batches", "one batch"])
async def test_a_customers_exposure_is_credits_newest_whatever_order_the_answers_arrive_in(
    tmp_path: Path, one_batch: bool
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        first = await place(runtime, a_place_command())
        second = await place(runtime, a_place_command())
        # Credit decided `first` at account version 2 and `second` at 3; they arrive reversed
        # (another partition, another member).
        answers = [
            ("CreditApproved", _approved(second, 4_000), {"aggregate_version": 3}),
            ("CreditApproved", _approved(first, 2_000), {"aggregate_version": 2}),
        ]
        if one_batch:
            await deliver_batch(runtime, answers)
        else:
            for event_type, data, envelope in answers:
                await deliver(runtime, event_type, data, **envelope)

        async with runtime.db.transaction() as conn:
            found = await queries.customer(conn, "acme")
            assert found is not None and found.exposure_cents == 4_000
        report = await rebuild_read_models(runtime.db, DEFINITION, check_only=True)
        assert report.identical


async def test_a_confirmed_unusual_order_made_smaller_is_not_asked_to_confirm_again(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await _with_history(runtime)
        order_id = await place(runtime, a_place_command(lines=[("CLOCK", 500)]))
        await runtime.send(ConfirmOrder(order_id=order_id, channel="shop"))
        smaller = ChangeOrder(
            order_id=order_id, channel="shop", lines=(RequestedLine(sku="CLOCK", quantity=400),)
        )

        status = await runtime.send(smaller)

        assert status == "pending"
        assert [h["hold"] for h in await published(runtime, "OrderHeld")] == ["pattern_check"]


async def test_a_new_line_that_moves_the_order_into_another_segment_moves_its_terms(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime, tier="vip")
        await place(runtime, a_place_command(lines=[("CLOCK", 1)]))
        await runtime.send(ClassifyCustomersAndItems())  # acme and CLOCK are A, LAMP is C
        order_id = await place(runtime, a_place_command(lines=[("LAMP", 1)]))
        aa = DEFAULT_POLICY.segments.AA.model_copy(update={"target_response_minutes": 30})
        segments = DEFAULT_POLICY.segments.model_copy(update={"AA": aa})
        await runtime.send(
            ChangePolicy(segments=segments, pattern_check=DEFAULT_POLICY.pattern_check)
        )
        adding = ChangeOrder(
            order_id=order_id,
            channel="shop",
            lines=(RequestedLine(sku="LAMP", quantity=1), RequestedLine(sku="CLOCK", quantity=1)),
        )

        await runtime.send(adding)

        [changed] = await published(runtime, "OrderChanged")
        assert (changed["segment"], changed["priority"]) == ("AA", 10)
        [moved] = await published(runtime, "OrderDeadlineChanged")
        assert moved["deadline"] == changed["deadline"]
        assert parse_time(moved["previous_deadline"]) - parse_time(moved["deadline"]) == timedelta(
            minutes=30
        )
        order = await details(runtime, order_id)
        assert (order["segment"], order["priority"]) == ("AA", 10)
        assert parse_time(order["deadline"]) == parse_time(moved["deadline"])
        assert "OrderDeadlineChanged" in [entry["event"] for entry in order["timeline"]]


async def test_fulfillments_answers_to_an_address_change_are_on_the_timeline(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        order_id = await place(runtime, a_place_command(lines=[("CLOCK", 2)]))
        new_address = SHIP_TO.model_copy(update={"city": "York"})
        york = new_address.model_dump()
        readdress = ChangeOrder(order_id=order_id, channel="shop", ship_to=new_address)
        await runtime.send(readdress)
        first, second = str(uuid4()), str(uuid4())
        ids = {"order_id": str(order_id)}

        await deliver(
            runtime,
            "ShipmentAddressChanged",
            {**ids, "shipment_id": first, "ship_to": york, "amended": True},
        )
        await deliver(
            runtime,
            "ShipmentAddressChangeRefused",
            {
                **ids,
                "shipment_id": second,
                "ship_to": SHIP_TO.model_dump(),
                "requested": york,
                "reason": "it had already shipped when the address changed",
            },
        )

        order = await details(runtime, order_id)
        assert order["ship_to"]["city"] == "York"
        answers = [e for e in order["timeline"] if e["service"] == "fulfillment"]
        assert [(e["event"], e["detail"]["shipment_id"]) for e in answers] == [
            ("ShipmentAddressChanged", first),
            ("ShipmentAddressChangeRefused", second),
        ]
        assert answers[1]["detail"]["reason"].startswith("it had already shipped")
