"""Tolerant-reader models of the other services' events that the order service reacts to."""

from uuid import UUID

from pydantic import BaseModel, ConfigDict


class _Inbound(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class CreditApproved(_Inbound):
    order_id: UUID
    customer_id: str
    amount_cents: int
    exposure_cents: int


class CreditReviewRequired(_Inbound):
    order_id: UUID
    customer_id: str
    amount_cents: int
    reason: str
    exposure_cents: int


class CreditDeclined(_Inbound):
    order_id: UUID
    amount_cents: int = 0
    reason: str


class CreditReleased(_Inbound):
    order_id: UUID
    customer_id: str
    amount_cents: int
    exposure_cents: int
    reason: str


class StockLevel(_Inbound):
    on_hand: int
    reserved: int
    available: int


class StockChanged(_Inbound):
    """An inventory event that moves a SKU's stock (received, reserved, released, shipped, its
    sale stopped or resumed), with the level after it; without one if published before
    inventory told levels."""

    sku: str
    level: StockLevel | None = None


class StockReserved(StockChanged):
    order_id: UUID
    quantity: int
    reserved_total: int
    taken_from: UUID | None = None


class StockBackordered(_Inbound):
    order_id: UUID
    sku: str
    quantity: int


class StockReleased(StockChanged):
    order_id: UUID
    quantity: int
    reason: str
    reserved_total: int
    backordered_total: int


class StockBumpRequested(_Inbound):
    order_id: UUID
    sku: str
    quantity: int
    for_order_id: UUID
    priority: int


class StockBumped(StockChanged):
    order_id: UUID
    quantity: int
    by_order_id: UUID
    reserved_total: int
    backordered_total: int


class Units(_Inbound):
    sku: str
    quantity: int


class ShipmentShipped(_Inbound):
    shipment_id: UUID
    order_id: UUID
    release_no: int
    lines: tuple[Units, ...]
    carrier: str | None = None
    tracking_number: str | None = None


class ShipTo(_Inbound):
    name: str
    line1: str
    city: str
    postal_code: str
    country: str


class ShipmentAddressChanged(_Inbound):
    shipment_id: UUID
    order_id: UUID
    ship_to: ShipTo
    amended: bool = False


class ShipmentAddressChangeRefused(_Inbound):
    shipment_id: UUID
    order_id: UUID
    ship_to: ShipTo | None = None
    requested: ShipTo
    reason: str = ""


class InvoiceIssued(_Inbound):
    invoice_id: UUID
    order_id: UUID
    lines: tuple[Units, ...]
    total_cents: int


class InvoicePaid(_Inbound):
    invoice_id: UUID
    order_id: UUID
    total_cents: int


class AndonPulled(_Inbound):
    pull_id: UUID
    target_kind: str
    target_id: str
    reason: str = ""


class AndonResolved(_Inbound):
    pull_id: UUID
    target_kind: str = ""
    target_id: str = ""
    root_cause: str = ""


class PickRequested(_Inbound):
    """Fulfillment asked the warehouse to pick (on the WMS request topic)."""

    order_id: UUID
    shipment_id: UUID


class ShipmentDelivered(_Inbound):
    order_id: UUID
    shipment_id: UUID


class ComplaintRecorded(_Inbound):
    """A customer complained about an order (andon): the order was not perfect."""

    complaint_id: UUID
    order_id: UUID
