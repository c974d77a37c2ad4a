"""The gap watchdog's view of one order: awaited hand-offs, their deadlines, pauses, gaps."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from services.andon.domain import OrderWatch, Status, Step, Timeouts, andon_hold
from services.andon.events import GapClosed, GapDetected, HandOffAwaited, HandOffPaused

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
TIMEOUTS = Timeouts(
    answer=timedelta(minutes=5),
    release_grace=timedelta(minutes=5),
    shipment=timedelta(minutes=30),
)
DEADLINE = NOW + timedelta(minutes=60)


def minutes(n: float) -> datetime:
    return NOW + timedelta(minutes=n)


def a_placed_order(rule: str = "ship_partial") -> OrderWatch:
    watch = OrderWatch(str(uuid4()))
    watch.place(
        customer_id="acme",
        lines={"RETRO-CLOCK": 2, "TEAPOT": 1},
        deadline=DEADLINE,
        backorder_rule=rule,
        at=NOW,
    )
    return watch


def checked_and_stocked(watch: OrderWatch, at: datetime = NOW) -> OrderWatch:
    watch.credit_answered("approved", at=at)
    watch.stock_reserved("RETRO-CLOCK", reserved_total=2, at=at)
    watch.stock_reserved("TEAPOT", reserved_total=1, at=at)
    return watch


def test_a_placed_order_awaits_the_stock_and_the_credit_answer() -> None:
    watch = a_placed_order()

    statuses = watch.statuses()

    assert statuses[Step.CREDIT_CHECK] is Status.ACTIVE
    assert statuses[Step.STOCK_CHECK] is Status.ACTIVE
    assert statuses[Step.RELEASE] is Status.IDLE
    awaited = [e.step for e in watch.collect_events() if isinstance(e, HandOffAwaited)]
    assert awaited == [Step.CREDIT_CHECK, Step.STOCK_CHECK]


def test_a_missing_stock_answer_is_overdue_after_the_answer_timeout() -> None:
    watch = a_placed_order()
    watch.credit_answered("approved", at=minutes(1))
    watch.stock_reserved("RETRO-CLOCK", reserved_total=2, at=minutes(1))

    assert watch.overdue(minutes(4.9), TIMEOUTS) == []
    assert watch.overdue(minutes(5), TIMEOUTS) == [(Step.STOCK_CHECK, minutes(5))]


def test_once_credit_and_stock_allow_it_the_release_is_due_by_the_deadline() -> None:
    watch = checked_and_stocked(a_placed_order(), at=minutes(1))

    assert watch.statuses()[Step.RELEASE] is Status.ACTIVE
    assert watch.overdue(minutes(59), TIMEOUTS) == []
    assert watch.overdue(minutes(60), TIMEOUTS) == [(Step.RELEASE, DEADLINE)]


def test_a_release_possible_only_after_the_deadline_still_gets_its_grace() -> None:
    watch = checked_and_stocked(a_placed_order(), at=minutes(70))

    assert watch.overdue(minutes(74), TIMEOUTS) == []
    assert watch.overdue(minutes(75), TIMEOUTS) == [(Step.RELEASE, minutes(75))]


def test_a_hold_pauses_the_release_clock_and_pushes_the_deadline_back() -> None:
    watch = checked_and_stocked(a_placed_order(), at=minutes(1))
    pull_id = uuid4()

    watch.hold(andon_hold(pull_id), at=minutes(10))
    paused = watch.overdue(minutes(200), TIMEOUTS)
    watch.lift(andon_hold(pull_id), at=minutes(40))

    assert paused == []
    assert any(isinstance(e, HandOffPaused) for e in watch.collect_events())
    # Held for 30 minutes: due 30 minutes after the deadline.
    assert watch.overdue(minutes(89), TIMEOUTS) == []
    assert watch.overdue(minutes(90), TIMEOUTS) == [(Step.RELEASE, minutes(90))]


def test_a_credit_review_pauses_the_release_until_the_decision() -> None:
    watch = a_placed_order()
    watch.stock_reserved("RETRO-CLOCK", reserved_total=2, at=NOW)
    watch.stock_reserved("TEAPOT", reserved_total=1, at=NOW)
    watch.credit_answered("review", at=minutes(1))

    assert watch.statuses()[Step.RELEASE] is Status.PAUSED
    watch.credit_answered("approved", at=minutes(121))

    assert watch.overdue(minutes(179), TIMEOUTS) == []
    assert watch.overdue(minutes(180), TIMEOUTS) == [(Step.RELEASE, minutes(180))]


def test_a_backorder_pauses_a_wait_complete_release_but_not_a_partial_one() -> None:
    complete = a_placed_order("wait_complete")
    partial = a_placed_order("ship_partial")
    for watch in (complete, partial):
        watch.credit_answered("approved", at=NOW)
        watch.stock_reserved("RETRO-CLOCK", reserved_total=2, at=NOW)
        watch.stock_backordered("TEAPOT", at=NOW)

    assert complete.statuses()[Step.RELEASE] is Status.PAUSED
    assert partial.statuses()[Step.RELEASE] is Status.ACTIVE


def test_after_a_release_the_shipment_is_awaited_and_its_arrival_closes_the_gap() -> None:
    watch = checked_and_stocked(a_placed_order())
    watch.release_observed(1, at=minutes(2))
    [(step, due)] = watch.overdue(minutes(32), TIMEOUTS)
    watch.record_gap(step, expected_by=due, now=minutes(32), pull_id=uuid4())

    watch.shipment_observed(1, at=minutes(40))

    assert (step, due) == (Step.SHIPMENT, minutes(32))
    events = watch.collect_events()
    assert [e.step for e in events if isinstance(e, GapDetected)] == [Step.SHIPMENT]
    assert [e.step for e in events if isinstance(e, GapClosed)] == [Step.SHIPMENT]
    assert watch.statuses()[Step.SHIPMENT] is Status.DONE


def test_a_gap_is_reported_once_per_order_and_step() -> None:
    watch = a_placed_order()
    [(step, due)] = [
        (s, d) for s, d in watch.overdue(minutes(6), TIMEOUTS) if s is Step.CREDIT_CHECK
    ]

    watch.record_gap(step, expected_by=due, now=minutes(6), pull_id=None)
    watch.record_gap(step, expected_by=due, now=minutes(7), pull_id=None)

    assert len([e for e in watch.collect_events() if isinstance(e, GapDetected)]) == 1
    assert Step.CREDIT_CHECK not in dict(watch.overdue(minutes(8), TIMEOUTS))


def test_an_andon_hold_pauses_the_shipment_and_its_lift_restarts_the_clock() -> None:
    watch = checked_and_stocked(a_placed_order())
    watch.release_observed(1, at=NOW)
    hold = andon_hold(uuid4())

    watch.hold(hold, at=minutes(1))
    watch.lift(hold, at=minutes(100))

    assert watch.overdue(minutes(129), TIMEOUTS) == []
    assert watch.overdue(minutes(130), TIMEOUTS) == [(Step.SHIPMENT, minutes(130))]


def test_a_cancelled_order_awaits_nothing() -> None:
    watch = a_placed_order()

    watch.end("cancelled", at=minutes(1))

    assert set(watch.statuses().values()) == {Status.IDLE}
    assert watch.overdue(minutes(500), TIMEOUTS) == []


def test_answers_arriving_before_the_order_count_once_it_is_placed() -> None:
    order_id = str(uuid4())
    watch = OrderWatch(order_id)
    watch.credit_answered("approved", at=NOW)

    watch.place(
        customer_id="acme",
        lines={"TEAPOT": 1},
        deadline=DEADLINE,
        backorder_rule="ship_partial",
        at=NOW,
    )

    assert watch.statuses()[Step.CREDIT_CHECK] is Status.DONE


def test_a_change_of_quantities_awaits_new_stock_and_credit_answers() -> None:
    watch = checked_and_stocked(a_placed_order())

    watch.change(lines={"RETRO-CLOCK": 5, "TEAPOT": 1}, increased=("RETRO-CLOCK",), at=minutes(3))

    assert watch.statuses()[Step.CREDIT_CHECK] is Status.ACTIVE
    assert watch.statuses()[Step.STOCK_CHECK] is Status.ACTIVE
    assert watch.overdue(minutes(8), TIMEOUTS) == [
        (Step.CREDIT_CHECK, minutes(8)),
        (Step.STOCK_CHECK, minutes(8)),
    ]


def test_a_change_that_keeps_the_total_awaits_stock_but_no_new_credit_answer() -> None:
    watch = OrderWatch(str(uuid4()))
    watch.place(
        customer_id="acme",
        lines={"RETRO-CLOCK": 1, "TEAPOT": 1},
        deadline=DEADLINE,
        backorder_rule="ship_partial",
        at=NOW,
        total_cents=2_000,
    )
    watch.credit_answered("approved", at=NOW)

    watch.change(
        lines={"RETRO-CLOCK": 2}, increased=("RETRO-CLOCK",), at=minutes(1), total_cents=2_000
    )

    assert watch.statuses()[Step.CREDIT_CHECK] is Status.DONE
    assert watch.statuses()[Step.STOCK_CHECK] is Status.ACTIVE
    watch.change(lines={"RETRO-CLOCK": 3}, increased=("RETRO-CLOCK",), at=minutes(2))
    assert watch.statuses()[Step.CREDIT_CHECK] is Status.ACTIVE  # a total not told: re-decided


def test_a_watch_rebuilt_from_its_events_keeps_its_clocks() -> None:
    watch = checked_and_stocked(a_placed_order(), at=minutes(1))
    watch.hold("pattern_check", at=minutes(10))
    watch.lift("pattern_check", at=minutes(20))

    rebuilt = OrderWatch.rehydrate(watch.id, watch.collect_events())

    assert rebuilt.overdue(minutes(70), TIMEOUTS) == [(Step.RELEASE, minutes(70))]
