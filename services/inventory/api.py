"""Inventory HTTP API."""

from fastapi import APIRouter, status

from services.inventory import views
from services.inventory.commands import ReceiveStock
from services.inventory.schemas import BackorderPublic, ReceiptCreate, StockPublic
from shared.auth import Ops, Staff
from shared.runtime import ServiceRuntime


def routers(runtime: ServiceRuntime) -> list[APIRouter]:
    router = APIRouter(prefix="/v1/inventory", tags=["inventory"])

    @router.post(
        "/{sku}/receipts", status_code=status.HTTP_202_ACCEPTED, response_model=StockPublic
    )
    async def receive(sku: str, body: ReceiptCreate, _: Ops) -> StockPublic:
        """Record goods received into stock; waiting backorders are served by priority."""
        await runtime.send(ReceiveStock(sku=sku, quantity=body.quantity))
        async with runtime.db.transaction() as conn:
            return StockPublic.model_validate(await views.stock_level(conn, sku))

    @router.get("", response_model=list[StockPublic])
    async def stock_levels(_: Staff) -> list[StockPublic]:
        """Stock of every SKU the inventory knows."""
        async with runtime.db.transaction() as conn:
            return [StockPublic.model_validate(row) for row in await views.stock_levels(conn)]

    @router.get("/{sku}", response_model=StockPublic)
    async def stock(sku: str, _: Staff) -> StockPublic:
        """On hand, reserved, available, blocked and backordered quantity of one SKU."""
        async with runtime.db.transaction() as conn:
            return StockPublic.model_validate(await views.stock_level(conn, sku))

    @router.get("/{sku}/backorders", response_model=list[BackorderPublic])
    async def backorders(sku: str, _: Staff) -> list[BackorderPublic]:
        """Orders waiting for the SKU, in the order a receipt would serve them."""
        async with runtime.db.transaction() as conn:
            return [BackorderPublic.model_validate(b) for b in await views.backorders(conn, sku)]

    return [router]
