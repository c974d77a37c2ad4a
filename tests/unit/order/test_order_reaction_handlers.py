"""Reactions on a real database: the whole life of an order, rejection, changes, rebuild."""

from pathlib import Path
from uuid import UUID, uuid4

import pytest
from order_harness import a_place_command, define, deliver, details, order_service, place, published

from services.order import handlers
from services.order.commands import CancelOrder, ChangeOrder, RequestedLine
from services.order.views import queries
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
            assert (await queries.customer(conn, "acme") or {})["exposure_cents"] == 2_000


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
            await handlers.change_order(
                change.model_copy(update={"channel": "other-shop"}), runtime.unit_of_work()
            )
        await handlers.change_order(change, runtime.unit_of_work())

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


async def test_a_change_far_outside_the_history_waits_for_confirmation_like_a_new_order(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        for _ in range(3):  # the default policy's min_history_orders, 2 clocks each
            await place(runtime, a_place_command(lines=[("CLOCK", 2)]))
        order_id = await place(runtime, a_place_command(lines=[("CLOCK", 2)]))
        usual = ChangeOrder(
            order_id=order_id, channel="shop", lines=(RequestedLine(sku="CLOCK", quantity=3),)
        )
        unusual = usual.model_copy(update={"lines": (RequestedLine(sku="CLOCK", quantity=500),)})

        after_usual = await handlers.change_order(usual, runtime.unit_of_work())
        after_unusual = await handlers.change_order(unusual, runtime.unit_of_work())

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

        await handlers.cancel_order(
            CancelOrder(order_id=order_id, channel=None, reason="duplicate"), runtime.unit_of_work()
        )
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
