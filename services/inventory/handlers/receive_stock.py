"""Ops record goods received: on hand grows, then waiting backorders are served by priority."""

from services.inventory.handlers.stock import allocate_freed_stock, stock_for
from shared.unit_of_work import UnitOfWork


async def receive_stock(sku: str, quantity: int, uow: UnitOfWork) -> None:
    async with uow:
        stock = await stock_for(uow, sku)
        stock.receive(quantity)
        await allocate_freed_stock(uow, stock)
        await uow.commit()
