"""HTTP models of the fulfillment API."""

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.fulfillment.commands import ConfirmationType
from services.fulfillment.events import Disposition
from shared.limits import Identifier, PositiveCents, Whole, printable

MAX_LINES = 200
MAX_QUANTITY = 100_000


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
    short: list[ShipmentLine] = Field(
        default_factory=list,
        description="Units the WMS/TMS confirmed short of (not shipped): shipped = lines - short",
    )
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
    credited_cents: int = Field(
        default=0, description="What credit notes for returned units took off the open amount"
    )
    refunded_cents: int = Field(
        default=0, description="What credit notes paid back to the customer (already paid)"
    )
    open_cents: int = Field(description="total - paid - credited")
    status: Literal["open", "paid"] = Field(description="paid: nothing open (paid or credited)")
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


class ConfirmedLineIn(_Body):
    sku: Identifier
    quantity: Annotated[int, Whole, Field(ge=0, le=MAX_QUANTITY, strict=True)]


class ConfirmationCreate(_Body):
    """What a WMS/TMS without Kafka posts; the same payloads as on the confirmation topics."""

    type: ConfirmationType
    shipment_id: UUID
    order_id: UUID
    carrier: Annotated[str, printable(200)] | None = None
    tracking_number: Annotated[str, printable(200)] | None = None
    lines: list[ConfirmedLineIn] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_LINES,
        description="Picked, Packed or Shipped: the units confirmed per SKU when fewer than the"
        " shipment asked for (a short pick); a SKU left out, or no lines, came as asked",
    )

    @model_validator(mode="after")
    def no_lines_on_delivery(self) -> "ConfirmationCreate":
        if self.type == "Delivered" and self.lines is not None:
            raise ValueError(
                "a Delivered confirmation takes no lines: shortages are confirmed"
                " by Picked, Packed or Shipped"
            )
        return self


class ReceiptLineIn(_Body):
    sku: Identifier
    quantity: Annotated[int, Whole, Field(gt=0, le=MAX_QUANTITY, strict=True)]
    disposition: Disposition = Field(
        description="The inspection's result: restock (sellable again) or quarantine (kept"
        " apart, not sellable)"
    )


class ReturnReceiptCreate(_Body):
    """What arrived of an authorised return, line by line as inspected; a SKU may come on two
    lines (some restocked, some quarantined), in all at most what was authorised."""

    lines: list[ReceiptLineIn] = Field(min_length=1, max_length=MAX_LINES)


class ReturnLinePublic(BaseModel):
    sku: str
    quantity: int


class ReceivedLinePublic(BaseModel):
    sku: str
    quantity: int
    disposition: Disposition


class CreditNotePublic(BaseModel):
    credit_note_id: UUID
    invoice_id: UUID
    lines: list[InvoiceLinePublic]
    total_cents: int
    applied_cents: int = Field(description="Taken off what the invoice still had open")
    refund_cents: int = Field(description="Paid back to the customer: the invoice was paid")
    issued_at: str


class ReturnPublic(BaseModel):
    return_id: UUID
    order_id: UUID
    return_no: int
    status: Literal["authorised", "received"]
    reason: str
    lines: list[ReturnLinePublic] = Field(description="What the return authorised")
    received: list[ReceivedLinePublic]
    credit_notes: list[CreditNotePublic]
    authorised_at: str
    received_at: str | None


class ConfirmationAccepted(BaseModel):
    shipment_id: UUID
    status: str
