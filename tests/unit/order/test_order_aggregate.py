"""The order aggregate: release rules, holds, status, changes, cancellation, repeated answers."""

from datetime import timedelta
from uuid import uuid4

import pytest
from order_builders import (
    NOW,
    REPLY,
    SHIP_TO,
    a_line,
    a_placed_order,
    approve,
    credit,
    event_types,
    units,
)

from services.order.domain import AddressRefusal, AndonStop, OrderTerms, Rechecked
from services.order.domain.errors import (
    OrderAlreadyShippedError,
    OrderClosedError,
    OrderNotHeldError,
    ReleasedUnitsError,
)
from services.order.events import OrderChanged, OrderDeadlineChanged, OrderHeld, OrderReleased


def test_an_order_is_released_when_credit_approved_and_stock_reserved() -> None:
    order = a_placed_order(a_line("CLOCK", 2))

    approve(order)
    order.record_stock_reserved(REPLY, "CLOCK", 2, 2)

    released = order.collect_events()[-1]
    assert isinstance(released, OrderReleased)
    assert (released.release_no, released.priority, released.ship_to) == (1, 5, SHIP_TO)
    assert [(line.sku, line.quantity, line.unit_price_cents) for line in released.lines] == [
        ("CLOCK", 2, 1_000)
    ]
    assert order.status == "released"


def test_stock_alone_does_not_release_and_the_order_stays_pending() -> None:
    order = a_placed_order(a_line("CLOCK", 2))

    order.record_stock_reserved(REPLY, "CLOCK", 2, 2)

    assert event_types(order) == ["StockReservationRecorded"]
    assert (order.status, order.state.holds) == ("pending", set())


def test_ship_partial_releases_what_is_reserved_and_releases_the_rest_later() -> None:
    order = a_placed_order(a_line("CLOCK", 5), rule="ship_partial")
    approve(order)

    order.record_stock_reserved(REPLY, "CLOCK", 3, 3)
    order.record_stock_backordered(REPLY, "CLOCK", 2)
    first = order.collect_events()
    order.record_stock_reserved(REPLY, "CLOCK", 2, 5)
    second = order.collect_events()

    assert [(e.release_no, e.lines[0].quantity) for e in first if isinstance(e, OrderReleased)] == [
        (1, 3)
    ]
    assert [
        (e.release_no, e.lines[0].quantity) for e in second if isinstance(e, OrderReleased)
    ] == [(2, 2)]
    assert order.state.holds == set()


def test_wait_complete_releases_only_once_every_line_is_fully_reserved() -> None:
    order = a_placed_order(a_line("CLOCK", 5), a_line("LAMP", 1), rule="wait_complete")
    approve(order)

    order.record_stock_reserved(REPLY, "CLOCK", 5, 5)
    order.record_stock_backordered(REPLY, "LAMP", 1)
    assert "OrderReleased" not in event_types(order)
    assert (order.status, order.state.holds) == ("on_hold", {"backorder"})

    order.record_stock_reserved(REPLY, "LAMP", 1, 1)

    assert event_types(order)[-1] == "OrderReleased"
    assert (order.status, order.state.holds) == ("released", set())


def test_a_released_order_may_still_hold_backorder_for_the_rest() -> None:
    order = a_placed_order(a_line("CLOCK", 5))
    approve(order)

    order.record_stock_reserved(REPLY, "CLOCK", 3, 3)
    order.record_stock_backordered(REPLY, "CLOCK", 2)

    assert (order.status, order.state.holds) == ("released", {"backorder"})


def test_a_credit_review_holds_the_order_and_an_approval_lets_it_go_on() -> None:
    order = a_placed_order(a_line("CLOCK", 1))
    order.record_stock_reserved(REPLY, "CLOCK", 1, 1)

    order.record_credit_review(REPLY, credit(1_000), "over the limit")
    assert (order.status, order.state.holds) == ("on_hold", {"credit_review"})
    approve(order)

    assert event_types(order)[-1] == "OrderReleased"


def test_a_credit_decline_rejects_the_order_and_late_answers_change_nothing() -> None:
    order = a_placed_order(a_line("CLOCK", 1))

    order.record_credit_declined(REPLY, 1_000, "too risky")
    order.record_stock_reserved(REPLY, "CLOCK", 1, 1)
    approve(order)

    assert event_types(order) == ["CreditDeclineRecorded", "OrderRejected"]
    assert order.status == "rejected"


def test_repeated_answers_are_recorded_once() -> None:
    order = a_placed_order(a_line("CLOCK", 2))

    for _ in range(2):
        approve(order)
        order.record_stock_reserved(REPLY, "CLOCK", 2, 2)

    assert event_types(order) == [
        "CreditApprovalRecorded",
        "StockReservationRecorded",
        "OrderReleased",
    ]


