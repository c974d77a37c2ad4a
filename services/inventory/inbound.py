"""Tolerant-reader models of the events the inventory service reacts to."""

from uuid import UUID

from pydantic import BaseModel, ConfigDict


class _Inbound(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class OrderLine(_Inbound):
    sku: str
    quantity: int


class OrderPlaced(_Inbound):
    order_id: UUID
    lines: tuple[OrderLine, ...]
