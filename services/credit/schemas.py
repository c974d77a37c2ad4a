"""HTTP models of the credit API."""

from pydantic import BaseModel


class CreditAccountPublic(BaseModel):
    customer_id: str
    exposure_cents: int
    decided_orders: int
