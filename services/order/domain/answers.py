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
    CreditReleaseRecorded,
    CreditReviewRecorded,
    InvoicePaymentRecorded,
    InvoiceRecorded,
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
    AddressChangeRecorded,
    AddressChangeRefusalRecorded,
)
