"""Tolerant-reader models of the events the credit service reacts to."""

from uuid import UUID

from pydantic import BaseModel, ConfigDict


class OrderPlaced(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    order_id: UUID
    customer_id: str
    total_cents: int
