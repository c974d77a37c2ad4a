"""HTTP models of the inventory API."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared.limits import Whole


class ReceiptCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: Annotated[int, Whole, Field(gt=0, le=10_000_000, strict=True)]


class StockPublic(BaseModel):
    sku: str
    on_hand: int
    reserved: int
    available: int
    blocked: int
    backordered: int
    reorder_point: int
    quarantined: int = Field(
        default=0,
        description="Returned units inspection kept apart: in the warehouse, not on hand, not"
        " sellable",
    )
    stopped_by: list[str] = Field(
        default_factory=list,
        description="Open andon pulls stopping the SKU's sale; while any, free stock is blocked",
    )


class BackorderPublic(BaseModel):
    order_id: str
    quantity: int
    reserved: int
    priority: int
    deadline: str
