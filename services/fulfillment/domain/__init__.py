"""Fulfillment domain: shipments (one per release), their invoices, and andon pick stops."""

from services.fulfillment.domain.invoice import (
    Invoice,
    InvoiceStatus,
    PaymentExceedsOpenAmountError,
    PaymentNotPositiveError,
    invoice_id_for,
)
from services.fulfillment.domain.pick_stop import HELD_KINDS, PickStop
from services.fulfillment.domain.shipment import Release, Shipment, ShipmentStatus, shipment_id_for

__all__ = [
    "HELD_KINDS",
    "Invoice",
    "InvoiceStatus",
    "PaymentExceedsOpenAmountError",
    "PaymentNotPositiveError",
    "PickStop",
    "Release",
    "Shipment",
    "ShipmentStatus",
    "invoice_id_for",
    "shipment_id_for",
]
