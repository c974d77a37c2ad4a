"""HTTP models of the credit API."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.limits import printable


class CreditAccountPublic(BaseModel):
    customer_id: str
    credit_light: str | None = Field(description="green, yellow or red; null: no profile (red)")
    credit_limit_cents: int
    review_threshold_cents: int
    exposure_cents: int = Field(description="approved, unpaid order amounts")
    open_reviews: int
    decided_orders: int


class ReviewDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, printable(1000, min_length=0)] = ""


class ReviewPublic(BaseModel):
    order_id: UUID
    customer_id: str
    amount_cents: int
    reason: str
    requested_at: datetime
    exposure_cents: int = Field(description="the customer's exposure now")
    exposure_at_request_cents: int
    credit_limit_cents: int
    credit_light: str | None
    review_no: int = Field(description="1, 2, ...: an order changed under review is reviewed again")
    status: str = Field(description="open, approved, rejected or obsolete")
    decision: str | None = Field(description="approved, rejected or obsolete; null while open")
    note: str | None
    decided_by: str | None
    decided_at: datetime | None

    @classmethod
    def from_row(cls, row: dict[str, object]) -> "ReviewPublic":
        status = row["status"]
        return cls.model_validate({**row, "decision": None if status == "open" else status})
