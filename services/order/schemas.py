"""HTTP request and response models of the order API."""

import hashlib
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, field_validator

MAX_LINES = 200
MAX_QUANTITY = 100_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrderLineCreate(_Strict):
    sku: str = Field(min_length=1, max_length=100)
    quantity: int = Field(gt=0, le=MAX_QUANTITY)


class OrderCreate(_Strict):
    external_id: str | None = Field(default=None, max_length=200)
    customer_id: str = Field(min_length=1, max_length=100)
    lines: list[OrderLineCreate] = Field(min_length=1, max_length=MAX_LINES)

    @field_validator("lines")
    @classmethod
    def one_line_per_sku(cls, lines: list[OrderLineCreate]) -> list[OrderLineCreate]:
        first_line: dict[str, int] = {}
        for index, line in enumerate(lines):
            if line.sku in first_line:
                raise ValueError(
                    f"SKU {line.sku!r} is on lines {first_line[line.sku]} and {index}:"
                    " put its whole quantity on one line"
                )
            first_line[line.sku] = index
        return lines

    def fingerprint(self) -> str:
        """Same body, same fingerprint: decides whether a reused Idempotency-Key is a retry."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


class OrderAccepted(BaseModel):
    order_id: UUID
    status: str
    status_url: str


class OrderLinePublic(BaseModel):
    sku: str
    quantity: int
    reserved: int


class TimelineEntry(BaseModel):
    at: str
    service: str
    event: str
    detail: dict[str, Any]


class OrderPublic(BaseModel):
    order_id: UUID
    status: str
    holds: list[str]
    customer_id: str
    external_id: str | None
    total_cents: int
    lines: list[OrderLinePublic]
    timeline: list[TimelineEntry]


class OrderSummary(BaseModel):
    order_id: UUID
    status: str
    customer_id: str
    total_cents: int
    updated_at: str


class ItemPut(_Strict):
    name: str = Field(min_length=1, max_length=200)
    unit_price_cents: NonNegativeInt
