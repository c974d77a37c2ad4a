"""Commands the fulfillment service accepts over HTTP."""

from typing import Literal
from uuid import UUID

from shared.messages import Command

ConfirmationType = Literal["Picked", "Packed", "Shipped", "Delivered"]


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
