"""Commands the fulfillment service accepts."""

from typing import Literal
from uuid import UUID, uuid4

from pydantic import Field, PositiveInt

from shared.messages import Command

ConfirmationType = Literal["Picked", "Packed", "Shipped", "Delivered"]
# Shipments per pick wave.
WAVE_SIZE = 50


class RecordPayment(Command):
    invoice_id: UUID
    amount_cents: int


class ConfirmShipmentStep(Command):
    """A WMS/TMS confirmation that came by HTTP callback instead of a topic."""

    type: ConfirmationType
    shipment_id: UUID
    order_id: UUID
    carrier: str | None = None
    tracking_number: str | None = None


class ReleasePickWave(Command):
    """Send the next waiting shipments to the warehouse as one pick wave."""

    wave_id: UUID = Field(default_factory=uuid4)
    size: PositiveInt = WAVE_SIZE
