"""Credit account rules, with no I/O: given its history, when a fact or a decision, then events."""

import pickle
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from services.credit.domain import CreditAccount, NoOpenReviewError, UnknownOrderError
from services.credit.events import (
    CreditApproved,
    CreditDeclined,
    CreditLight,
    CreditNoteNoted,
    CreditProfileDefined,
    CreditReleased,
    CreditReviewClosed,
    CreditReviewRequired,
    OrderAmountReduced,
    PaymentNoted,
    ReleaseReason,
    ReviewOutcome,
    ReviewReason,
)
from shared.messages import DomainEvent
from shared.snapshots import state_of

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
CUSTOMER = "C-100"


def profile(
    light: CreditLight, *, limit: int = 100_000, threshold: int = 50_000
) -> CreditProfileDefined:
    return CreditProfileDefined(
        customer_id=CUSTOMER,
        credit_light=light,
        credit_limit_cents=limit,
        review_threshold_cents=threshold,
    )


def approved(order_id: UUID, amount: int, exposure: int) -> CreditApproved:
    return CreditApproved(
        order_id=order_id, customer_id=CUSTOMER, amount_cents=amount, exposure_cents=exposure
    )


def review_required(
    order_id: UUID, amount: int, reason: ReviewReason, exposure: int = 0
) -> CreditReviewRequired:
    return CreditReviewRequired(
        order_id=order_id,
        customer_id=CUSTOMER,
        amount_cents=amount,
        reason=reason,
        exposure_cents=exposure,
    )


def released(order_id: UUID, amount: int, exposure: int, reason: ReleaseReason) -> CreditReleased:
    return CreditReleased(
        order_id=order_id,
        customer_id=CUSTOMER,
        amount_cents=amount,
        exposure_cents=exposure,
        reason=reason,
    )


def closed(order_id: UUID, outcome: ReviewOutcome, note: str, by: str | None = None) -> DomainEvent:
    return CreditReviewClosed(
        order_id=order_id,
        customer_id=CUSTOMER,
        outcome=outcome,
        note=note,
        decided_by=by,
        decided_at=NOW,
    )


def declined_in_review(order_id: UUID) -> list[DomainEvent]:
    """A red customer's order of 900 cents, rejected in review: credit declined it."""
    return [
        profile(CreditLight.RED),
        review_required(order_id, 900, ReviewReason.RED_LIGHT),
        closed(order_id, ReviewOutcome.REJECTED, "", "ops"),
        CreditDeclined(order_id=order_id, customer_id=CUSTOMER, amount_cents=900, reason="no"),
    ]


def given(*history: DomainEvent) -> CreditAccount:
    return CreditAccount.rehydrate(CUSTOMER, history)


# -- traffic light ---------------------------------------------------------------------------


def test_a_green_customer_is_approved_without_a_check_even_far_over_the_limit() -> None:
    account, order = given(profile(CreditLight.GREEN, limit=1_000, threshold=500)), uuid4()

    account.check(order, 5_000_000)

    assert account.collect_events() == [approved(order, 5_000_000, 5_000_000)]
    assert account.exposure_cents == 5_000_000


def test_a_yellow_customer_below_the_threshold_and_within_the_limit_is_approved() -> None:
    account, order = given(profile(CreditLight.YELLOW)), uuid4()

    account.check(order, 50_000)  # exactly the threshold is not above it

    assert account.collect_events() == [approved(order, 50_000, 50_000)]


def test_a_yellow_customer_above_the_review_threshold_goes_to_review() -> None:
    account, order = given(profile(CreditLight.YELLOW)), uuid4()

    account.check(order, 50_001)

    assert account.collect_events() == [
        review_required(order, 50_001, ReviewReason.OVER_REVIEW_THRESHOLD)
    ]
    assert account.exposure_cents == 0


def test_a_yellow_customer_whose_exposure_would_pass_the_limit_goes_to_review() -> None:
    earlier, order = uuid4(), uuid4()
    account = given(profile(CreditLight.YELLOW), approved(earlier, 40_000, 40_000))
    account.check(uuid4(), 40_000)  # 80_000: still within the limit
    account.collect_events()

    account.check(order, 30_000)  # 110_000 > 100_000

    assert account.collect_events() == [
        review_required(order, 30_000, ReviewReason.OVER_CREDIT_LIMIT, exposure=80_000)
    ]


def test_a_red_customer_is_always_reviewed_however_small_the_order() -> None:
    account, order = given(profile(CreditLight.RED)), uuid4()

    account.check(order, 1)

    assert account.collect_events() == [review_required(order, 1, ReviewReason.RED_LIGHT)]


