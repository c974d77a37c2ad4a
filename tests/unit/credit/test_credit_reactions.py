"""Credit reactions to order and fulfillment events, through the handlers on a SQLite database."""

from typing import Any
from uuid import UUID, uuid4

from credit_harness import CreditService, an_inbound

from shared.replay import rebuild_read_models


def order_event(event_type: str, order_id: UUID, **data: Any) -> Any:
    return an_inbound(event_type, {"order_id": str(order_id), **data})


def payment(
    order_id: UUID, customer_id: str, amount: int, paid: int, invoice: str = "inv-1"
) -> Any:
    data = {
        "invoice_id": invoice,
        "order_id": str(order_id),
        "customer_id": customer_id,
        "amount_cents": amount,
        "paid_cents": paid,
    }
    return an_inbound("PaymentRecorded", data, source="fulfillment")


async def test_a_green_customer_s_order_is_approved_and_counted_in_exposure(
    credit: CreditService,
) -> None:
    await credit.customer_defined("C-1", "green")

    order = await credit.order_placed("C-1", 12_000)

    assert await credit.published() == [
        (
            "CreditApproved",
            {
                "order_id": str(order),
                "customer_id": "C-1",
                "amount_cents": 12_000,
                "exposure_cents": 12_000,
            },
        )
    ]
    account = await credit.account("C-1")
    assert (account["credit_light"], account["exposure_cents"]) == ("green", 12_000)


async def test_a_yellow_customer_is_reviewed_above_the_threshold_and_over_the_limit(
    credit: CreditService,
) -> None:
    await credit.customer_defined("C-2", "yellow", limit=100_000, threshold=50_000)

    small = await credit.order_placed("C-2", 40_000)
    large = await credit.order_placed("C-2", 60_000)
    at_threshold = await credit.order_placed("C-2", 50_000)
    over_limit = await credit.order_placed("C-2", 20_000)

    decisions = [(t, d["order_id"], d.get("reason")) for t, d in await credit.published()]
    assert decisions == [
        ("CreditApproved", str(small), None),
        ("CreditReviewRequired", str(large), "over_review_threshold"),
        ("CreditApproved", str(at_threshold), None),
        ("CreditReviewRequired", str(over_limit), "over_credit_limit"),
    ]
    assert [r["order_id"] for r in await credit.reviews()] == [str(large), str(over_limit)]
    assert (await credit.account("C-2"))["exposure_cents"] == 90_000


async def test_red_and_unknown_customers_are_always_reviewed(credit: CreditService) -> None:
    await credit.customer_defined("C-3", "red")

    await credit.order_placed("C-3", 1)
    await credit.order_placed("C-stranger", 1)

    reasons = [(d["customer_id"], d["reason"]) for _, d in await credit.published()]
    assert reasons == [("C-3", "red_light"), ("C-stranger", "unknown_customer")]
    stranger = await credit.account("C-stranger")
    assert (stranger["credit_light"], stranger["open_reviews"]) == (None, 1)


async def test_a_redelivered_or_repeated_placement_is_decided_once(credit: CreditService) -> None:
    await credit.customer_defined("C-4", "green")
    order = await credit.order_placed("C-4", 500)

    await credit.order_placed("C-4", 500, order_id=order)  # the same fact as a new message

    assert [t for t, _ in await credit.published()] == ["CreditApproved"]
    assert (await credit.account("C-4"))["exposure_cents"] == 500


async def test_the_same_message_twice_has_one_effect(credit: CreditService) -> None:
    await credit.customer_defined("C-5", "green")
    order = await credit.order_placed("C-5", 800)
    cancelled = order_event("OrderCancelled", order, reason="customer asked")

    await credit.deliver(cancelled)
    await credit.deliver(cancelled)

    assert [t for t, _ in await credit.published()] == ["CreditApproved", "CreditReleased"]
    assert (await credit.account("C-5"))["exposure_cents"] == 0


async def test_a_later_definition_changes_later_decisions_only(credit: CreditService) -> None:
    await credit.customer_defined("C-6", "green")
    first = await credit.order_placed("C-6", 500)
    await credit.customer_defined("C-6", "red")
    await credit.customer_defined("C-6", "red")  # the same definition again changes nothing

    second = await credit.order_placed("C-6", 500)

    assert [(t, d["order_id"]) for t, d in await credit.published()] == [
        ("CreditApproved", str(first)),
        ("CreditReviewRequired", str(second)),
    ]
    assert (await credit.account("C-6"))["exposure_cents"] == 500


async def test_an_order_that_overtook_its_customer_is_settled_when_the_profile_arrives(
    credit: CreditService,
) -> None:
    order = await credit.order_placed("C-7", 2_000)

    await credit.customer_defined("C-7", "green")

    published = await credit.published_envelopes()
    assert [e["type"] for e in published] == [
        "io.gapless.CreditReviewRequired",
        "io.gapless.CreditApproved",
    ]
    # Keyed by the order, not by the customer definition that caused it.
    assert published[1]["correlationid"] == str(order)
    assert await credit.reviews() == []
    [review] = await credit.reviews(open_only=False)
    assert (review["status"], review["decided_by"]) == ("obsolete", None)


