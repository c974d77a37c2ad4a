"""Inventory HTTP API."""

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response, status

from services.inventory import views
from services.inventory.commands import ReceiveStock
from services.inventory.schemas import BackorderPublic, ReceiptCreate, StockPublic
from shared import paging
from shared.auth import Ops, Staff
from shared.errors import NotFoundError
from shared.idempotency import OnceByKey
from shared.limits import PathIdentifier
from shared.runtime import ServiceRuntime, runtime_of

Runtime = Annotated[ServiceRuntime, runtime_of("inventory")]

router = APIRouter(prefix="/v1/inventory", tags=["inventory"])


@router.post("/{sku}/receipts", status_code=status.HTTP_202_ACCEPTED, response_model=StockPublic)
async def receive(
    sku: PathIdentifier,
    body: ReceiptCreate,
    principal: Ops,
    runtime: Runtime,
    once: OnceByKey,
) -> Any:
    """Record goods received into stock; waiting backorders are served by priority."""

    async def stock_now() -> StockPublic:
        return await _stock_now(runtime, sku)

    async def act() -> StockPublic:
        await runtime.send(ReceiveStock(sku=sku, quantity=body.quantity))
        return await stock_now()

    return await once.run(
        runtime.db, principal=principal.name, body=body, act=act, answer_again=stock_now
    )


@router.get("", response_model=list[StockPublic], responses=paging.LINKED)
async def stock_levels(
    _: Staff, request: Request, response: Response, page: paging.Paging, runtime: Runtime
) -> list[StockPublic]:
    """Stock of every SKU the inventory knows, by SKU (`order=desc`: Z to A);
    `updated_since`: a change feed of levels. The next page is in the `Link` header."""
    async with runtime.db.transaction() as conn:
        found = await views.stock_levels(conn, page)
    return paging.linked(request, response, found)


@router.get("/{sku}", response_model=StockPublic)
async def stock(sku: PathIdentifier, _: Staff, runtime: Runtime) -> StockPublic:
    """On hand, reserved, available, blocked and backordered quantity of one SKU."""
    async with runtime.db.transaction() as conn:
        level = await views.stock_level(conn, sku)
    if level is None:
        raise NotFoundError(f"SKU {sku!r} is unknown to the inventory")
    return level


@router.get("/{sku}/backorders", response_model=list[BackorderPublic])
async def backorders(sku: PathIdentifier, _: Staff, runtime: Runtime) -> list[BackorderPublic]:
    """Orders waiting for the SKU, in the order a receipt would serve them."""
    async with runtime.db.transaction() as conn:
        return await views.backorders(conn, sku)


async def _stock_now(runtime: ServiceRuntime, sku: str) -> StockPublic:
    async with runtime.db.transaction() as conn:
        level = await views.stock_level(conn, sku)
    assert level is not None, "a receipt creates the SKU's stock"
    return level


ROUTERS = (router,)