def test_a_customer_credit_never_heard_of_is_treated_as_red() -> None:
    account, order = given(), uuid4()

    account.check(order, 1)

    assert account.collect_events() == [review_required(order, 1, ReviewReason.UNKNOWN_CUSTOMER)]


def test_an_order_is_decided_once_however_often_its_placement_arrives() -> None:
    order = uuid4()
    account = given(profile(CreditLight.GREEN), approved(order, 700, 700))

    account.check(order, 700)

    assert account.collect_events() == []
    assert account.exposure_cents == 700


# -- profile -----------------------------------------------------------------------------------


def test_the_latest_definition_wins_and_applies_to_later_decisions_only() -> None:
    earlier = uuid4()
    account = given(profile(CreditLight.GREEN), approved(earlier, 90_000, 90_000))

    account.define_profile(CreditLight.RED, 100_000, 50_000)
    later = uuid4()
    account.check(later, 100)

    assert account.collect_events() == [
        profile(CreditLight.RED),
        review_required(later, 100, ReviewReason.RED_LIGHT, exposure=90_000),
    ]
    assert account.orders[earlier].approved_cents == 90_000


def test_the_same_definition_again_records_nothing() -> None:
    account = given(profile(CreditLight.YELLOW))

    account.define_profile(CreditLight.YELLOW, 100_000, 50_000)

    assert account.collect_events() == []


def test_a_profile_arriving_after_the_order_settles_its_review_when_the_rule_approves() -> None:
    order = uuid4()
    account = given(review_required(order, 2_000, ReviewReason.UNKNOWN_CUSTOMER))

    account.define_profile(CreditLight.GREEN, 0, 0)
    awaiting = account.reviews_awaiting_profile()
    for order_id in awaiting:
        account.settle_review_awaiting_profile(order_id, NOW)

    assert awaiting == [order]
    assert account.collect_events()[1:] == [
        closed(order, ReviewOutcome.OBSOLETE, "customer profile arrived"),
        approved(order, 2_000, 2_000),
    ]
    account.settle_review_awaiting_profile(order, NOW)
    assert account.collect_events() == []


def test_a_profile_arriving_after_the_order_keeps_the_review_when_its_rule_wants_one() -> None:
    order = uuid4()
    account = given(review_required(order, 2_000, ReviewReason.UNKNOWN_CUSTOMER))
    account.define_profile(CreditLight.RED, 0, 0)
    account.collect_events()

    account.settle_review_awaiting_profile(order, NOW)

    assert account.collect_events() == []
    assert account.orders[order].review is ReviewReason.UNKNOWN_CUSTOMER


# -- manual review -----------------------------------------------------------------------------


def test_approving_a_review_approves_the_order_and_adds_it_to_exposure() -> None:
    order = uuid4()
    account = given(
        profile(CreditLight.RED),
        approved(uuid4(), 300, 300),
        review_required(order, 5_000, ReviewReason.RED_LIGHT, 300),
    )

    account.approve_review(order, "known good payer", "ops", NOW)

    assert account.collect_events() == [
        closed(order, ReviewOutcome.APPROVED, "known good payer", "ops"),
        approved(order, 5_000, 5_300),
    ]


def test_rejecting_a_review_declines_the_order_and_leaves_exposure_alone() -> None:
    order = uuid4()
    account = given(profile(CreditLight.RED), review_required(order, 5_000, ReviewReason.RED_LIGHT))

    account.reject_review(order, "unpaid invoices", "ops", NOW)

    assert account.collect_events() == [
        closed(order, ReviewOutcome.REJECTED, "unpaid invoices", "ops"),
        CreditDeclined(
            order_id=order,
            customer_id=CUSTOMER,
            amount_cents=5_000,
            reason="rejected in credit review: unpaid invoices",
        ),
    ]
    assert account.exposure_cents == 0


@pytest.mark.parametrize("decide", ["approve_review", "reject_review"])
def test_a_decided_review_cannot_be_decided_again(decide: str) -> None:
    order = uuid4()
    account = given(
        profile(CreditLight.RED),
        review_required(order, 5_000, ReviewReason.RED_LIGHT),
        closed(order, ReviewOutcome.APPROVED, "", "ops"),
        approved(order, 5_000, 5_000),
    )

    with pytest.raises(NoOpenReviewError):
        getattr(account, decide)(order, "", "ops", NOW)
    assert account.collect_events() == []


def test_an_order_approved_without_review_has_no_review_to_decide() -> None:
    order = uuid4()
    account = given(profile(CreditLight.GREEN), approved(order, 100, 100))

    with pytest.raises(NoOpenReviewError):
        account.approve_review(order, "", "ops", NOW)


