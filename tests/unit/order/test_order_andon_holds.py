"""Order holds without I/O: andon pulls by target, several pulls, and every hold published."""

from uuid import UUID, uuid4

import pytest
from order_builders import (
    REPLY,
    a_line,
    a_placed_order,
    an_intake,
    approve,
    credit,
    event_types,
    units,
)

from services.order.domain import AndonStop, Order
from services.order.events import OrderHeld, OrderHoldLifted
from shared.errors import InvalidRequestError


def a_stop(kind: str, target: str, pull_id: UUID | None = None) -> AndonStop:
    return AndonStop(pull_id or uuid4(), kind, target, f"{kind} {target} stopped")


def holds_of(order: Order) -> list[tuple[str, str, UUID | None]]:
    return [
        (type(e).__name__, e.hold, e.pull_id)
        for e in order.collect_events()
        if isinstance(e, OrderHeld | OrderHoldLifted)
    ]


def a_ready_order(sku: str = "CLOCK") -> Order:
    """Credit approved and stock reserved: only a hold keeps it from releasing."""
    order = a_placed_order(a_line(sku, 1))
    stop = a_stop("order", order.id)
    order.hold_for_pull(stop)
    approve(order)
    order.record_stock_reserved(REPLY, sku, 1, 1)
    order.collect_events()
    return order


@pytest.mark.parametrize(
    ("kind", "target"), [("order", None), ("customer", "acme"), ("sku", "CLOCK")]
)
def test_a_pull_on_the_order_its_customer_or_its_sku_holds_it(kind: str, target: str) -> None:
    order = a_placed_order(a_line("CLOCK", 1))
    stop = a_stop(kind, target or order.id)

    order.hold_for_pull(stop)
    order.hold_for_pull(stop)

    assert holds_of(order) == [("OrderHeld", "andon", stop.pull_id)]
    assert (order.status, order.state.holds) == ("on_hold", {"andon"})


@pytest.mark.parametrize(
    ("kind", "target"), [("order", "another"), ("customer", "globex"), ("sku", "LAMP")]
)
def test_a_pull_on_something_else_leaves_the_order_alone(kind: str, target: str) -> None:
    order = a_placed_order(a_line("CLOCK", 1))

    order.hold_for_pull(a_stop(kind, target))

    assert order.collect_events() == []


def test_a_sku_pull_holds_only_orders_with_nothing_released() -> None:
    released = a_placed_order(a_line("CLOCK", 2))
    approve(released)
    released.record_stock_reserved(REPLY, "CLOCK", 1, 1)
    released.collect_events()

    released.hold_for_pull(a_stop("sku", "CLOCK"))

    assert released.collect_events() == []


def test_a_customer_pull_spares_fully_shipped_and_ended_orders() -> None:
    shipped = a_placed_order(a_line("CLOCK", 1))
    approve(shipped)
    shipped.record_stock_reserved(REPLY, "CLOCK", 1, 1)
    shipped.record_shipped(REPLY, shipment_id=uuid4(), release_no=1, lines=units("CLOCK", 1))
    cancelled = a_placed_order(a_line("CLOCK", 1))
    cancelled.cancel("no longer needed")
    for order in (shipped, cancelled):
        order.collect_events()

        order.hold_for_pull(a_stop("customer", "acme"))

        assert order.collect_events() == []


def test_the_andon_hold_lifts_only_when_the_last_pull_is_resolved_and_the_order_resumes() -> None:
    order = a_ready_order()
    [first] = order.state.andon_pulls
    second = a_stop("customer", "acme")
    order.hold_for_pull(second)

    order.lift_pull_hold(first, "fixed")
    order.lift_pull_hold(first, "fixed")
    assert (order.state.holds, "OrderReleased" in event_types(order)) == ({"andon"}, False)
    order.lift_pull_hold(second.pull_id, "fixed")

    assert event_types(order) == ["OrderHoldLifted", "OrderReleased"]
    assert order.status == "released"


