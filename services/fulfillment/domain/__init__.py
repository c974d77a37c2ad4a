"""Fulfillment domain: shipments (one per release), their invoices, customer returns and andon
pick stops."""

from services.fulfillment.domain.customer_return import (
    CustomerReturn,
    ReceiptMismatchError,
    ReturnAlreadyReceivedError,
)
from services.fulfillment.domain.invoice import (
    Invoice,
    InvoiceStatus,
    PaymentExceedsOpenAmountError,
    PaymentNotPositiveError,
    credit_note_id_for,
    credit_plan,
    invoice_id_for,
)
from services.fulfillment.domain.pick_stop import HELD_KINDS, PickStop
from services.fulfillment.domain.shipment import Release, Shipment, ShipmentStatus, shipment_id_for

__all__ = [
    "HELD_KINDS",
    "CustomerReturn",
    "Invoice",
    "InvoiceStatus",
    "PaymentExceedsOpenAmountError",
    "PaymentNotPositiveError",
    "PickStop",
    "ReceiptMismatchError",
    "Release",
    "ReturnAlreadyReceivedError",
    "Shipment",
    "ShipmentStatus",
    "credit_note_id_for",
    "credit_plan",
    "invoice_id_for",
    "shipment_id_for",
]
