"""Tolerant-reader models of the events the credit service reacts to."""

from uuid import UUID

from pydantic import BaseModel, ConfigDict, NonNegativeInt

from services.credit.events import CreditLight


class _Inbound(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class CustomerDefined(_Inbound):
    customer_id: str
    credit_light: CreditLight
    credit_limit_cents: NonNegativeInt
    review_threshold_cents: NonNegativeInt


class OrderPlaced(_Inbound):
    order_id: UUID
    customer_id: str
    total_cents: NonNegativeInt


class OrderChanged(_Inbound):
    order_id: UUID
    total_cents: NonNegativeInt


class OrderEnded(_Inbound):
    """OrderCancelled or OrderRejected: both end the order before it is paid."""

    order_id: UUID


class OrderShortPicked(_Inbound):
    """Units a shipment came up short of; when the order cancelled them, its total dropped."""

    order_id: UUID
    total_cents: NonNegativeInt


class CreditNoteIssued(_Inbound):
    credit_note_id: str
    order_id: UUID
    customer_id: str
    # What the note took off the invoice's open amount (the rest, if any, was refunded).
    applied_cents: NonNegativeInt


class PaymentRecorded(_Inbound):
    invoice_id: str
    order_id: UUID
    customer_id: str
    amount_cents: NonNegativeInt
    # Total paid on the invoice so far; it makes a repeated payment fact count once.
    paid_cents: NonNegativeInt | None = None
