"""The order's side of a bump: it yields only units not released, and releases nothing more of
the SKU until inventory settled the bump, whichever of a release and a bump comes first."""

from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

from order_builders import NOW, REPLY, a_line, a_placed_order, an_intake, approve, event_types

from services.order.domain import Order, OrderTerms, kpis, order_terms
from services.order.domain.policy import DEFAULT_POLICY
from services.order.events import (
    OrderHeld,
    OrderPlaced,
    OrderReleased,
    ReservationKept,
    ReservationYielded,
    StockBumpRecorded,
    StockReservationRecorded,
)

STRATEGIC = uuid4()


def test_an_unreleased_reservation_is_yielded_and_the_order_waits_for_it_again() -> None:
    order = a_placed_order(a_line("CLOCK", 2), a_line("VASE", 1), rule="wait_complete")
    approve(order)
    order.record_stock_reserved(REPLY, "CLOCK", 2, 2)
    order.collect_events()

    order.answer_bump("CLOCK", 2, for_order_id=STRATEGIC, priority=9)

    yielded, held = order.collect_events()
    assert yielded == ReservationYielded(
        order_id=order.order_id,
        sku="CLOCK",
        quantity=2,
        to_order_id=STRATEGIC,
        reason=f"order {STRATEGIC} of higher priority (9) needs it",
    )
    assert (held, order.status) == (
        OrderHeld(
            order_id=order.order_id,
            hold="backorder",
            reason="reserved stock taken by a higher-priority order",
        ),
        "on_hold",
    )


def test_a_yielding_sku_releases_nothing_until_inventory_settles_the_bump() -> None:
    order = a_placed_order(a_line("CLOCK", 3))
    order.record_stock_reserved(REPLY, "CLOCK", 2, 2)  # credit has not answered yet
    order.answer_bump("CLOCK", 2, for_order_id=STRATEGIC, priority=9)
    order.collect_events()

    # Credit approves, and a reservation inventory made before it took the yielded units
    # arrives: nothing goes out on its total, which still counts them.
    approve(order)
    order.record_stock_reserved(REPLY, "CLOCK", 1, 3)
    assert "OrderReleased" not in event_types(order)

    order.record_stock_bumped(REPLY, "CLOCK", 2, by_order_id=STRATEGIC, totals=(1, 2))

    events = order.collect_events()
    assert isinstance(events[0], StockBumpRecorded)
    [released] = [e for e in events if isinstance(e, OrderReleased)]
    assert [(line.sku, line.quantity) for line in released.lines] == [("CLOCK", 1)]
    assert (order.state.reserved["CLOCK"], order.state.backordered["CLOCK"]) == (1, 2)
    assert order.state.holds == {"backorder"}


def test_released_units_are_kept_a_release_first_wins() -> None:
    order = a_placed_order(a_line("CLOCK", 2))
    approve(order)
    order.record_stock_reserved(REPLY, "CLOCK", 2, 2)  # released at once (ship_partial)
    order.collect_events()

    order.answer_bump("CLOCK", 2, for_order_id=STRATEGIC, priority=9)

    [kept] = order.collect_events()
    assert isinstance(kept, ReservationKept)
    assert (kept.quantity, kept.reason) == (2, "already released to the warehouse")
    assert order.state.yielding == set()


def test_a_bump_of_a_held_order_takes_only_what_was_never_released() -> None:
    order = a_placed_order(a_line("CLOCK", 3))
    approve(order)
    order.record_stock_reserved(REPLY, "CLOCK", 1, 1)  # released at once
    order.hold("andon", "stop")
    order.record_stock_reserved(REPLY, "CLOCK", 2, 3)  # held: not released
    order.collect_events()

    order.answer_bump("CLOCK", 3, for_order_id=STRATEGIC, priority=9)

    yielded = order.collect_events()[0]
    assert isinstance(yielded, ReservationYielded) and yielded.quantity == 2


def test_an_ended_order_and_an_unsettled_bump_keep_their_units() -> None:
    cancelled = a_placed_order(a_line("CLOCK", 2), rule="wait_complete")
    cancelled.record_stock_reserved(REPLY, "CLOCK", 2, 2)
    cancelled.cancel("changed my mind")
    cancelled.collect_events()
    cancelled.answer_bump("CLOCK", 2, for_order_id=STRATEGIC, priority=9)
    [kept] = cancelled.collect_events()
    assert isinstance(kept, ReservationKept) and kept.reason == "order cancelled"

    yielding = a_placed_order(a_line("CLOCK", 2), rule="wait_complete")
    yielding.record_stock_reserved(REPLY, "CLOCK", 2, 2)
    yielding.answer_bump("CLOCK", 1, for_order_id=STRATEGIC, priority=9)
    yielding.collect_events()
    yielding.answer_bump("CLOCK", 1, for_order_id=uuid4(), priority=9)
    [kept] = yielding.collect_events()
    assert isinstance(kept, ReservationKept)
    assert kept.reason == "an earlier bump of the SKU is not yet settled"