def test_deciding_a_review_of_an_order_the_account_never_saw_is_not_found() -> None:
    with pytest.raises(UnknownOrderError):
        given(profile(CreditLight.RED)).reject_review(uuid4(), "", "ops", NOW)


# -- releases ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", [ReleaseReason.CANCELLED, ReleaseReason.REJECTED])
def test_an_ended_order_releases_what_was_approved_once(reason: ReleaseReason) -> None:
    order = uuid4()
    account = given(
        profile(CreditLight.GREEN), approved(uuid4(), 100, 100), approved(order, 400, 500)
    )

    account.release(order, reason, NOW)
    account.release(order, reason, NOW)

    assert account.collect_events() == [released(order, 400, 100, reason)]
    assert account.exposure_cents == 100


def test_a_cancelled_order_under_review_closes_the_review_as_obsolete_and_releases_nothing() -> (
    None
):
    order = uuid4()
    account = given(profile(CreditLight.RED), review_required(order, 900, ReviewReason.RED_LIGHT))

    account.release(order, ReleaseReason.CANCELLED, NOW)
    account.release(order, ReleaseReason.CANCELLED, NOW)

    assert account.collect_events() == [
        closed(order, ReviewOutcome.OBSOLETE, "order cancelled"),
    ]
    with pytest.raises(NoOpenReviewError):
        account.approve_review(order, "", "ops", NOW)


def test_a_rejected_order_that_credit_declined_releases_nothing() -> None:
    order = uuid4()
    account = given(*declined_in_review(order))

    account.release(order, ReleaseReason.REJECTED, NOW)

    assert account.collect_events() == []


def test_releasing_an_order_credit_never_saw_does_nothing() -> None:
    account = given(profile(CreditLight.GREEN))

    account.release(uuid4(), ReleaseReason.CANCELLED, NOW)

    assert account.collect_events() == []


def test_a_payment_releases_the_paid_amount_and_a_repeat_of_it_releases_nothing() -> None:
    order = uuid4()
    account = given(profile(CreditLight.GREEN), approved(order, 1_000, 1_000))

    account.record_payment("inv-1", order, amount_cents=600, paid_cents=600)
    account.record_payment("inv-1", order, amount_cents=600, paid_cents=600)
    account.record_payment("inv-1", order, amount_cents=400, paid_cents=1_000)

    assert account.collect_events() == [
        PaymentNoted(invoice_id="inv-1", order_id=order, customer_id=CUSTOMER, paid_cents=600),
        released(order, 600, 400, ReleaseReason.PAID),
        PaymentNoted(invoice_id="inv-1", order_id=order, customer_id=CUSTOMER, paid_cents=1_000),
        released(order, 400, 0, ReleaseReason.PAID),
    ]


def test_a_payment_never_releases_more_than_the_order_has_approved() -> None:
    order = uuid4()
    account = given(
        profile(CreditLight.GREEN), approved(uuid4(), 5_000, 5_000), approved(order, 300, 5_300)
    )

    account.record_payment("inv-1", order, amount_cents=900, paid_cents=None)

    assert account.collect_events()[1:] == [released(order, 300, 5_000, ReleaseReason.PAID)]
    assert order not in account.orders and order in account.settled  # nothing approved left


def test_units_cancelled_by_a_short_pick_leave_exposure_once_and_later_payments_fit() -> None:
    order = uuid4()
    account = given(profile(CreditLight.GREEN), approved(order, 1_000, 1_000))

    account.reduce(order, 600)
    account.reduce(order, 600)  # the same fact, told twice
    account.record_payment("inv-1", order, amount_cents=600, paid_cents=600)

    assert account.collect_events() == [
        OrderAmountReduced(order_id=order, customer_id=CUSTOMER, amount_cents=600),
        released(order, 400, 600, ReleaseReason.SHORT_PICKED),
        PaymentNoted(invoice_id="inv-1", order_id=order, customer_id=CUSTOMER, paid_cents=600),
        released(order, 600, 0, ReleaseReason.PAID),
    ]
    assert order in account.settled


def test_a_credit_note_on_an_open_invoice_lowers_exposure_once_and_a_refund_not_at_all() -> None:
    order, other = uuid4(), uuid4()
    account = given(
        profile(CreditLight.GREEN), approved(order, 3_000, 3_000), approved(other, 500, 3_500)
    )

    account.record_credit_note("cn-1", order, 1_000)
    account.record_credit_note("cn-1", order, 1_000)  # the same note, told twice
    account.record_credit_note("cn-2", order, 0)  # a refund: the invoice was paid

    assert account.collect_events() == [
        CreditNoteNoted(
            credit_note_id="cn-1", order_id=order, customer_id=CUSTOMER, applied_cents=1_000
        ),
        released(order, 1_000, 2_500, ReleaseReason.CREDITED),
    ]


