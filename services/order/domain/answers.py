"""What other departments answer about an order: when they decided, on what, and the events
the order records them as."""

from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict
from uuid import UUID

from services.order.events import (
    AddressChangeRecorded,
    AddressChangeRefusalRecorded,
    CreditApprovalRecorded,
    CreditDeclineRecorded,
    CreditNoteRecorded,
    CreditReleaseRecorded,
    CreditReviewRecorded,
    InvoicePaymentRecorded,
    InvoiceRecorded,
    ReturnReceiptRecorded,
    ShipmentRecorded,
    ShipTo,
    StockBackorderRecorded,
    StockBumpRecorded,
    StockReleaseRecorded,
    StockReservationRecorded,
)
from shared.messages import DomainEvent


@dataclass(frozen=True)
class Reply:
    """When the answering service decided, and which event of ours it answers."""

    answered_at: datetime
    in_reply_to: UUID | None = None

    def fields(self, order_id: UUID) -> "_ReplyFields":
        return {
            "order_id": order_id,
            "answered_at": self.answered_at,
            "in_reply_to": self.in_reply_to,
        }


class _ReplyFields(TypedDict):
    order_id: UUID
    answered_at: datetime
    in_reply_to: UUID | None


@dataclass(frozen=True)
class CreditAnswer:
    customer_id: str
    amount_cents: int
    exposure_cents: int
    account_version: int | None = None  # the credit account's, as of that exposure

    def fields(self) -> "_CreditFields":
        """What every credit answer the order records carries of it."""
        return {
            "customer_id": self.customer_id,
            "amount_cents": self.amount_cents,
            "exposure_cents": self.exposure_cents,
            "exposure_version": self.account_version,
        }


class _CreditFields(TypedDict):
    customer_id: str
    amount_cents: int
    exposure_cents: int
    exposure_version: int | None


@dataclass(frozen=True)
class CreditNote:
    """Credit for returned units, as fulfillment issued it against one invoice."""

    credit_note_id: UUID
    invoice_id: UUID
    return_id: UUID
    total_cents: int
    applied_cents: int
    refund_cents: int


@dataclass(frozen=True)
class AddressRefusal:
    """Fulfillment kept a shipment's address: where it goes (went), what was asked, and why."""

    ship_to: ShipTo | None
    requested: ShipTo
    reason: str


AddressAnswer = AddressChangeRecorded | AddressChangeRefusalRecorded

ANSWERS: tuple[type[DomainEvent], ...] = (
    CreditApprovalRecorded,
    CreditReviewRecorded,
    CreditDeclineRecorded,
    CreditReleaseRecorded,
    StockReservationRecorded,
    StockBackorderRecorded,
    StockReleaseRecorded,
    StockBumpRecorded,
    ShipmentRecorded,
    InvoiceRecorded,
    InvoicePaymentRecorded,
    ReturnReceiptRecorded,
    CreditNoteRecorded,
    AddressChangeRecorded,
    AddressChangeRefusalRecorded,
)
