"""Fulfillment domain: shipments (one per release) and their invoices."""

from services.fulfillment.domain.invoice import (
    Invoice,
    InvoiceStatus,
    PaymentExceedsOpenAmountError,
    PaymentNotPositiveError,
    invoice_id_for,
)
from services.fulfillment.domain.shipment import Release, Shipment, ShipmentStatus, shipment_id_for

__all__ = [
    "Invoice",
    "InvoiceStatus",
    "PaymentExceedsOpenAmountError",
    "PaymentNotPositiveError",
    "Release",
    "Shipment",
    "ShipmentStatus",
    "invoice_id_for",
    "shipment_id_for",
]
