"""Credit account aggregate: one per customer; its profile, exposure and the orders it has open.

Exposure is the sum of approved, unpaid order amounts: payments and credit notes on open
invoices take it down (a credit note on a paid invoice is a refund, and changes nothing here).
Every public method is naturally idempotent: a fact that was already taken into account records
nothing. An order whose approval was released in full (paid, cancelled) or that was declined is
settled: dropped from the open orders, remembered among the recently settled, so the account's
state does not grow with the customer's history.
"""

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from services.credit.domain.rules import CreditProfile, review_reason
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
from shared.aggregate import Aggregate, RecentlySettled, event_map
from shared.errors import DomainError, NotFoundError
from shared.messages import DomainEvent


class UnknownOrderError(NotFoundError):
    def __init__(self, order_id: UUID) -> None:
        super().__init__(f"credit has no order {order_id}")


class NoOpenReviewError(DomainError):
    def __init__(self, order_id: UUID) -> None:
        super().__init__(f"order {order_id} has no open credit review")


@dataclass
class OrderCredit:
    """What credit knows of one order."""

    amount_cents: int  # the order total last decided on
    approved_cents: int = 0  # the part of it counted in exposure (approved and not yet paid)
    review: ReviewReason | None = None  # why a review is open, None when none is
    declined: bool = False
    paid_by_invoice: dict[str, int] = field(default_factory=dict)
    credit_notes: set[str] = field(default_factory=set)


