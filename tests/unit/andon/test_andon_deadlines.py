"""Deadlines of waiting states and the steps after the shipment, as one order's watch sees them."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from services.andon.domain import (
    DeadlinePolicy,
    Deadlines,
    OrderWatch,
    Status,
    Step,
    Timeouts,
    andon_hold,
)
from services.andon.events import HandOffAwaited

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
TIMEOUTS = Timeouts(
    answer=timedelta(minutes=5),
    release_grace=timedelta(minutes=5),
    shipment=timedelta(minutes=30),
    invoice=timedelta(minutes=60),
    delivery=timedelta(days=2),
    credit_review=timedelta(hours=8),
    backorder=timedelta(days=3),
    andon_hold=timedelta(hours=4),
    payment=timedelta(days=30),
)


def minutes(n: float) -> datetime:
    return NOW + timedelta(minutes=n)


def a_placed_order() -> OrderWatch:
    watch = OrderWatch(str(uuid4()))
    watch.place(
        customer_id="acme",
        lines={"RETRO-CLOCK": 2},
        deadline=minutes(60),
        backorder_rule="ship_partial",
        at=NOW,
    )
    return watch


def shipped(watch: OrderWatch, at: datetime) -> tuple[OrderWatch, UUID]:
    watch.credit_answered("approved", at=NOW)
    watch.stock_reserved("RETRO-CLOCK", reserved_total=2, at=NOW)
    watch.release_observed(1, at=NOW)
    shipment_id = uuid4()
    watch.shipment_observed(1, at=at, shipment_id=shipment_id)
    return watch, shipment_id


def test_a_credit_review_is_overdue_at_the_policy_deadline_and_ends_with_the_decision() -> None:
    watch = a_placed_order()
    watch.stock_reserved("RETRO-CLOCK", reserved_total=2, at=NOW)
    watch.credit_answered("review", at=minutes(1))

    assert watch.statuses()[Step.CREDIT_REVIEW] is Status.ACTIVE
    assert watch.overdue(minutes(1 + 8 * 60 - 0.1), TIMEOUTS) == []
    assert watch.overdue(minutes(1 + 8 * 60), TIMEOUTS) == [
        (Step.CREDIT_REVIEW, minutes(1 + 8 * 60))
    ]

    watch.credit_answered("approved", at=minutes(9 * 60))

    assert watch.statuses()[Step.CREDIT_REVIEW] is Status.IDLE
    assert [step for step, _ in watch.overdue(minutes(10 * 60), TIMEOUTS)] == [Step.RELEASE]


def test_a_pattern_check_hold_is_due_when_the_customer_had_to_confirm_plus_the_grace() -> None:
    watch = a_placed_order()
    watch.credit_answered("approved", at=NOW)
    watch.stock_reserved("RETRO-CLOCK", reserved_total=2, at=NOW)
    watch.hold("pattern_check", at=NOW, due=minutes(60))

    assert watch.overdue(minutes(64.9), TIMEOUTS) == []
    assert watch.overdue(minutes(65), TIMEOUTS) == [(Step.PATTERN_CHECK, minutes(65))]

    watch.lift("pattern_check", at=minutes(66))

    assert watch.statuses()[Step.PATTERN_CHECK] is Status.IDLE


def test_a_backorder_waits_for_purchasing_but_not_while_an_andon_stops_the_order() -> None:
    watch = a_placed_order()
    watch.credit_answered("approved", at=NOW)
    watch.stock_reserved("RETRO-CLOCK", reserved_total=1, backordered_total=1, at=NOW)

    assert watch.statuses()[Step.BACKORDER] is Status.ACTIVE
    pull = andon_hold(uuid4())
    watch.hold(pull, at=minutes(10))

    assert watch.statuses()[Step.BACKORDER] is Status.PAUSED
    assert watch.statuses()[Step.ANDON_HOLD] is Status.ACTIVE
    assert watch.overdue(minutes(10 + 4 * 60), TIMEOUTS) == [
        (Step.ANDON_HOLD, minutes(10 + 4 * 60))
    ]
    assert watch.andon_pulls() == [pull.removeprefix("andon:")]


def test_an_invoice_is_due_after_the_shipment_and_the_payment_by_the_term_of_each_invoice() -> None:
    watch, shipment_id = shipped(a_placed_order(), minutes(10))

    assert watch.statuses()[Step.INVOICE] is Status.ACTIVE
    assert watch.overdue(minutes(70), TIMEOUTS) == [(Step.INVOICE, minutes(70))]

    first, second = uuid4(), uuid4()
    watch.invoice_observed(first, shipment_id=shipment_id, at=minutes(20))
    watch.release_observed(2, at=minutes(30))
    later = uuid4()
    watch.shipment_observed(2, at=minutes(40), shipment_id=later)
    watch.invoice_observed(second, shipment_id=later, at=minutes(50))

    assert watch.statuses()[Step.INVOICE] is Status.DONE
    assert watch.statuses()[Step.PAYMENT] is Status.ACTIVE
    watch.payment_observed(first, at=minutes(60))
    for delivered in (shipment_id, later):
        watch.delivery_observed(delivered, at=minutes(70))

    # The oldest unpaid invoice now is the second: its term runs from its issue.
    term = timedelta(days=30)
    assert watch.overdue(minutes(50) + term - timedelta(seconds=1), TIMEOUTS) == []
    assert watch.overdue(minutes(50) + term, TIMEOUTS) == [(Step.PAYMENT, minutes(50) + term)]
    awaited = [e.since for e in watch.collect_events() if isinstance(e, HandOffAwaited)]
    assert minutes(50) in awaited


def test_a_completed_order_still_awaits_its_delivery() -> None:
    watch, shipment_id = shipped(a_placed_order(), minutes(10))
    invoice = uuid4()
    watch.invoice_observed(invoice, shipment_id=shipment_id, at=minutes(11))
    watch.payment_observed(invoice, at=minutes(12))
    watch.end("completed", at=minutes(12))

    statuses = watch.statuses()
    assert statuses[Step.DELIVERY] is Status.ACTIVE
    assert {s for s, status in statuses.items() if status is not Status.IDLE} == {Step.DELIVERY}
    assert watch.overdue(minutes(10) + timedelta(days=2), TIMEOUTS) == [
        (Step.DELIVERY, minutes(10) + timedelta(days=2))
    ]

    watch.delivery_observed(shipment_id, at=minutes(30))

    assert watch.statuses()[Step.DELIVERY] is Status.DONE


def test_the_policy_sets_the_deadlines_of_waiting_states_once_per_change() -> None:
    policy = DeadlinePolicy()
    tight = Deadlines(credit_review_minutes=0.05, payment_term_days=14)

    policy.adopt(tight)
    policy.adopt(tight)

    assert len(policy.collect_events()) == 1
    timeouts = policy.deadlines.applied_to(TIMEOUTS)
    assert timeouts.credit_review == timedelta(seconds=3)
    assert timeouts.payment == timedelta(days=14)
    assert timeouts.answer == TIMEOUTS.answer  # the settings' hand-off timeouts stay
