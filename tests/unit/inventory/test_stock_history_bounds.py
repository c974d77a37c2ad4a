"""A best-seller's `Stock` keeps what is open, not its history: served orders are settled."""

import pickle
from uuid import uuid4

from inventory_builders import NOW, place, stock_with

from services.inventory.domain import Stock
from shared.snapshots import state_of

ORDERS = 5_000


def serve(stock: Stock, orders: int) -> None:
    """Orders of one unit each: placed, reserved, and shipped or cancelled in turn."""
    for n in range(orders):
        stock.receive(1)
        order_id = place(stock, 1)
        if n % 4 == 0:
            stock.release(order_id, "cancelled")
        else:
            stock.ship(uuid4(), order_id, 1)
        stock.collect_events()


def snapshot_bytes(stock: Stock) -> int:
    return len(pickle.dumps(state_of(stock)))


def test_shipped_and_cancelled_lines_leave_the_state_so_it_stops_growing() -> None:
    stock = stock_with(0)
    serve(stock, ORDERS)
    after_first = snapshot_bytes(stock)
    serve(stock, ORDERS)

    assert stock.lines == {}
    assert snapshot_bytes(stock) <= after_first * 1.05  # twice the history, the same state


def test_a_settled_order_placed_again_records_nothing() -> None:
    stock = stock_with(5)
    order_id = place(stock, 2)
    stock.ship(uuid4(), order_id, 2)
    stock.collect_events()

    place(stock, 2, order_id=order_id)
    shipment = uuid4()
    stock.ship(shipment, order_id, 1)  # a shipment not seen before still leaves the shelf
    stock.ship(shipment, order_id, 1)  # ...once

    assert order_id not in stock.lines
    assert [e.event_type() for e in stock.collect_events()] == ["StockShipped"]
    assert (stock.on_hand, stock.reserved) == (2, 0)


def test_a_line_released_to_zero_before_shipping_can_be_asked_for_again() -> None:
    stock = stock_with(5)
    order_id = place(stock, 2)
    stock.change(order_id, 0, priority=1, deadline=NOW)
    assert order_id not in stock.lines

    stock.change(order_id, 3, priority=1, deadline=NOW)

    assert stock.line(order_id) is not None
    assert (stock.lines[order_id].reserved, stock.reserved) == (3, 3)
