"""Tolerant-reader models of the WMS/TMS requests the simulator answers."""

from uuid import UUID

from pydantic import BaseModel, ConfigDict


class Request(BaseModel):
    """PickRequested, PickCancelled, ShipmentRequestCancelled: ids suffice."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    shipment_id: UUID
    order_id: UUID


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
