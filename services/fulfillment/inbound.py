"""Tolerant-reader models of the events the fulfillment service reacts to."""

from uuid import UUID

from pydantic import BaseModel, ConfigDict


class _Inbound(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ReleasedLine(_Inbound):
    sku: str
    quantity: int


class OrderReleased(_Inbound):
    order_id: UUID
    customer_id: str
    lines: tuple[ReleasedLine, ...]