async def test_a_cancelled_or_rejected_order_releases_its_exposure(credit: CreditService) -> None:
    await credit.customer_defined("C-8", "green")
    cancelled = await credit.order_placed("C-8", 300)
    rejected = await credit.order_placed("C-8", 700)

    await credit.deliver(order_event("OrderCancelled", cancelled, reason="customer asked"))
    await credit.deliver(order_event("OrderRejected", rejected, reason="out of stock"))

    releases = [
        (d["order_id"], d["amount_cents"], d["exposure_cents"], d["reason"])
        for t, d in await credit.published()
        if t == "CreditReleased"
    ]
    assert releases == [
        (str(cancelled), 300, 700, "cancelled"),
        (str(rejected), 700, 0, "rejected"),
    ]


async def test_cancelling_an_order_under_review_closes_the_review(credit: CreditService) -> None:
    await credit.customer_defined("C-9", "red")
    order = await credit.order_placed("C-9", 300)

    await credit.deliver(order_event("OrderCancelled", order, reason="customer asked"))

    assert await credit.reviews() == []
    assert (await credit.account("C-9"))["open_reviews"] == 0
    assert [t for t, _ in await credit.published()] == ["CreditReviewRequired"]


async def test_payments_release_what_was_paid_once_and_never_below_zero(
    credit: CreditService,
) -> None:
    await credit.customer_defined("C-10", "green")
    order = await credit.order_placed("C-10", 1_000)

    await credit.deliver(payment(order, "C-10", 600, 600))
    await credit.deliver(payment(order, "C-10", 600, 600))  # the same payment, told twice
    await credit.deliver(payment(order, "C-10", 900, 1_500))

    releases = [
        (d["amount_cents"], d["exposure_cents"], d["reason"])
        for t, d in await credit.published()
        if t == "CreditReleased"
    ]
    assert releases == [(600, 400, "paid"), (400, 0, "paid")]


async def test_units_a_short_pick_cancelled_are_released_from_exposure(
    credit: CreditService,
) -> None:
    await credit.customer_defined("C-12", "green")
    order = await credit.order_placed("C-12", 1_000)
    short = {"shipment_id": str(uuid4()), "outcome": "cancelled", "cancelled_cents": 400}

    await credit.deliver(order_event("OrderShortPicked", order, **short, total_cents=600))
    await credit.deliver(order_event("OrderShortPicked", order, **short, total_cents=600))

    releases = [
        (d["amount_cents"], d["exposure_cents"], d["reason"])
        for t, d in await credit.published()
        if t == "CreditReleased"
    ]
    assert releases == [(400, 600, "short_picked")]
    assert (await credit.account("C-12"))["exposure_cents"] == 600


async def test_a_credit_note_for_returned_units_lowers_the_customers_exposure(
    credit: CreditService,
) -> None:
    await credit.customer_defined("C-13", "green")
    order = await credit.order_placed("C-13", 3_000)
    note = {
        "credit_note_id": str(uuid4()),
        "invoice_id": "inv-1",
        "order_id": str(order),
        "customer_id": "C-13",
        "return_id": str(uuid4()),
        "lines": [],
        "total_cents": 1_000,
        "applied_cents": 1_000,
        "refund_cents": 0,
    }

    await credit.deliver(an_inbound("CreditNoteIssued", note, source="fulfillment"))
    await credit.deliver(an_inbound("CreditNoteIssued", note, source="fulfillment"))

    assert (await credit.account("C-13"))["exposure_cents"] == 2_000
    assert [d["reason"] for t, d in await credit.published() if t == "CreditReleased"] == [
        "credited"
    ]


async def test_a_changed_total_releases_the_old_amount_and_decides_the_new_one(
    credit: CreditService,
) -> None:
    await credit.customer_defined("C-11", "yellow", limit=100_000, threshold=50_000)
    order = await credit.order_placed("C-11", 10_000)
    changed = order_event("OrderChanged", order, total_cents=60_000, lines=[], changes=[])

    await credit.deliver(changed)
    await credit.deliver(order_event("OrderChanged", order, total_cents=60_000))  # same fact

    assert [(t, d["amount_cents"]) for t, d in await credit.published()] == [
        ("CreditApproved", 10_000),
        ("CreditReleased", 10_000),
        ("CreditReviewRequired", 60_000),
    ]
    assert (await credit.account("C-11"))["exposure_cents"] == 0


async def test_events_for_orders_credit_never_saw_are_ignored(credit: CreditService) -> None:
    stranger = uuid4()

    await credit.deliver(order_event("OrderChanged", stranger, total_cents=5))
    await credit.deliver(order_event("OrderCancelled", stranger, reason="x"))
    await credit.deliver(payment(stranger, "C-12", 10, 10))

    assert await credit.published() == []


async def test_the_read_models_rebuild_identically_from_the_event_store(
    credit: CreditService,
) -> None:
    await credit.customer_defined("C-13", "yellow", limit=10_000, threshold=5_000)
    approved = await credit.order_placed("C-13", 4_000)
    reviewed = await credit.order_placed("C-13", 9_000)
    await credit.deliver(order_event("OrderChanged", reviewed, total_cents=8_000))
    await credit.deliver(payment(approved, "C-13", 1_000, 1_000))
    await credit.order_placed("C-stranger", 10)

    report = await rebuild_read_models(
        credit.runtime.db, credit.runtime.definition, check_only=True
    )

    assert report.identical
    assert report.events > 0
