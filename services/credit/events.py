"""Events of the credit service; PUBLISHED lists those that leave it on `credit.events`."""

from enum import StrEnum
from typing import Final
from uuid import UUID

from pydantic import AwareDatetime, NonNegativeInt

from shared.messages import DomainEvent, Message


class CreditLight(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class ReviewReason(StrEnum):
    UNKNOWN_CUSTOMER = "unknown_customer"
    RED_LIGHT = "red_light"
    OVER_REVIEW_THRESHOLD = "over_review_threshold"
    OVER_CREDIT_LIMIT = "over_credit_limit"


class ReviewOutcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    # The review no longer matters: the order was cancelled, rejected or changed, or the
    # customer's profile arrived after the order and approves it without a review.
    OBSOLETE = "obsolete"


class ReleaseReason(StrEnum):
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    CHANGED = "changed"
    PAID = "paid"
    # Units cancelled after release because a shipment came up short of them.
    SHORT_PICKED = "short_picked"
    # A credit note for returned units lowered what the customer owes on an open invoice.
    CREDITED = "credited"


class CreditProfileDefined(DomainEvent):
    """Internal: the customer's credit standing as the order service last defined it."""

    customer_id: str
    credit_light: CreditLight
    credit_limit_cents: NonNegativeInt
    review_threshold_cents: NonNegativeInt


class CreditApproved(DomainEvent):
    order_id: UUID
    customer_id: str
    amount_cents: NonNegativeInt
    exposure_cents: NonNegativeInt


class CreditReviewRequired(DomainEvent):
    order_id: UUID
    customer_id: str
    amount_cents: NonNegativeInt
    reason: ReviewReason
    exposure_cents: NonNegativeInt


class CreditReviewClosed(DomainEvent):
    """Internal: a review ended; `decided_by` is the ops principal (None when closed by a fact)."""

    order_id: UUID
    customer_id: str
    outcome: ReviewOutcome
    note: str
    decided_by: str | None
    decided_at: AwareDatetime


class CreditDeclined(DomainEvent):
    order_id: UUID
    customer_id: str
    amount_cents: NonNegativeInt
    reason: str


class CreditReleased(DomainEvent):
    order_id: UUID
    customer_id: str
    amount_cents: NonNegativeInt
    exposure_cents: NonNegativeInt
    reason: ReleaseReason


class OrderAmountReduced(DomainEvent):
    """Internal: units of the order were cancelled after its release (a short pick); the
    approval covers the new `amount_cents` only."""

    order_id: UUID
    customer_id: str
    amount_cents: NonNegativeInt


class CreditNoteNoted(DomainEvent):
    """Internal: a credit note took `applied_cents` off what the order's invoice had open, so a
    repeated credit note fact counts once."""

    credit_note_id: str
    order_id: UUID
    customer_id: str
    applied_cents: NonNegativeInt


class PaymentNoted(DomainEvent):
    """Internal: how much of an invoice is paid so far, so a repeated payment fact counts once."""

    invoice_id: str
    order_id: UUID
    customer_id: str
    paid_cents: NonNegativeInt


class OrderCreditFacts(Message):
    """What credit decided for one order: `open_review` while ops have it in review."""

    order_id: UUID
    open_review: bool


class CreditFactsReported(DomainEvent):
    """Credit's answer to a `ReconciliationRequested`: the orders it decided of the page."""

    run_id: UUID
    orders: tuple[OrderCreditFacts, ...]
    page_end: UUID | None


PUBLISHED: Final = (
    CreditApproved,
    CreditReviewRequired,
    CreditDeclined,
    CreditReleased,
    CreditFactsReported,
)
