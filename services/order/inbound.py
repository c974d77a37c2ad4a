"""Tolerant-reader models of the other services' events that the order service reacts to."""

from uuid import UUID

from pydantic import BaseModel, ConfigDict


class _Inbound(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class CreditApproved(_Inbound):
    order_id: UUID


class CreditDeclined(_Inbound):
    order_id: UUID
    reason: str


class StockReserved(_Inbound):
    order_id: UUID
    sku: str
    quantity: int


class StockShortage(_Inbound):
    order_id: UUID
    sku: str
    requested: int
    available: int
