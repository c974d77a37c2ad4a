"""Tolerant-reader models of the WMS/TMS requests the simulator answers."""

from uuid import UUID

from pydantic import BaseModel, ConfigDict


class Request(BaseModel):
    """PickRequested, PickCancelled, ShipmentRequested, ShipmentRequestCancelled: ids suffice."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    shipment_id: UUID
    order_id: UUID
