"""Tolerant-reader models of the WMS/TMS requests the simulator answers."""

from uuid import UUID

from pydantic import BaseModel, ConfigDict


class RequestedLine(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    sku: str
    quantity: int


class Request(BaseModel):
    """PickRequested, PickCancelled, ShipmentRequestCancelled: the ids, and the lines a request
    asks for (a short pick confirms fewer of them)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    shipment_id: UUID
    order_id: UUID
    lines: tuple[RequestedLine, ...] = ()


class Address(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str
    line1: str
    city: str
    postal_code: str
    country: str


class ShipmentRequest(Request):
    """ShipmentRequested and ShipmentRequestAmended: where the goods go, too."""

    ship_to: Address | None = None
