"""Tolerant-reader models of what fulfillment reacts to: releases, changes, cancels,
confirmations."""

from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict


class _Inbound(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ReleasedLine(_Inbound):
    sku: str
    quantity: int
    unit_price_cents: int


class ShipTo(_Inbound):
    name: str
    line1: str
    city: str
    postal_code: str
    country: str


class OrderReleased(_Inbound):
    order_id: UUID
    release_no: int
    customer_id: str
    lines: tuple[ReleasedLine, ...]
    priority: int
    deadline: AwareDatetime
    ship_to: ShipTo | None = None


class OrderChanged(_Inbound):
    """Only the address matters here (lines and totals are inventory's and credit's)."""

    order_id: UUID
    ship_to: ShipTo | None = None


class OrderCancelled(_Inbound):
    order_id: UUID
    reason: str = ""


class Confirmation(_Inbound):
    """Picked, Packed (WMS) and Delivered (TMS) carry only these."""

    shipment_id: UUID
    order_id: UUID


class ShippedConfirmation(Confirmation):
    carrier: str
    tracking_number: str
    ship_to: ShipTo | None = None  # the address the carrier collected it for, if the TMS says


class AndonEvent(_Inbound):
    """AndonPulled and AndonResolved: a `sku`, `order` or `customer` target holds shipments."""

    pull_id: UUID
    # Plain text, not an enum: a target kind added later is ignored, not dead-lettered.
    target_kind: str
    target_id: str
