"""A shipment that came up short: the missing units follow the order's backorder rule."""

from uuid import UUID, uuid4

from order_builders import REPLY, a_line, a_placed_order, approve, event_types, units

from services.order.domain import Order
from services.order.events import BackorderRule, OrderReleased, OrderShortPicked


def a_released_order(rule: BackorderRule, *lines: tuple[str, int]) -> Order:
    order = a_placed_order(*(a_line(sku, quantity, 100) for sku, quantity in lines), rule=rule)
    approve(order)
    for sku, quantity in lines:
        order.record_stock_reserved(REPLY, sku, quantity, quantity)
    order.collect_events()
    return order


def short_pick(order: Order, shipment_id: UUID, sku: str, quantity: int) -> None:
    order.replan_short_pick(
        shipment_id=shipment_id, release_no=1, step="picked", lines=units(sku, quantity)
    )


def test_ship_partial_backorders_the_missing_units_and_releases_them_once_reserved() -> None:
    order = a_released_order("ship_partial", ("CLOCK", 5))
    shipment = uuid4()

    short_pick(order, shipment, "CLOCK", 2)
    [short] = order.collect_events()
    order.record_shipped(REPLY, shipment_id=shipment, release_no=1, lines=units("CLOCK", 3))
    # Inventory wrote the 2 off and reserved 2 others: the line holds 5 again, 3 shipped.
    order.record_stock_reserved(REPLY, "CLOCK", 2, 5)

    assert isinstance(short, OrderShortPicked)
    assert (short.outcome, short.cancelled_cents, short.total_cents) == ("backordered", 0, 500)
    assert [(line.sku, line.quantity, line.unit_price_cents) for line in short.lines] == [
        ("CLOCK", 2, 100)
    ]
    released = [e for e in order.collect_events() if isinstance(e, OrderReleased)]
    assert [(e.release_no, e.lines[0].quantity) for e in released] == [(2, 2)]
    assert (order.status, order.state.lines["CLOCK"].quantity) == ("partially_shipped", 5)


def test_wait_complete_cancels_the_missing_units_and_ships_complete_what_was_found() -> None:
    order = a_released_order("wait_complete", ("CLOCK", 5), ("LAMP", 1))
    shipment, invoice = uuid4(), uuid4()

    short_pick(order, shipment, "CLOCK", 2)
    [short] = order.collect_events()
    order.record_shipped(
        REPLY, shipment_id=shipment, release_no=1, lines=[*units("CLOCK", 3), *units("LAMP", 1)]
    )
    order.record_invoice(REPLY, invoice, [*units("CLOCK", 3), *units("LAMP", 1)], 400)
    order.record_payment(REPLY, invoice, 400)

    assert isinstance(short, OrderShortPicked)
    assert (short.outcome, short.cancelled_cents, short.total_cents) == ("cancelled", 200, 400)
    assert (order.state.lines["CLOCK"].quantity, order.state.cancelled) == (3, {"CLOCK": 2})
    assert (order.state.total_cents, order.state.credit_approved_cents) == (400, 400)
    assert event_types(order)[-1] == "OrderCompleted"


def test_a_short_pick_reported_again_is_replanned_once() -> None:
    order = a_released_order("wait_complete", ("CLOCK", 5))
    shipment = uuid4()

    short_pick(order, shipment, "CLOCK", 2)
    short_pick(order, shipment, "CLOCK", 2)

    assert event_types(order) == ["OrderShortPicked"]
    assert order.state.lines["CLOCK"].quantity == 3


def test_a_wait_complete_order_short_of_every_unit_is_cancelled() -> None:
    order = a_released_order("wait_complete", ("CLOCK", 2))

    short_pick(order, uuid4(), "CLOCK", 2)

    assert event_types(order) == ["OrderShortPicked", "OrderCancelled"]
    assert (order.status, order.state.cancelled) == ("cancelled", {"CLOCK": 2})
