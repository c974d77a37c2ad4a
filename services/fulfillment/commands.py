"""Commands the fulfillment service accepts."""

from typing import Literal
from uuid import UUID, uuid4

from pydantic import Field, NonNegativeInt, PositiveInt

from services.fulfillment.events import Disposition
from shared.messages import Command, Message

ConfirmationType = Literal["Picked", "Packed", "Shipped", "Delivered"]
# Shipments per pick wave.
WAVE_SIZE = 50


class RecordPayment(Command):
    invoice_id: UUID
    amount_cents: int


class ConfirmedLine(Message):
    sku: str
    quantity: NonNegativeInt


class ConfirmShipmentStep(Command):
    """A WMS/TMS confirmation that came by HTTP callback instead of a topic."""

    type: ConfirmationType
    shipment_id: UUID
    order_id: UUID
    carrier: str | None = None
    tracking_number: str | None = None
    # Units confirmed per SKU when fewer than asked (a short pick); None: all as asked.
    lines: tuple[ConfirmedLine, ...] | None = None


class ReceiptLine(Message):
    sku: str
    quantity: PositiveInt
    disposition: Disposition


class ReceiveReturn(Command):
    """The goods of an authorised return arrived and were inspected, line by line."""

    return_id: UUID
    lines: tuple[ReceiptLine, ...]


class ReleasePickWave(Command):
    """Send the next waiting shipments to the warehouse as one pick wave."""

    wave_id: UUID = Field(default_factory=uuid4)
    size: PositiveInt = WAVE_SIZE