def test_a_credit_note_for_an_order_already_settled_changes_nothing() -> None:
    order = uuid4()
    account = given(
        profile(CreditLight.GREEN),
        approved(order, 1_000, 1_000),
        released(order, 1_000, 0, ReleaseReason.PAID),
    )

    account.record_credit_note("cn-1", order, 400)

    assert account.collect_events() == []
    assert account.exposure_cents == 0


def test_a_payment_without_a_running_total_adds_up_per_invoice() -> None:
    order = uuid4()
    account = given(profile(CreditLight.GREEN), approved(order, 1_000, 1_000))

    account.record_payment("inv-1", order, amount_cents=250, paid_cents=None)
    account.record_payment("inv-1", order, amount_cents=250, paid_cents=None)

    assert account.orders[order].paid_by_invoice == {"inv-1": 500}
    assert account.exposure_cents == 500


# -- changes -----------------------------------------------------------------------------------


def test_a_changed_total_releases_the_old_amount_and_decides_the_new_one_afresh() -> None:
    order = uuid4()
    account = given(profile(CreditLight.YELLOW), approved(order, 10_000, 10_000))

    account.recheck(order, 60_000, NOW)

    assert account.collect_events() == [
        released(order, 10_000, 0, ReleaseReason.CHANGED),
        review_required(order, 60_000, ReviewReason.OVER_REVIEW_THRESHOLD),
    ]
    account.approve_review(order, "", "ops", NOW)
    assert account.collect_events()[-1] == approved(order, 60_000, 60_000)


def test_a_change_under_review_closes_the_old_review_and_may_approve_the_new_total() -> None:
    order = uuid4()
    account = given(
        profile(CreditLight.YELLOW),
        review_required(order, 60_000, ReviewReason.OVER_REVIEW_THRESHOLD),
    )

    account.recheck(order, 20_000, NOW)

    assert account.collect_events() == [
        closed(order, ReviewOutcome.OBSOLETE, "order changed"),
        approved(order, 20_000, 20_000),
    ]


def test_a_change_that_keeps_the_total_and_a_repeated_change_do_nothing() -> None:
    order = uuid4()
    account = given(
        profile(CreditLight.GREEN),
        approved(order, 10_000, 10_000),
        released(order, 10_000, 0, ReleaseReason.CHANGED),
        approved(order, 12_000, 12_000),
    )

    account.recheck(order, 12_000, NOW)

    assert account.collect_events() == []
    assert account.exposure_cents == 12_000


def test_a_change_of_a_declined_order_is_not_decided_again() -> None:
    order = uuid4()
    account = given(*declined_in_review(order))

    account.recheck(order, 100, NOW)

    assert account.collect_events() == []


# -- a long history -----------------------------------------------------------------------------


def test_paid_and_cancelled_orders_leave_the_account_so_its_state_stops_growing() -> None:
    account = given(profile(CreditLight.GREEN, limit=10**9, threshold=10**9))

    def serve(orders: int) -> None:
        for n in range(orders):
            order_id = uuid4()
            account.check(order_id, 1_000)
            if n % 4 == 0:
                account.release(order_id, ReleaseReason.CANCELLED, NOW)
            else:
                account.record_payment(
                    f"inv-{order_id}", order_id, amount_cents=1_000, paid_cents=1_000
                )
            account.collect_events()

    serve(3_000)
    after_first = len(pickle.dumps(state_of(account)))
    serve(3_000)

    assert account.orders == {}
    assert account.exposure_cents == 0
    assert len(pickle.dumps(state_of(account))) <= after_first * 1.05


def test_a_settled_order_checked_again_is_not_decided_again() -> None:
    order = uuid4()
    account = given(profile(CreditLight.GREEN), approved(order, 300, 300))
    account.record_payment("inv-1", order, amount_cents=300, paid_cents=300)
    account.collect_events()

    account.check(order, 300)
    account.record_payment("inv-1", order, amount_cents=300, paid_cents=300)

    assert account.collect_events() == []
    assert account.exposure_cents == 0


def test_a_cancelled_order_under_review_is_settled_and_its_review_gone() -> None:
    order = uuid4()
    account = given(profile(CreditLight.RED), review_required(order, 300, ReviewReason.RED_LIGHT))

    account.release(order, ReleaseReason.CANCELLED, NOW)

    assert order not in account.orders
    with pytest.raises(NoOpenReviewError):
        account.approve_review(order, "", "ops", NOW)
