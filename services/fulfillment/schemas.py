"""HTTP models of the fulfillment API."""

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.fulfillment.commands import ConfirmationType
from shared.limits import PositiveCents, printable


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ShipmentLine(BaseModel):
    sku: str
    quantity: int


class ShipmentPublic(BaseModel):
    shipment_id: UUID
    order_id: UUID
    release_no: int
    status: Literal["waiting", "picking", "picked", "packed", "shipped", "delivered", "cancelled"]
    lines: list[ShipmentLine]
    priority: int
    deadline: str
    wave_id: UUID | None
    carrier: str | None
    tracking_number: str | None
    held_by: list[UUID] = Field(
        default_factory=list,
        description="Open andon pulls keeping the shipment out of the pick waves",
    )
    times: dict[str, str] = Field(description="When each step happened: planned, picked, ...")


class InvoiceLinePublic(BaseModel):
    sku: str
    quantity: int
    unit_price_cents: int
    amount_cents: int


class InvoicePublic(BaseModel):
    invoice_id: UUID
    order_id: UUID
    shipment_id: UUID
    customer_id: str
    lines: list[InvoiceLinePublic]
    total_cents: int
    paid_cents: int
    open_cents: int
    status: Literal["open", "paid"]
    issued_at: str
    paid_at: str | None


class PaymentCreate(_Body):
    invoice_id: UUID
    amount_cents: PositiveCents


class PaymentRecordedPublic(BaseModel):
    invoice_id: UUID
    order_id: UUID
    total_cents: int
    paid_cents: int
    open_cents: int
    status: Literal["open", "paid"]


class ConfirmationCreate(_Body):
    """What a WMS/TMS without Kafka posts; the same payloads as on the confirmation topics."""

    type: ConfirmationType
    shipment_id: UUID
    order_id: UUID
    carrier: Annotated[str, printable(200)] | None = None
    tracking_number: Annotated[str, printable(200)] | None = None


class ConfirmationAccepted(BaseModel):
    shipment_id: UUID
    status: str