def test_an_unusual_order_waits_for_confirmation_and_then_goes_on() -> None:
    order = a_placed_order(a_line("CLOCK", 1), unusual="first order worth a lot")
    approve(order)
    order.record_stock_reserved(REPLY, "CLOCK", 1, 1)
    assert (order.status, order.state.holds) == ("on_hold", {"pattern_check"})
    assert order.state.confirm_by == NOW + timedelta(hours=1)

    order.confirm()
    order.confirm()

    assert event_types(order)[-3:] == ["OrderConfirmed", "OrderHoldLifted", "OrderReleased"]


def test_confirming_an_order_that_was_never_held_is_refused() -> None:
    order = a_placed_order(a_line("CLOCK", 1))

    with pytest.raises(OrderNotHeldError):
        order.confirm()


def test_an_unconfirmed_order_is_cancelled_only_after_its_confirm_by_time() -> None:
    order = a_placed_order(a_line("CLOCK", 1), unusual="odd")

    order.expire_confirmation(NOW + timedelta(minutes=59))
    order.expire_confirmation(NOW + timedelta(minutes=60))
    order.expire_confirmation(NOW + timedelta(minutes=61))

    assert event_types(order) == ["OrderCancelled"]
    assert order.status == "cancelled"


def test_an_andon_hold_stops_the_release_until_it_is_lifted() -> None:
    order = a_placed_order(a_line("CLOCK", 1))
    order.hold("andon", "SKU stopped")
    approve(order)
    order.record_stock_reserved(REPLY, "CLOCK", 1, 1)
    assert "OrderReleased" not in event_types(order)

    order.lift_hold("andon", "resolved")

    assert event_types(order) == ["OrderHoldLifted", "OrderReleased"]


def test_shipment_invoice_and_payment_of_every_unit_complete_the_order() -> None:
    order = a_placed_order(a_line("CLOCK", 2))
    approve(order)
    order.record_stock_reserved(REPLY, "CLOCK", 2, 2)
    shipment, invoice = uuid4(), uuid4()

    order.record_shipped(REPLY, shipment_id=shipment, release_no=1, lines=units("CLOCK", 2))
    assert order.status == "shipped"
    order.record_invoice(REPLY, invoice, units("CLOCK", 2), 2_000)
    order.record_payment(REPLY, invoice, 2_000)
    order.record_payment(REPLY, invoice, 2_000)

    assert event_types(order)[-3:] == [
        "InvoiceRecorded",
        "InvoicePaymentRecorded",
        "OrderCompleted",
    ]
    assert order.status == "completed"


def test_a_partial_shipment_shows_as_partially_shipped() -> None:
    order = a_placed_order(a_line("CLOCK", 5))
    approve(order)
    order.record_stock_reserved(REPLY, "CLOCK", 3, 3)

    order.record_shipped(REPLY, shipment_id=uuid4(), release_no=1, lines=units("CLOCK", 3))

    assert order.status == "partially_shipped"


def test_a_change_records_only_non_zero_deltas_and_asks_credit_again() -> None:
    order = a_placed_order(a_line("CLOCK", 2), a_line("LAMP", 1, price=500))
    approve(order)

    order.change([a_line("CLOCK", 3), a_line("FAN", 1, price=200)], None)

    changed = order.collect_events()[-1]
    assert isinstance(changed, OrderChanged)
    assert [(c.sku, c.quantity_delta) for c in changed.changes] == [
        ("CLOCK", 1),
        ("LAMP", -1),
        ("FAN", 1),
    ]
    assert changed.total_cents == 3_200
    assert order.state.credit_approved_cents is None


def test_a_change_that_keeps_the_total_keeps_the_approval_and_releases_on_new_stock() -> None:
    # Credit decides again only when the total moves: it sends no answer for the same total.
    order = a_placed_order(a_line("CLOCK", 1), a_line("LAMP", 1))
    approve(order)

    order.change([a_line("CLOCK", 2)], None)
    order.record_stock_reserved(REPLY, "CLOCK", 2, 2)

    assert order.state.credit_approved_cents == 2_000
    released = order.collect_events()[-1]
    assert isinstance(released, OrderReleased)
    assert [(line.sku, line.quantity) for line in released.lines] == [("CLOCK", 2)]


def test_an_address_only_change_touches_no_check_and_a_repeat_is_a_no_op() -> None:
    order = a_placed_order(a_line("CLOCK", 2))
    approve(order)
    order.collect_events()
    new_address = SHIP_TO.model_copy(update={"city": "Shelbyville"})

    order.change(None, new_address)
    order.change(None, new_address)

    [changed] = order.collect_events()
    assert isinstance(changed, OrderChanged) and changed.changes == ()
    assert order.state.credit_approved_cents == 2_000


def test_a_change_below_what_was_released_is_refused() -> None:
    order = a_placed_order(a_line("CLOCK", 2))
    approve(order)
    order.record_stock_reserved(REPLY, "CLOCK", 2, 2)

    with pytest.raises(ReleasedUnitsError):
        order.change([a_line("CLOCK", 1)], None)