def test_a_lift_says_whether_another_pull_still_holds_the_order() -> None:
    order = a_ready_order()
    [first] = order.state.andon_pulls
    second = a_stop("sku", "CLOCK")
    order.hold_for_pull(second)
    order.collect_events()

    order.lift_pull_hold(first, "fixed")
    order.lift_pull_hold(second.pull_id, "fixed")

    lifts = [e for e in order.collect_events() if isinstance(e, OrderHoldLifted)]
    assert [(e.pull_id, e.still_held) for e in lifts] == [(first, True), (second.pull_id, False)]


def test_an_order_placed_while_its_customer_or_sku_is_stopped_is_held_from_the_start() -> None:
    on_customer, on_sku = a_stop("customer", "acme"), a_stop("sku", "CLOCK")

    order = Order.place(
        uuid4(),
        an_intake(),
        [a_line("CLOCK", 1)],
        stops=[on_customer, on_sku, a_stop("sku", "LAMP")],
    )

    assert holds_of(order) == [
        ("OrderHeld", "andon", on_customer.pull_id),
        ("OrderHeld", "andon", on_sku.pull_id),
    ]
    assert order.status == "on_hold"


def test_every_kind_of_hold_is_published_when_it_opens_and_lifts() -> None:
    order = a_placed_order(a_line("CLOCK", 2), unusual="first order worth a lot")
    order.record_credit_review(REPLY, credit(2_000), "red customer")
    order.record_stock_backordered(REPLY, "CLOCK", 2)
    order.hold_for_pull(a_stop("order", order.id, UUID(int=1)))

    order.confirm()
    order.record_credit_approved(REPLY, credit(2_000))
    order.record_stock_reserved(REPLY, "CLOCK", 2, 2)
    order.lift_pull_hold(UUID(int=1), "fixed")

    assert holds_of(order) == [
        ("OrderHeld", "credit_review", None),
        ("OrderHeld", "backorder", None),
        ("OrderHeld", "andon", UUID(int=1)),
        ("OrderHoldLifted", "pattern_check", None),
        ("OrderHoldLifted", "credit_review", None),
        ("OrderHoldLifted", "backorder", None),
        ("OrderHoldLifted", "andon", UUID(int=1)),
    ]
    assert order.status == "released"


def test_the_history_rebuilds_the_same_holds_and_pulls() -> None:
    first, second = a_stop("customer", "acme"), a_stop("sku", "CLOCK")
    order = Order.place(uuid4(), an_intake(), [a_line("CLOCK", 1)], stops=[first, second])
    order.record_stock_backordered(REPLY, "CLOCK", 1)
    order.lift_pull_hold(first.pull_id, "fixed")

    again = Order.rehydrate(order.id, order.collect_events())

    assert again.state.holds == order.state.holds == {"andon", "backorder"}
    assert again.state.andon_pulls == order.state.andon_pulls == {second.pull_id}


class TestReturns:
    def test_shipped_units_may_be_returned_once(self) -> None:
        order = a_placed_order(a_line("CLOCK", 2))
        approve(order)
        order.record_stock_reserved(REPLY, "CLOCK", 2, 2)
        order.record_shipped(REPLY, shipment_id=uuid4(), release_no=1, lines=units("CLOCK", 2))

        first = order.record_return(units("CLOCK", 1), "scratched")
        second = order.record_return(units("CLOCK", 1), "scratched")

        assert (first.return_no, second.return_no) == (1, 2)
        with pytest.raises(InvalidRequestError) as refused:
            order.record_return(units("CLOCK", 1), "scratched")
        assert refused.value.errors[0]["field"] == "lines.0.quantity"

    def test_a_return_of_an_unknown_sku_or_of_unshipped_units_names_the_field(self) -> None:
        order = a_placed_order(a_line("CLOCK", 2))

        with pytest.raises(InvalidRequestError) as refused:
            order.record_return([*units("FAN", 1), *units("CLOCK", 1)], "broken")

        assert [e["field"] for e in refused.value.errors] == ["lines.0.sku", "lines.1.quantity"]
        assert order.collect_events() == []