def test_a_settled_bump_that_moved_nothing_lifts_the_backorder_and_releases() -> None:
    order = a_placed_order(a_line("CLOCK", 2))
    order.record_stock_reserved(REPLY, "CLOCK", 2, 2)
    order.answer_bump("CLOCK", 2, for_order_id=STRATEGIC, priority=9)
    approve(order)
    assert "OrderReleased" not in event_types(order)

    order.record_stock_bumped(REPLY, "CLOCK", 0, by_order_id=STRATEGIC, totals=(2, 0))

    assert event_types(order) == ["StockBumpRecorded", "OrderHoldLifted", "OrderReleased"]
    order.record_stock_bumped(REPLY, "CLOCK", 0, by_order_id=STRATEGIC, totals=(2, 0))
    assert event_types(order) == []  # a repeat changes nothing


def test_units_taken_from_another_order_say_so() -> None:
    order = a_placed_order(a_line("CLOCK", 3))
    bumped = uuid4()

    order.record_stock_reserved(REPLY, "CLOCK", 1, 1)
    order.record_stock_reserved(REPLY, "CLOCK", 2, 3, taken_from=bumped)

    first, second = (
        e.model_dump() for e in order.collect_events() if isinstance(e, StockReservationRecorded)
    )
    assert "taken_from" not in first  # absent from every other reservation's payload
    assert second["taken_from"] == bumped


def test_the_protection_floor_is_the_highest_level_of_the_segments_above_the_priority() -> None:
    segments = DEFAULT_POLICY.segments.model_copy(
        update={
            "AA": DEFAULT_POLICY.segments.AA.model_copy(update={"protection_level": 5}),
            "BB": DEFAULT_POLICY.segments.BB.model_copy(update={"protection_level": 2}),
        }
    )
    policy = DEFAULT_POLICY.model_copy(update={"segments": segments})

    def terms(customer_class: str, tier: str) -> OrderTerms:
        return order_terms(
            policy, customer_class=customer_class, item_classes=["C"], tier=tier, accepted_at=NOW
        )

    # CC regular (1) is below BB (3) and AA (5); BC regular (2) too; AC strategic (9) is not.
    assert terms("C", "regular").protection_floor == 5
    assert terms("B", "vip").protection_floor == 5  # BC x vip = 4, still below AA
    assert terms("A", "regular").protection_floor == 5  # AC = 3: AA's 5 is above it
    assert terms("A", "vip").protection_floor == 0  # AC x vip = 6
    assert (
        order_terms(
            DEFAULT_POLICY, customer_class="C", item_classes=["C"], tier="regular", accepted_at=NOW
        ).protection_floor
        == 0
    )


def test_the_order_carries_its_floor_to_every_event_inventory_reads() -> None:
    terms = OrderTerms(
        segment="CC",
        priority=1,
        deadline=NOW + timedelta(hours=1),
        backorder_rule="ship_partial",
        protection_floor=2,
    )
    order = Order.place(uuid4(), replace(an_intake(), terms=terms), [a_line()])
    approve(order)
    order.record_stock_reserved(REPLY, "CLOCK", 2, 2)
    order.change([a_line("CLOCK", 2), a_line("VASE", 1)], None)

    floors = {
        e.event_type(): e.protection_floor  # type: ignore[attr-defined]
        for e in order.collect_events()
        if hasattr(e, "protection_floor")
    }
    assert floors == {"OrderPlaced": 2, "OrderReleased": 2, "OrderChanged": 2}


def test_a_bump_counts_as_a_backorder_in_the_kpis() -> None:
    order = Order.place(uuid4(), an_intake("wait_complete"), [a_line("CLOCK", 2)])
    order.record_stock_reserved(REPLY, "CLOCK", 2, 2)
    order.answer_bump("CLOCK", 2, for_order_id=STRATEGIC, priority=9)
    order.record_stock_bumped(REPLY, "CLOCK", 2, by_order_id=STRATEGIC, totals=(0, 2))
    placed, *later = order.collect_events()
    assert isinstance(placed, OrderPlaced)

    facts = kpis.start(placed, NOW)
    for event in later:
        facts = kpis.apply(facts, event, NOW)

    assert facts.ever_backordered and facts.reserved == {"CLOCK": 0}
    assert "backorder" in facts.open_holds