def test_change_and_cancel_after_a_shipment_are_refused_saying_to_place_a_new_order() -> None:
    order = a_placed_order(a_line("CLOCK", 2))
    approve(order)
    order.record_stock_reserved(REPLY, "CLOCK", 1, 1)
    order.record_shipped(REPLY, shipment_id=uuid4(), release_no=1, lines=units("CLOCK", 1))

    with pytest.raises(OrderAlreadyShippedError, match="place a new order"):
        order.change([a_line("CLOCK", 3)], None)
    with pytest.raises(OrderAlreadyShippedError, match="place a new order"):
        order.cancel("changed my mind")


def test_cancelling_twice_is_one_cancellation_and_a_rejected_order_cannot_be_cancelled() -> None:
    cancelled = a_placed_order(a_line("CLOCK", 1))
    rejected = a_placed_order(a_line("CLOCK", 1))
    rejected.reject("credit declined")

    cancelled.cancel("no longer needed")
    cancelled.cancel("no longer needed")

    assert event_types(cancelled) == ["OrderCancelled"]
    with pytest.raises(OrderClosedError):
        rejected.cancel("too late")


def _terms(segment: str, priority: int, deadline_hours: int) -> OrderTerms:
    return OrderTerms(segment, priority, NOW + timedelta(hours=deadline_hours), "ship_partial")


def test_a_change_into_another_segment_carries_its_terms_and_tells_the_new_deadline() -> None:
    order = a_placed_order(a_line("CLOCK", 2))
    approve(order)
    order.collect_events()

    order.change([a_line("CLOCK", 2), a_line("FAN", 1)], None, Rechecked(terms=_terms("AB", 4, 3)))
    order.record_credit_approved(REPLY, credit(3_000))
    order.record_stock_reserved(REPLY, "CLOCK", 2, 2)

    changed, moved, *_, released = order.collect_events()
    assert isinstance(changed, OrderChanged)
    assert (changed.segment, changed.priority) == ("AB", 4)
    assert isinstance(moved, OrderDeadlineChanged)
    assert (moved.previous_deadline, moved.deadline) == (NOW + timedelta(hours=1), changed.deadline)
    assert "segment AB (was AA)" in moved.reason
    assert isinstance(released, OrderReleased)
    assert (released.priority, released.deadline) == (4, NOW + timedelta(hours=3))


def test_a_change_that_keeps_the_deadline_tells_no_new_one_and_carries_the_terms_as_they_were() -> (
    None
):
    order = a_placed_order(a_line("CLOCK", 2))

    order.change([a_line("CLOCK", 3)], None)
    order.change([a_line("CLOCK", 3), a_line("FAN", 1)], None, Rechecked(terms=_terms("AB", 4, 1)))

    first, second = [e for e in order.collect_events() if isinstance(e, OrderChanged)]
    assert (first.segment, first.priority, first.deadline) == ("AA", 5, NOW + timedelta(hours=1))
    assert (second.segment, second.priority) == ("AB", 4)
    assert "OrderDeadlineChanged" not in event_types(order)


def test_a_new_line_on_a_sku_with_an_open_andon_pull_holds_the_order_like_at_intake() -> None:
    order = a_placed_order(a_line("CLOCK", 2))
    pull_id = uuid4()
    stop = AndonStop(pull_id, "sku", "FAN", "cracked blades")

    order.change([a_line("CLOCK", 2), a_line("FAN", 1)], None, Rechecked(stops=[stop]))

    held = order.collect_events()[-1]
    assert isinstance(held, OrderHeld)
    assert (held.hold, held.pull_id, held.reason) == ("andon", pull_id, "cracked blades")
    assert order.status == "on_hold"


def test_an_unusual_change_waits_for_confirmation_again() -> None:
    order = a_placed_order(a_line("CLOCK", 2))
    confirm_by = NOW + timedelta(hours=1)

    order.change(
        [a_line("CLOCK", 500)], None, Rechecked(unusual="500 x CLOCK", confirm_by=confirm_by)
    )

    held = order.collect_events()[-1]
    assert isinstance(held, OrderHeld)
    assert (held.hold, held.confirm_by) == ("pattern_check", confirm_by)


def test_fulfillments_address_answers_are_recorded_once_each_and_again_when_they_change() -> None:
    order = a_placed_order(a_line("CLOCK", 2))
    shipment_id = uuid4()
    york = SHIP_TO.model_copy(update={"city": "York"})
    refusal = AddressRefusal(ship_to=SHIP_TO, requested=york, reason="already shipped")

    for ship_to in (york, york, SHIP_TO, york):
        order.record_address_change(REPLY, shipment_id, ship_to, amended=False)
    order.record_address_change_refused(REPLY, shipment_id, refusal)
    order.record_address_change_refused(REPLY, shipment_id, refusal)

    assert event_types(order) == [
        "AddressChangeRecorded",
        "AddressChangeRecorded",
        "AddressChangeRecorded",
        "AddressChangeRefusalRecorded",
    ]