class CreditAccount(Aggregate):
    stream_type = "credit-account"
    event_classes = event_map(
        CreditProfileDefined,
        CreditApproved,
        CreditReviewRequired,
        CreditReviewClosed,
        CreditDeclined,
        CreditReleased,
        PaymentNoted,
        OrderAmountReduced,
        CreditNoteNoted,
    )

    def __init__(self, customer_id: str) -> None:
        super().__init__(customer_id)
        self.profile: CreditProfile | None = None
        self.exposure_cents = 0
        self.orders: dict[UUID, OrderCredit] = {}
        self.settled: RecentlySettled[UUID, None] = RecentlySettled()

    # -- profile ---------------------------------------------------------------------------

    def define_profile(
        self, light: CreditLight, limit_cents: int, review_threshold_cents: int
    ) -> None:
        """Take the latest definition; it applies to later decisions, not to earlier ones."""
        profile = CreditProfile(light, limit_cents, review_threshold_cents)
        if profile == self.profile:
            return
        self._record(
            CreditProfileDefined(
                customer_id=self.id,
                credit_light=light,
                credit_limit_cents=limit_cents,
                review_threshold_cents=review_threshold_cents,
            )
        )

    def reviews_awaiting_profile(self) -> list[UUID]:
        """Open reviews opened only because credit did not know the customer yet.

        Customers and orders travel under different keys, so an order can overtake its
        customer's definition; once the profile is here, its rule may settle those reviews.
        """
        if self.profile is None:
            return []
        return [o for o, c in self.orders.items() if c.review is ReviewReason.UNKNOWN_CUSTOMER]

    def settle_review_awaiting_profile(self, order_id: UUID, now: datetime) -> None:
        """Approve such an order when the customer's own rule needs no review; else keep it."""
        order = self.orders.get(order_id)
        if order is None or order.review is not ReviewReason.UNKNOWN_CUSTOMER:
            return
        if self.profile is None or self._review_reason(order.amount_cents) is not None:
            return
        self._close_review(order_id, ReviewOutcome.OBSOLETE, "customer profile arrived", now)
        self._approve(order_id, order.amount_cents)

    # -- decisions ---------------------------------------------------------------------------

    def check(self, order_id: UUID, amount_cents: int) -> None:
        """Decide a newly placed order by the traffic light (once per order)."""
        if order_id in self.orders or order_id in self.settled:
            return
        self._decide(order_id, amount_cents)

    def recheck(self, order_id: UUID, amount_cents: int, now: datetime) -> None:
        """The order's total changed: release what was approved and decide the new total afresh."""
        order = self.orders.get(order_id)
        if order is None or order.declined or order.amount_cents == amount_cents:
            return
        if order.review is not None:
            self._close_review(order_id, ReviewOutcome.OBSOLETE, "order changed", now)
        if order.approved_cents:
            self._release(order_id, order.approved_cents, ReleaseReason.CHANGED)
        self._decide(order_id, amount_cents)

    def approve_review(self, order_id: UUID, note: str, decided_by: str, now: datetime) -> None:
        order = self._open_review(order_id)
        self._close_review(order_id, ReviewOutcome.APPROVED, note, now, decided_by=decided_by)
        self._approve(order_id, order.amount_cents)

    def reject_review(self, order_id: UUID, note: str, decided_by: str, now: datetime) -> None:
        order = self._open_review(order_id)
        self._close_review(order_id, ReviewOutcome.REJECTED, note, now, decided_by=decided_by)
        reason = "rejected in credit review" + (f": {note}" if note else "")
        self._record(
            CreditDeclined(
                order_id=order_id,
                customer_id=self.id,
                amount_cents=order.amount_cents,
                reason=reason,
            )
        )

    # -- releases ----------------------------------------------------------------------------

    def release(self, order_id: UUID, reason: ReleaseReason, now: datetime) -> None:
        """The order was cancelled or rejected: close its review and release what was approved."""
        order = self.orders.get(order_id)
        if order is None:
            return
        if order.review is not None:
            self._close_review(order_id, ReviewOutcome.OBSOLETE, f"order {reason}", now)
        if order.approved_cents:
            self._release(order_id, order.approved_cents, reason)

    def reduce(self, order_id: UUID, amount_cents: int) -> None:
        """Units of the order were cancelled after its release (a short pick): the approval
        shrinks to the new total, and what it no longer covers leaves exposure. Absolute, so a
        repeated fact reduces nothing twice."""
        order = self.orders.get(order_id)
        if order is None or amount_cents >= order.amount_cents:
            return
        freed = min(order.amount_cents - amount_cents, order.approved_cents)
        self._record(
            OrderAmountReduced(order_id=order_id, customer_id=self.id, amount_cents=amount_cents)
        )
        if freed:
            self._release(order_id, freed, ReleaseReason.SHORT_PICKED)

    def record_payment(
        self, invoice_id: str, order_id: UUID, *, amount_cents: int, paid_cents: int | None
    ) -> None:
        """A payment on an invoice of the order: release it from exposure, never below zero.

        `paid_cents` (paid on the invoice so far) makes a repeated payment fact count once;
        without it the payment's own amount is added to what was paid before.
        """
        order = self.orders.get(order_id)
        if order is None:
            return  # unknown, or settled: nothing of it is counted in exposure any more
        already = order.paid_by_invoice.get(invoice_id, 0)
        paid = already + amount_cents if paid_cents is None else paid_cents
        if paid <= already:
            return
        self._record(
            PaymentNoted(
                invoice_id=invoice_id, order_id=order_id, customer_id=self.id, paid_cents=paid
            )
        )
        amount = min(paid - already, order.approved_cents)
        if amount:
            self._release(order_id, amount, ReleaseReason.PAID)

    def record_credit_note(self, credit_note_id: str, order_id: UUID, applied_cents: int) -> None:
        """Returned units credited against an open invoice of the order: the customer owes
        less, so exposure drops by what the note took off, never below zero. A note on a paid
        invoice (a refund, `applied_cents` 0), or on an order no longer counted, changes
        nothing: its amount already left exposure when it was paid."""
        order = self.orders.get(order_id)
        if order is None or applied_cents <= 0 or credit_note_id in order.credit_notes:
            return
        self._record(
            CreditNoteNoted(
                credit_note_id=credit_note_id,
                order_id=order_id,
                customer_id=self.id,
                applied_cents=applied_cents,
            )
        )
        if freed := min(applied_cents, order.approved_cents):
            self._release(order_id, freed, ReleaseReason.CREDITED)

    # -- helpers -----------------------------------------------------------------------------

    def _review_reason(self, amount_cents: int) -> ReviewReason | None:
        return review_reason(
            self.profile, exposure_cents=self.exposure_cents, amount_cents=amount_cents
        )

    def _decide(self, order_id: UUID, amount_cents: int) -> None:
        reason = self._review_reason(amount_cents)
        if reason is None:
            self._approve(order_id, amount_cents)
            return
        self._record(
            CreditReviewRequired(
                order_id=order_id,
                customer_id=self.id,
                amount_cents=amount_cents,
                reason=reason,
                exposure_cents=self.exposure_cents,
            )
        )

    def _approve(self, order_id: UUID, amount_cents: int) -> None:
        self._record(
            CreditApproved(
                order_id=order_id,
                customer_id=self.id,
                amount_cents=amount_cents,
                exposure_cents=self.exposure_cents + amount_cents,
            )
        )

    def _release(self, order_id: UUID, amount_cents: int, reason: ReleaseReason) -> None:
        self._record(
            CreditReleased(
                order_id=order_id,
                customer_id=self.id,
                amount_cents=amount_cents,
                exposure_cents=max(self.exposure_cents - amount_cents, 0),
                reason=reason,
            )
        )

    def _close_review(
        self,
        order_id: UUID,
        outcome: ReviewOutcome,
        note: str,
        now: datetime,
        *,
        decided_by: str | None = None,
    ) -> None:
        self._record(
            CreditReviewClosed(
                order_id=order_id,
                customer_id=self.id,
                outcome=outcome,
                note=note,
                decided_by=decided_by,
                decided_at=now,
            )
        )

    def _open_review(self, order_id: UUID) -> OrderCredit:
        order = self.orders.get(order_id)
        if order is None and order_id not in self.settled:
            raise UnknownOrderError(order_id)
        if order is None or order.review is None:
            raise NoOpenReviewError(order_id)
        return order

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case CreditProfileDefined():
                self.profile = CreditProfile(
                    event.credit_light, event.credit_limit_cents, event.review_threshold_cents
                )
            case CreditApproved():
                order = self._order(event.order_id, event.amount_cents)
                order.approved_cents = event.amount_cents
                self.exposure_cents = event.exposure_cents
            case CreditReviewRequired():
                self._order(event.order_id, event.amount_cents).review = event.reason
            case CreditReviewClosed():
                self.orders[event.order_id].review = None
                self._settle(event.order_id)
            case CreditDeclined():
                self._order(event.order_id, event.amount_cents).declined = True
                self._settle(event.order_id)
            case CreditReleased():
                self.orders[event.order_id].approved_cents -= event.amount_cents
                self.exposure_cents = event.exposure_cents
                self._settle(event.order_id)
            case PaymentNoted():
                self.orders[event.order_id].paid_by_invoice[event.invoice_id] = event.paid_cents
            case OrderAmountReduced():
                self.orders[event.order_id].amount_cents = event.amount_cents
            case CreditNoteNoted():
                self.orders[event.order_id].credit_notes.add(event.credit_note_id)

    def _settle(self, order_id: UUID) -> None:
        """Drop an order that holds nothing: no approval left, no review open. When a decision
        follows in the same command (a change, a review closed by the profile), its first event
        opens the order's entry afresh, so only finished orders stay dropped."""
        order = self.orders[order_id]
        if order.approved_cents == 0 and order.review is None:
            del self.orders[order_id]
            self.settled.add(order_id, None)

    def _order(self, order_id: UUID, amount_cents: int) -> OrderCredit:
        """The order's entry, created on its first decision; a new decision sets its amount."""
        order = self.orders.setdefault(order_id, OrderCredit(amount_cents))
        order.amount_cents = amount_cents
        return order
