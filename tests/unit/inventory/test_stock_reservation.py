"""Stock aggregate: reserve at once, backorder the rest, serve backorders by priority."""

from datetime import timedelta
from uuid import uuid4

import pytest
from inventory_builders import NOW, SKU, level, place, published, stock_with

from services.inventory.domain import Stock
from services.inventory.events import (
    StockBackordered,
    StockReceived,
    StockReleased,
    StockReserved,
    StockShipped,
)
from shared.errors import InvalidRequestError


def test_a_line_within_available_stock_is_reserved_in_full() -> None:
    stock = stock_with(10)

    order_id = place(stock, 4)

    assert [e for e in stock.collect_events() if isinstance(e, StockReserved)] == [
        StockReserved(
            order_id=order_id, sku=SKU, quantity=4, reserved_total=4, level=level(10, 4, 6)
        )
    ]
    assert (stock.on_hand, stock.reserved, stock.available) == (10, 4, 6)


def test_a_line_beyond_available_stock_reserves_what_there_is_and_backorders_the_rest() -> None:
    stock = stock_with(3)

    order_id = place(stock, 5, priority=4)

    events = stock.collect_events()
    assert [e for e in events if isinstance(e, StockReserved | StockBackordered)] == [
        StockReserved(
            order_id=order_id,
            sku=SKU,
            quantity=3,
            reserved_total=3,
            backordered_total=2,
            level=level(3, 3, 0),
        ),
        StockBackordered(
            order_id=order_id, sku=SKU, quantity=2, priority=4, deadline=NOW + timedelta(hours=4)
        ),
    ]
    assert (stock.reserved, stock.backordered, stock.available) == (3, 2, 0)


def test_a_line_without_stock_is_backordered_whole() -> None:
    stock = stock_with(0)

    place(stock, 5)

    assert published(stock) == ["StockBackordered"]
    assert stock.backordered == 5


def test_placing_the_same_order_twice_answers_it_once() -> None:
    stock = stock_with(10)
    order_id = place(stock, 4)
    stock.collect_events()

    place(stock, 4, order_id=order_id)

    assert stock.collect_events() == []
    assert stock.reserved == 4


def test_a_receipt_goes_to_the_higher_priority_backorder_not_the_earlier_one() -> None:
    stock = stock_with(0)
    regular_first = place(stock, 5, priority=1)
    strategic_second = place(stock, 5, priority=15)
    stock.collect_events()

    stock.receive(5)
    served = stock.allocate_all()

    assert served == [strategic_second]
    assert stock.lines[strategic_second].reserved == 5
    assert stock.lines[regular_first].waiting == 5


def test_equal_priorities_are_served_by_deadline_then_by_arrival() -> None:
    stock = stock_with(0)
    late_deadline = place(stock, 1, priority=2, deadline_in=timedelta(hours=8))
    first_arrival = place(stock, 1, priority=2, deadline_in=timedelta(hours=1))
    second_arrival = place(stock, 1, priority=2, deadline_in=timedelta(hours=1))

    stock.receive(3)

    assert stock.allocate_all() == [first_arrival, second_arrival, late_deadline]


def test_a_receipt_smaller_than_the_first_backorder_serves_it_partially() -> None:
    stock = stock_with(0)
    order_id = place(stock, 10)
    stock.collect_events()

    stock.receive(4)
    stock.allocate_all()

    assert stock.collect_events() == [
        StockReceived(sku=SKU, quantity=4, on_hand=4, level=level(4, 0, 4)),
        StockReserved(
            order_id=order_id,
            sku=SKU,
            quantity=4,
            reserved_total=4,
            backordered_total=6,
            level=level(4, 4, 0),
        ),
    ]


def test_a_receipt_needs_a_positive_quantity() -> None:
    with pytest.raises(InvalidRequestError):
        stock_with(0).receive(0)


def test_cancelling_releases_reserved_and_waiting_units_and_frees_stock_for_others() -> None:
    stock = stock_with(3)
    cancelled = place(stock, 5)
    waiting = place(stock, 2)
    stock.collect_events()

    stock.release(cancelled, "cancelled")
    stock.allocate_all()

    assert stock.collect_events() == [
        StockReleased(
            order_id=cancelled,
            sku=SKU,
            quantity=5,
            reason="cancelled",
            reserved_total=0,
            level=level(3, 0, 3),
        ),
        StockReserved(
            order_id=waiting, sku=SKU, quantity=2, reserved_total=2, level=level(3, 2, 1)
        ),
    ]
    assert (stock.reserved, stock.backordered) == (2, 0)


def test_releasing_an_order_twice_or_an_unknown_order_changes_nothing() -> None:
    stock = stock_with(3)
    order_id = place(stock, 2)
    stock.release(order_id, "rejected")
    stock.collect_events()

    stock.release(order_id, "rejected")
    stock.release(uuid4(), "cancelled")

    assert stock.collect_events() == []


def test_a_decrease_gives_back_waiting_units_before_reserved_ones() -> None:
    stock = stock_with(3)
    order_id = place(stock, 5)
    stock.collect_events()

    stock.change(order_id, 2, priority=1, deadline=NOW)

    assert stock.collect_events() == [
        StockReleased(
            order_id=order_id,
            sku=SKU,
            quantity=3,
            reason="changed",
            reserved_total=2,
            backordered_total=0,
            level=level(3, 2, 1),
        )
    ]
    assert (stock.lines[order_id].reserved, stock.lines[order_id].waiting) == (2, 0)


def test_an_increase_reserves_only_the_difference_and_backorders_what_is_missing() -> None:
    stock = stock_with(6)
    order_id = place(stock, 4)
    stock.collect_events()

    stock.change(order_id, 9, priority=1, deadline=NOW)

    assert published(stock) == ["StockReserved", "StockBackordered"]
    assert (stock.lines[order_id].reserved, stock.lines[order_id].waiting) == (6, 3)


def test_the_same_change_applied_twice_is_a_no_op() -> None:
    stock = stock_with(6)
    order_id = place(stock, 4)
    stock.change(order_id, 2, priority=1, deadline=NOW)
    stock.collect_events()

    stock.change(order_id, 2, priority=1, deadline=NOW)

    assert stock.collect_events() == []


def test_shipping_lowers_on_hand_and_the_reservation_once_per_shipment() -> None:
    stock = stock_with(10)
    order_id = place(stock, 4)
    shipment_id = uuid4()
    stock.collect_events()

    stock.ship(shipment_id, order_id, 4)
    stock.ship(shipment_id, order_id, 4)

    assert stock.collect_events() == [
        StockShipped(
            order_id=order_id,
            sku=SKU,
            quantity=4,
            shipment_id=shipment_id,
            level=level(6, 0, 6),
        )
    ]
    assert (stock.on_hand, stock.reserved, stock.available) == (6, 0, 6)


def test_a_rehydrated_stock_has_the_same_state_and_queue() -> None:
    stock = Stock(SKU)
    stock.receive(2)
    place(stock, 5, priority=3)
    urgent = place(stock, 1, priority=9)
    history = stock.collect_events()

    again = Stock.rehydrate(SKU, history)

    assert (again.on_hand, again.reserved, again.backordered) == (2, 2, 4)
    assert again.lines == stock.lines
    again.receive(1)
    assert again.allocate_all() == [urgent]
