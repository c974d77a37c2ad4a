"""Fulfillment HTTP API."""

from uuid import UUID

from fastapi import APIRouter

from services.fulfillment import views
from services.fulfillment.schemas import ShipmentPublic
from shared.auth import Staff
from shared.runtime import ServiceRuntime


def routers(runtime: ServiceRuntime) -> list[APIRouter]:
    router = APIRouter(prefix="/v1/shipments", tags=["fulfillment"])

    @router.get("", response_model=list[ShipmentPublic])
    async def shipments(_: Staff, order_id: UUID | None = None) -> list[ShipmentPublic]:
        """Shipments (one per released order so far), optionally for one order."""
        async with runtime.db.transaction() as conn:
            rows = await views.shipments(conn, str(order_id) if order_id else None)
        return [ShipmentPublic.model_validate(row) for row in rows]

    return [router]
