"""A bump on a real database: the protection floor goes out with the order, the bump request is
answered on the order's stream, and both sides of it show on the timelines."""

from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from order_harness import a_place_command, define, deliver, details, order_service, place, published

from services.order.commands import ChangePolicy
from services.order.domain.policy import DEFAULT_POLICY
from shared.runtime import ServiceRuntime

STRATEGIC = uuid4()


async def protect_the_top_segment(runtime: ServiceRuntime, units: int) -> None:
    segments = DEFAULT_POLICY.segments.model_copy(
        update={"AA": DEFAULT_POLICY.segments.AA.model_copy(update={"protection_level": units})}
    )
    command = ChangePolicy(segments=segments, pattern_check=DEFAULT_POLICY.pattern_check)
    await runtime.send(command)


def stock_event(order_id: UUID, **data: Any) -> dict[str, Any]:
    return {"order_id": str(order_id), "sku": "CLOCK", **data}


async def approve(runtime: ServiceRuntime, order_id: UUID) -> None:
    credit = {"customer_id": "acme", "amount_cents": 2_000, "exposure_cents": 2_000}
    await deliver(runtime, "CreditApproved", {"order_id": str(order_id), **credit})


def entries(order: dict[str, Any], event: str) -> list[dict[str, Any]]:
    return [entry for entry in order["timeline"] if entry["event"] == event]


async def test_an_unreleased_order_yields_and_waits_until_inventory_settles_the_bump(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        await protect_the_top_segment(runtime, 2)
        order_id = await place(runtime, a_place_command(lines=[("CLOCK", 2)]))
        [placed] = await published(runtime, "OrderPlaced")
        assert (placed["segment"], placed["protection_floor"]) == ("CC", 2)
        await deliver(runtime, "StockReserved", stock_event(order_id, quantity=2, reserved_total=2))

        await deliver(
            runtime,
            "StockBumpRequested",
            stock_event(order_id, quantity=2, for_order_id=str(STRATEGIC), priority=15),
        )
        await approve(runtime, order_id)

        [yielded] = await published(runtime, "ReservationYielded")
        assert (yielded["quantity"], yielded["to_order_id"]) == (2, str(STRATEGIC))
        assert await published(runtime, "OrderReleased") == []
        order = await details(runtime, order_id)
        assert (order["status"], order["holds"]) == ("on_hold", ["backorder"])
        assert [e["detail"]["reason"] for e in entries(order, "OrderHeld")] == [
            "reserved stock taken by a higher-priority order"
        ]

        await deliver(
            runtime,
            "StockBumped",
            stock_event(
                order_id,
                quantity=2,
                by_order_id=str(STRATEGIC),
                reserved_total=0,
                backordered_total=2,
            ),
        )
        await deliver(runtime, "StockReserved", stock_event(order_id, quantity=2, reserved_total=2))

        order = await details(runtime, order_id)
        [bumped] = entries(order, "StockBumped")
        assert (bumped["service"], bumped["detail"]["by_order_id"]) == ("inventory", str(STRATEGIC))
        [released] = await published(runtime, "OrderReleased")
        assert (released["lines"][0]["quantity"], released["protection_floor"]) == (2, 2)


async def test_a_released_order_keeps_its_units_and_a_bumping_order_shows_where_they_came_from(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        released = await place(runtime, a_place_command(lines=[("CLOCK", 2)]))
        asking = await place(runtime, a_place_command(lines=[("CLOCK", 2)]))
        await approve(runtime, released)
        await deliver(runtime, "StockReserved", stock_event(released, quantity=2, reserved_total=2))

        await deliver(
            runtime,
            "StockBumpRequested",
            stock_event(released, quantity=2, for_order_id=str(asking), priority=15),
        )
        other = uuid4()
        await deliver(
            runtime,
            "StockReserved",
            stock_event(asking, quantity=2, reserved_total=2, taken_from=str(other)),
        )

        [kept] = await published(runtime, "ReservationKept")
        assert kept["reason"] == "already released to the warehouse"
        [taken] = entries(await details(runtime, asking), "StockReserved")
        assert taken["detail"]["taken_from"] == str(other)
