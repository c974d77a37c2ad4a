"""Tolerant-reader models of what the andon service reacts to."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class _Inbound(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class MessageDeadLettered(_Inbound):
    """Built from a dead-letter record's headers by `shared.deadletter.decode_dead_letter`."""

    group: str
    reason: str
    error: str
    origin_topic: str
    origin_partition: int
    origin_offset: int
    event_type: str | None = None
    payload_excerpt: str = ""


class Line(_Inbound):
    sku: str
    quantity: int


class Change(_Inbound):
    sku: str
    quantity_delta: int


class OrderPlaced(_Inbound):
    order_id: UUID
    customer_id: str
    lines: tuple[Line, ...]
    deadline: datetime | None = None
    backorder_rule: str = "ship_partial"
    total_cents: int | None = None


class OrderChanged(_Inbound):
    order_id: UUID
    lines: tuple[Line, ...]
    changes: tuple[Change, ...] = ()
    total_cents: int | None = None
    # The order's terms after the change (absent in events of older producers).
    deadline: datetime | None = None
    backorder_rule: str | None = None


class OrderDeadlineChanged(_Inbound):
    order_id: UUID
    deadline: datetime


class ItemDefined(_Inbound):
    sku: str


class CustomerDefined(_Inbound):
    customer_id: str


class OrderReleased(_Inbound):
    order_id: UUID
    release_no: int = 1


class OrderEnded(_Inbound):
    """OrderCancelled, OrderRejected and OrderCompleted: the order needs nothing more."""

    order_id: UUID


class OrderHold(_Inbound):
    """OrderHeld / OrderHoldLifted, if the order service publishes its holds."""

    order_id: UUID
    hold: str
    # A pattern-check hold's deadline: the customer confirms by then or the order is cancelled.
    confirm_by: datetime | None = None


class ReturnRecorded(_Inbound):
    order_id: UUID
    lines: tuple[Line, ...]
    reason: str = ""


class DefectRule(_Inbound):
    count: int
    window_minutes: int


class Deadlines(_Inbound):
    credit_review_minutes: float
    backorder_minutes: float
    andon_hold_minutes: float
    invoice_minutes: float
    delivery_minutes: float
    payment_term_days: float


class PolicyChanged(_Inbound):
    version: int = 0
    defects: DefectRule | None = None
    deadlines: Deadlines | None = None


class StockReserved(_Inbound):
    order_id: UUID
    sku: str
    quantity: int
    reserved_total: int | None = None
    backordered_total: int | None = None


class StockBackordered(_Inbound):
    order_id: UUID
    sku: str


class StockReleased(_Inbound):
    """StockReleased and StockBumped: what the line holds after units left it."""

    order_id: UUID
    sku: str
    quantity: int
    reserved_total: int | None = None
    backordered_total: int | None = None


class FactsReported(_Inbound):
    """A service's answer to a `ReconciliationRequested` (OrderFactsReported,
    StockFactsReported, CreditFactsReported, FulfillmentFactsReported)."""

    run_id: UUID
    orders: tuple[dict[str, Any], ...]
    page_end: UUID | None = None


class CreditAnswered(_Inbound):
    """CreditApproved, CreditReviewRequired and CreditDeclined."""

    order_id: UUID


class ShipmentShipped(_Inbound):
    order_id: UUID
    release_no: int = 1
    shipment_id: UUID | None = None


class ShipmentCancelled(_Inbound):
    """A release that will not ship (its order was cancelled, or nothing of it was picked);
    older producers did not say which release."""

    order_id: UUID
    release_no: int | None = None


class ShipmentDelivered(_Inbound):
    order_id: UUID
    shipment_id: UUID


class InvoiceIssued(_Inbound):
    order_id: UUID
    invoice_id: UUID
    shipment_id: UUID


class InvoicePaid(_Inbound):
    order_id: UUID
    invoice_id: UUID
