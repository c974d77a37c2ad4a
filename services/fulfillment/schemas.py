"""HTTP models of the fulfillment API."""

from uuid import UUID

from pydantic import BaseModel


class ShipmentLine(BaseModel):
    sku: str
    quantity: int


class ShipmentPublic(BaseModel):
    order_id: UUID
    status: str
    lines: list[ShipmentLine]
    requested_at: str
